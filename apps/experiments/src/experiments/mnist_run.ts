/**
 * One sequential-MNIST training run (row-by-row by default, as in the paper): data, model, training with
 * validation after every epoch, the best-on-validation model evaluated on the test set.
 *
 * Defaults are the paper's settings: hidden 256, 1 layer, Adam 1e-2 with ×0.1 every 10 epochs, 20 epochs,
 * batch 128, 50k/10k train/validation split, no gradient clipping (the original's MNIST script clips
 * nothing; the norm is still logged at every step), and the training images in one fixed (seeded) order for
 * every epoch, as the original's loader, which does not shuffle (`order: 'reshuffle'` reshuffles every epoch).
 */
import { MNIST_NUM_CLASSES, MNIST_VALIDATION_SIZE, SequenceBatches, loadMnistSplits } from '@ttrnn/datasets/node';
import { Rng, deriveSeed } from '@ttrnn/random';
import type { MnistSubset } from '@ttrnn/datasets/node';
import { classificationObjective, evaluateClassifier } from '@ttrnn/training/node';
import { PAPER_MNIST } from '../paper_results.js';
import type { MnistOutcome } from '../report/results.js';
import type { MnistConfig } from '../profiles.js';
import { defined, modelFields, resolveRunOptions, runName, trainingOptions, trainingRun } from './training_run.js';
import type { RunEnvironment, RunOptions, TrainingResult, TrainingTask } from './training_run.js';
import { pick } from '../args.js';
import type { OptionSpecs } from '../args.js';

export type { RunEnvironment };

export const MNIST_VIEWS = ['row', 'pixel', 'permuted'] as const;
export const MNIST_DATASETS = ['mnist', 'fashion-mnist'] as const;
/** `fixed`: one seeded order for every epoch (the authors' loader); `reshuffle`: a new order every epoch. */
export const MNIST_ORDERS = ['fixed', 'reshuffle'] as const;

/** Everything the `mnist` command's flags hold (described in MNIST_OPTIONS below). */
export interface MnistRunOptions extends RunOptions {
  readonly epochs: number;
  readonly batch: number;
  readonly lrDecayEvery: number;
  readonly validationSize: number;
  readonly order: (typeof MNIST_ORDERS)[number];
  readonly view: (typeof MNIST_VIEWS)[number];
  readonly dataset: (typeof MNIST_DATASETS)[number];
  /** null: the view's default (`PIXEL_CHECKPOINT` for the 784-step views, off for rows). */
  readonly checkpoint: number | null;
}

/** The default `checkpoint` of the pixel views (784 steps: 28 chunks of 28 steps fit the wasm heap at batch 128). */
export const PIXEL_CHECKPOINT = 28;

export const DEFAULT_MNIST_OPTIONS: MnistRunOptions = {
  cell: 'lstm',
  tt: null,
  ...pick(PAPER_MNIST, ['hidden', 'layers', 'epochs', 'batch', 'lr', 'lrDecayEvery', 'clip']),
  trainLimit: 0,
  testLimit: 0,
  validationSize: MNIST_VALIDATION_SIZE,
  seed: 1,
  order: 'fixed',
  view: 'row',
  dataset: 'mnist',
  resume: false,
  checkpointEvery: 100,
  checkpoint: null,
};

const D = DEFAULT_MNIST_OPTIONS;

/** The `mnist` command's option table, which checks the options given in code too. */
export const MNIST_OPTIONS: OptionSpecs = trainingOptions(
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
);

export interface MnistRunResult extends MnistOutcome, TrainingResult {
  readonly experiment: 'mnist';
  readonly bestEpoch: number | null;
  readonly validationExamples: number;
}

/** Fills defaults and validates; errors name the option. */
export function resolveMnistOptions(options: Partial<MnistRunOptions>): MnistRunOptions {
  const fn = 'runMnist';
  const o = resolveRunOptions(options, DEFAULT_MNIST_OPTIONS, MNIST_OPTIONS, fn);
  return { ...o, checkpoint: o.checkpoint ?? (o.view === 'row' ? 0 : PIXEL_CHECKPOINT) };
}

