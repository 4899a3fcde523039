import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createModel } from '@ttrnn/cells';
import type { ModelConfig } from '@ttrnn/cells';
import { writeCheckpoint } from '@ttrnn/training/node';
import { UsageError } from '../args.js';
import { exportLayersCommand } from './export_layers.js';
import { tempDirs } from '../test_util/run.js';

const tempDir = tempDirs('export');

/** A finished run directory as `exp mnist` leaves it: result.json and best.ckpt. */
function fakeRun(config: ModelConfig, seed: number): string {
  const dir = tempDir();
  const model = createModel(config, seed);
  writeCheckpoint(join(dir, 'best.ckpt'), {
    meta: { kind: 'ttrnn-best', value: 0.5, epoch: 0, step: 1 },
    arrays: model
      .namedWeights()
      .map((w) => ({ name: w.name, shape: [...w.variable.shape], data: w.variable.dataSync() as Float32Array })),
  });
  writeFileSync(
    join(dir, 'result.json'),
    JSON.stringify({ name: 'fake-run', status: 'finished', modelConfig: config, testAccuracy: 0.875 }),
  );
  model.dispose();
  return dir;
}

describe('exp export-layers', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes the run best model as a layers model that predicts what the cells model does', async () => {
    const config: ModelConfig = {
      task: 'classifier',
      cell: 'lstm',
      tt: { cores: 2, rank: 2, extraCore: 'none', naive: false },
      inputSize: 6,
      hiddenSize: 8,
      layers: 1,
      outputSize: 4,
    };
    const run = fakeRun(config, 3);
    const out = join(tempDir(), 'model');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await exportLayersCommand.run(['--run-dir', run, '--out', out])).toBe(0);
    expect(String(write.mock.calls[0]![0])).toMatch(/fake-run: \d+ parameters \(dense: 516\), test accuracy 87\.50%/);
    write.mockRestore();

    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as Record<string, unknown> & {
      weightsManifest: tf.io.WeightsManifestConfig;
    };
    expect(json['format']).toBe('layers-model');
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    const bin = readFileSync(join(out, 'weights.bin'));
    const loaded = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json['modelTopology'] as object,
        weightSpecs: json.weightsManifest[0]!.weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    );
    // Dense LSTM of these sizes: 6·32 + 8·32 + 32 (one bias) + dense head 8·4 + 4 = 516.
    expect(json['userDefinedMetadata']).toMatchObject({
      ttrnn: { run: 'fake-run', testAccuracy: 0.875, denseParams: 516 },
    });

    const same = createModel(config, 3);
    const x = tf.tensor3d(
      Array.from({ length: 2 * 5 * 6 }, (_, i) => ((i * 29) % 17) / 17 - 0.5),
      [2, 5, 6],
    );
    const expected = tf.tidy(() => tf.exp(same.apply(x)));
    const got = loaded.predict(x) as tf.Tensor;
    expect(
      Array.from(got.dataSync())
        .map((v, i) => Math.abs(v - expected.dataSync()[i]!))
        .every((d) => d < 1e-6),
    ).toBe(true);
    expect(loaded.countParams()).toBe(same.paramCount());
    tf.dispose([x, expected, got]);
    same.dispose();
    loaded.dispose();
  });

  it('needs both directories and a finished classifier run', async () => {
    await expect(exportLayersCommand.run(['--out', 'x'])).rejects.toThrow(
      new UsageError("'export-layers' needs --run-dir"),
    );
    const empty = tempDir();
    await expect(exportLayersCommand.run(['--run-dir', empty, '--out', join(empty, 'o')])).rejects.toThrow(
      /result\.json: not found/,
    );
    const speaker = fakeRun(
      { task: 'speaker', cell: 'lstm', tt: null, inputSize: 4, hiddenSize: 4, layers: 1, outputSize: 3 },
      1,
    );
    await expect(exportLayersCommand.run(['--run-dir', speaker, '--out', join(speaker, 'o')])).rejects.toThrow(
      /a classifier run is needed, got task 'speaker'/,
    );
  });
});
