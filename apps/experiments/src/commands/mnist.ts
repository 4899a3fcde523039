/**
 * `pnpm run exp mnist [options]`: one sequential-MNIST training run with the paper's defaults
 * (see experiments/mnist_run.ts).
 */
import { UsageError, parseArgs } from '../args.js';
import type { OptionSpecs } from '../args.js';
import type { Command } from '../command.js';
import {
  COMMON_SPECS,
  asUsage,
  gradientCheckpointFrom,
  gradientCheckpointSpec,
  modelOptionSpecs,
  modelOptionsFrom,
  percent,
  runFromCli,
} from '../experiments/cli_common.js';
import {
  DEFAULT_MNIST_OPTIONS,
  MNIST_DATASETS,
  MNIST_ORDERS,
  MNIST_VIEWS,
  PIXEL_CHECKPOINT,
  resolveMnistOptions,
  runMnist,
} from '../experiments/mnist_run.js';
import type { MnistRunOptions, MnistRunResult } from '../experiments/mnist_run.js';

const D = DEFAULT_MNIST_OPTIONS;

const OPTIONS: OptionSpecs = {
  ...modelOptionSpecs(D),
  epochs: { kind: 'int', description: 'training epochs', default: D.epochs, min: 1, max: 100_000 },
  batch: { kind: 'int', description: 'batch size', default: D.batch, min: 1, max: 65_536 },
  lr: { kind: 'number', description: 'Adam learning rate', default: D.lr, above: 0, max: 10 },
  'lr-decay-every': {
    kind: 'int',
    description: 'multiply the learning rate by 0.1 every N epochs (0: never)',
    default: D.lrDecayEvery,
  },
  clip: {
    kind: 'number',
    description: 'clip gradients to this global norm (default: no clipping, as the paper)',
    above: 0,
  },
  'train-limit': {
    kind: 'int',
    description: 'training images used, 0 = all (50k, or what --validation-size leaves)',
    default: D.trainLimit,
  },
  'test-limit': { kind: 'int', description: 'validation and test images evaluated, 0 = all', default: D.testLimit },
  'validation-size': {
    kind: 'int',
    description: 'images of the training file held out for validation',
    default: D.validationSize,
    min: 1,
  },
  order: {
    kind: 'string',
    description: "epoch order of the training images: one fixed order (the authors') or reshuffled every epoch",
    choices: [...MNIST_ORDERS],
    default: D.order,
  },
  view: {
    kind: 'string',
    description: 'sequence view: 28 rows, 784 pixels, or permuted pixels',
    choices: [...MNIST_VIEWS],
    default: D.view,
  },
  dataset: { kind: 'string', description: 'data set', choices: [...MNIST_DATASETS], default: D.dataset },
  'data-dir': { kind: 'path', description: 'directory with the four IDX files (default: the installed data set)' },
  ...gradientCheckpointSpec(`${PIXEL_CHECKPOINT} for the pixel views, off for rows`),
  ...COMMON_SPECS,
};

export function summarizeMnist(r: MnistRunResult): string {
  const lines = [
    `${r.name}: ${r.status}${r.reused ? ' (stored result)' : ''}`,
    `  parameters        ${r.params} (paper convention ${r.paramsPaper})`,
    `  validation acc.   ${percent(r.validationAccuracy)} (best epoch ${r.bestEpoch === null ? 'n/a' : r.bestEpoch + 1})`,
    `  test accuracy     ${percent(r.testAccuracy)}`,
    `  steps             ${r.steps}, ${r.stepMs?.toFixed(1) ?? '?'} ms per training step, ${r.trainSeconds.toFixed(1)} s training, ${r.evalSeconds.toFixed(1)} s evaluation`,
    `  run directory     ${r.runDir}`,
  ];
  return lines.join('\n');
}

export const mnistCommand: Command = {
  name: 'mnist',
  summary: 'train and test one model on sequential MNIST (paper defaults: hidden 256, Adam 1e-2, 20 epochs)',
  options: OPTIONS,
  async run(argv) {
    const { options, positionals } = parseArgs(argv, OPTIONS, 'mnist');
    if (positionals.length > 0)
      throw new UsageError(`'mnist' takes no positional arguments, got '${positionals.join(' ')}'`);
    const o: Partial<MnistRunOptions> = {
      ...modelOptionsFrom(options),
      epochs: options['epochs'] as number,
      batch: options['batch'] as number,
      lr: options['lr'] as number,
      lrDecayEvery: options['lr-decay-every'] as number,
      clip: (options['clip'] as number | undefined) ?? null,
      trainLimit: options['train-limit'] as number,
      testLimit: options['test-limit'] as number,
      validationSize: options['validation-size'] as number,
      order: options['order'] as MnistRunOptions['order'],
      view: options['view'] as MnistRunOptions['view'],
      dataset: options['dataset'] as MnistRunOptions['dataset'],
      resume: options['resume'] === true,
      ...gradientCheckpointFrom(options),
      ...(options['seed'] !== undefined ? { seed: options['seed'] as number } : {}),
      ...(options['data-dir'] !== undefined ? { dataDir: options['data-dir'] as string } : {}),
      ...(options['run-dir'] !== undefined ? { runDir: options['run-dir'] as string } : {}),
      ...(options['checkpoint-every'] !== undefined ? { checkpointEvery: options['checkpoint-every'] as number } : {}),
    };
    asUsage(() => resolveMnistOptions(o), OPTIONS);
    return runFromCli({ options, run: (env) => runMnist(o, env), summary: summarizeMnist });
  },
};
