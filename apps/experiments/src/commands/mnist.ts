/**
 * `pnpm run exp mnist [options]`: one sequential-MNIST training run with the paper's defaults
 * (see experiments/mnist_run.ts).
 */
import { percent, trainingCommand } from '../experiments/cli_common.js';
import { MNIST_OPTIONS, resolveMnistOptions, runMnist } from '../experiments/mnist_run.js';
import type { MnistRunOptions, MnistRunResult } from '../experiments/mnist_run.js';

export const mnistCommand = trainingCommand<MnistRunOptions, MnistRunResult>({
  name: 'mnist',
  summary: 'train and test one model on sequential MNIST (paper defaults: hidden 256, Adam 1e-2, 20 epochs)',
  options: MNIST_OPTIONS,
  resolve: resolveMnistOptions,
  run: runMnist,
  describe: (r) => [
    `  parameters        ${r.params} (paper convention ${r.paramsPaper})`,
    `  validation acc.   ${percent(r.validationAccuracy)} (best epoch ${r.bestEpoch === null ? 'n/a' : r.bestEpoch + 1})`,
    `  test accuracy     ${percent(r.testAccuracy)}`,
  ],
});
