/**
 * `pnpm run exp export-layers --run-dir DIR --out DIR`: the best model of a finished `mnist` run as a
 * TensorFlow.js layers model for `tf.loadLayersModel` (model.json + weights.bin, the tf.io artifacts
 * format, written by the cells' file-system handler), e.g. the demo page's classifier. The run's
 * configuration, test accuracy and the parameter count of the dense model of the same sizes go into the
 * model's user metadata.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@ttrnn/backend';
import { countParams, createModel, fileSystem, validateModelConfig } from '@ttrnn/cells/node';
import { toLayersModel } from '@ttrnn/layers';
import { loadWeights } from '@ttrnn/training/node';
import { UsageError } from '../args.js';
import type { OptionSpecs } from '../args.js';
import { defineCommand } from '../command.js';

const OPTIONS: OptionSpecs = {
  'run-dir': { kind: 'path', description: 'directory of a finished classifier run (result.json, best.ckpt)' },
  out: { kind: 'path', description: 'directory to write model.json and weights.bin into' },
};

export const exportLayersCommand = defineCommand({
  name: 'export-layers',
  summary: 'write the best model of a finished classifier run as a tf.loadLayersModel model (model.json + weights.bin)',
  options: OPTIONS,
  async run(options) {
    for (const k of ['run-dir', 'out'])
      if (options[k] === undefined) throw new UsageError(`'export-layers' needs --${k}`);
    const [runDir, outDir] = [options['run-dir'] as string, options['out'] as string];
    const resultFile = join(runDir, 'result.json');
    if (!existsSync(resultFile)) throw new UsageError(`${resultFile}: not found (--run-dir must be a finished run)`);
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as Record<string, unknown>;
    const config = validateModelConfig(result['modelConfig'], `${resultFile}: modelConfig`);
    if (config.task !== 'classifier')
      throw new UsageError(`${resultFile}: a classifier run is needed, got task '${config.task}'`);

    await initBackend('wasm');
    const model = createModel(config, 0);
    try {
      loadWeights(model, join(runDir, 'best.ckpt'));
      const layers = toLayersModel(model);
      const testAccuracy = typeof result['testAccuracy'] === 'number' ? result['testAccuracy'] : null;
      // The model's user-defined metadata (`model.getUserDefinedMetadata()`), with the dense model's count.
      const run = String(result['name'] ?? runDir);
      const [params, denseParams] = [countParams(config).params, countParams({ ...config, tt: null }).params];
      layers.setUserDefinedMetadata({ ttrnn: { run, config, testAccuracy, params, denseParams } });
      await layers.save(fileSystem(outDir));
      layers.dispose();
      const size = (f: string) => readFileSync(join(outDir, f)).byteLength;
      process.stdout.write(
        `${run}: ${params} parameters (dense: ${denseParams}), test accuracy ` +
          `${testAccuracy === null ? 'n/a' : (100 * testAccuracy).toFixed(2) + '%'}\n` +
          `wrote ${join(outDir, 'model.json')} (${size('model.json')} bytes) and weights.bin (${size('weights.bin')} bytes)\n`,
      );
    } finally {
      model.dispose();
    }
    return 0;
  },
});