/** The JSON configuration of a run (config.json): what determines its numbers, nothing about this process. */
export function mnistRunConfig(o: MnistRunOptions): Record<string, unknown> {
  return {
    experiment: 'mnist',
    ...modelFields(o),
    ...pick(o, ['epochs', 'batch', 'lr', 'lrDecayEvery', 'clip', 'trainLimit', 'testLimit']),
    // Only when not the paper's, so configs (and run names) of runs with the default stay as they were.
    ...(o.validationSize !== MNIST_VALIDATION_SIZE ? { validationSize: o.validationSize } : {}),
    ...pick(o, ['seed', 'order', 'view', 'dataset']),
    dataDir: o.dataDir ?? null,
    // Only when on, so configs (and run names) of runs without it stay as they were.
    ...((o.checkpoint ?? 0) > 0 ? { checkpoint: o.checkpoint ?? 0 } : {}),
  };
}

/** The default run name of a configuration. */
export function mnistRunName(o: MnistRunOptions): string {
  return runName('mnist', o, mnistRunConfig(o));
}

/**
 * The training images in one seeded order, kept for every epoch. Porting notes: the original's loader visits
 * its 50k images in the order of its random split every epoch; here the split is sorted, so the fixed order
 * is drawn once from the seed.
 */
export function fixedOrder(subset: MnistSubset, seed: number): MnistSubset {
  const perm = new Rng(seed).permutation(subset.indices.length);
  return { source: subset.source, indices: Int32Array.from(perm, (i) => subset.indices[i]!) };
}

/**
 * Trains and evaluates one configuration. A finished run directory returns its stored result; an
 * interrupted one needs `resume`.
 */
export function runMnist(options: Partial<MnistRunOptions>, env: RunEnvironment): Promise<MnistRunResult> {
  const o = resolveMnistOptions(options);
  const config = mnistRunConfig(o);
  const metrics = ['validationAccuracy', 'testAccuracy'] as const;
  return trainingRun<MnistRunResult>(
    { experiment: 'mnist', options: o, config, name: mnistRunName(o), metrics, prepare },
    env,
  );
  async function prepare(): Promise<TrainingTask> {
    const limit = (n: number): number | undefined => (n > 0 ? n : undefined);
    const splits = await loadMnistSplits(
      defined({
        dataset: o.dataset,
        dataDir: o.dataDir,
        seed: o.seed,
        trainLimit: limit(o.trainLimit),
        validationSize: o.validationSize,
        validationLimit: limit(o.testLimit),
        testLimit: limit(o.testLimit),
      }) as Parameters<typeof loadMnistSplits>[0],
    );
    const permutation = o.view === 'permuted' ? { permutationSeed: deriveSeed(o.seed, 3) } : {};
    const fixed = o.order === 'fixed';
    const train = new SequenceBatches(fixed ? fixedOrder(splits.train, deriveSeed(o.seed, 1)) : splits.train, {
      batchSize: o.batch,
      view: o.view,
      ...(fixed ? {} : { shuffleSeed: deriveSeed(o.seed, 1) }),
      ...permutation,
    });
    // Evaluation needs no tape: larger batches cost only activations, which 28 steps keep small; the
    // 784-step views keep the training batch (wasm's heap stops near 4 GiB).
    const evalBatch = o.view === 'row' ? Math.max(o.batch, 500) : o.batch;
    const val = new SequenceBatches(splits.validation, { batchSize: evalBatch, view: o.view, ...permutation });
    const test = new SequenceBatches(splits.test, { batchSize: evalBatch, view: o.view, ...permutation });
    return {
      task: 'classifier',
      inputSize: train.features,
      outputSize: MNIST_NUM_CLASSES,
      source: train,
      objective: classificationObjective,
      epochs: o.epochs,
      lrDecayEvery: o.lrDecayEvery,
      validate: (m) => evaluateClassifier(m, val, 'val'),
      selection: { metric: 'valAccuracy', mode: 'max' },
      test: (m) => evaluateClassifier(m, test, 'test'),
      fields: (outcome) => ({
        bestEpoch: outcome.best?.epoch ?? null,
        trainExamples: train.size,
        validationExamples: val.size,
        testExamples: test.size,
      }),
      curve: {
        trainLoss: 'trainLoss',
        trainAccuracy: 'trainAccuracy',
        validationLoss: 'valLoss',
        validationAccuracy: 'valAccuracy',
      },
      stepsPerEpoch: train.numBatches,
    };
  }
}

/** The options of a sweep configuration of `pnpm run exp all` (profiles.ts) in a sweep's run directory. */
export function mnistOptionsFromSweep(
  c: MnistConfig,
  ctx: { readonly runDir: string; readonly dataDir?: string },
): Partial<MnistRunOptions> {
  const { experiment: _, ...options } = c;
  return {
    ...options,
    ...(ctx.dataDir !== undefined ? { dataDir: ctx.dataDir } : {}),
    runDir: ctx.runDir,
    resume: 'auto',
  };
}
