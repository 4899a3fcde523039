/**
 * `pnpm run exp mnist [options]`: one sequential-MNIST training run with the paper's defaults
 * (see experiments/mnist_run.ts).
 */
import { percent, trainingCommand, trainingOptions } from '../experiments/cli_common.js';
import {
  DEFAULT_MNIST_OPTIONS as D,
  MNIST_DATASETS,
  MNIST_ORDERS,
  MNIST_VIEWS,
  PIXEL_CHECKPOINT,
  resolveMnistOptions,
  runMnist,
} from '../experiments/mnist_run.js';
import type { MnistRunOptions, MnistRunResult } from '../experiments/mnist_run.js';

export const mnistCommand = trainingCommand<MnistRunOptions, MnistRunResult>({
  name: 'mnist',
  summary: 'train and test one model on sequential MNIST (paper defaults: hidden 256, Adam 1e-2, 20 epochs)',
  options: trainingOptions(
    D,
    {
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
    },
    `${PIXEL_CHECKPOINT} for the pixel views, off for rows`,
  ),
  resolve: resolveMnistOptions,
  run: runMnist,
  describe: (r) => [
    `  parameters        ${r.params} (paper convention ${r.paramsPaper})`,
    `  validation acc.   ${percent(r.validationAccuracy)} (best epoch ${r.bestEpoch === null ? 'n/a' : r.bestEpoch + 1})`,
    `  test accuracy     ${percent(r.testAccuracy)}`,
  ],
});
