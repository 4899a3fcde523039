/**
 * One sequential-MNIST training run (row-by-row by default, as in the paper): data, model, training with
 * validation after every epoch, the best-on-validation model evaluated on the test set.
 *
 * Defaults are the paper's settings: hidden 256, 1 layer, Adam 1e-2 with ×0.1 every 10 epochs, 20 epochs,
 * batch 128, 50k/10k train/validation split, no gradient clipping (the original's MNIST script clips
 * nothing; the norm is still logged at every step), and the training images in one fixed (seeded) order for
 * every epoch, as the original's loader, which does not shuffle (`order: 'reshuffle'` reshuffles every epoch).
 */
import { countParams, createModel } from '@ttrnn/cells';
import type { ModelConfig } from '@ttrnn/cells';
import { MNIST_NUM_CLASSES, MNIST_VALIDATION_SIZE, SequenceBatches, loadMnistSplits } from '@ttrnn/datasets/node';
import { Rng, deriveSeed } from '@ttrnn/random';
import type { MnistSubset } from '@ttrnn/datasets/node';
import { classificationObjective, evaluateClassifier, openRun, train } from '@ttrnn/training/node';
import type { EpochRecord, ProgressStream, ResumeIntent } from '@ttrnn/training/node';
import type { CurvePoint, MnistOutcome } from '../report/results.js';
import { PAPER_GRAD_NORMS } from '../paper_results.js';
import type { MnistConfig } from '../profiles.js';
import type { ModelOptions } from './run_common.js';
import {
  checkChoice,
  checkInt,
  checkModelOptions,
  checkPositive,
  SEED_BOUND,
  defaultRunDir,
  defined,
  modelConfigOf,
  modelFields,
  num,
  rejectUnknown,
  storedResultProblem,
  runName,
} from './run_common.js';

export const MNIST_VIEWS = ['row', 'pixel', 'permuted'] as const;
export const MNIST_DATASETS = ['mnist', 'fashion-mnist'] as const;
/** `fixed`: one seeded order for every epoch (the authors' loader); `reshuffle`: a new order every epoch. */
export const MNIST_ORDERS = ['fixed', 'reshuffle'] as const;

/** Everything the `mnist` command's flags hold. */
export interface MnistRunOptions extends ModelOptions {
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  /** ×0.1 every this many epochs; 0 = constant rate. */
  readonly lrDecayEvery: number;
  /** Maximum global gradient norm, or null (the paper's MNIST runs do not clip). */
  readonly clip: number | null;
  /** Training images used (of the 50k); 0 = all. */
  readonly trainLimit: number;
  /** Validation and test images evaluated; 0 = all. */
  readonly testLimit: number;
  /** Images of the training file held out for validation (10k: the paper's 50k/10k split). */
  readonly validationSize: number;
  readonly seed: number;
  /** Epoch order of the training images. */
  readonly order: (typeof MNIST_ORDERS)[number];
  readonly view: (typeof MNIST_VIEWS)[number];
  readonly dataset: (typeof MNIST_DATASETS)[number];
  /** Directory of the four IDX files; default: the installed data set. */
  readonly dataDir?: string;
  /** Run directory; default results/runs/<name>. */
  readonly runDir?: string;
  /** `true`: continue the interrupted run in the run directory (refused if there is none); `false`: start one (refused if one is there); `'auto'`: either (sweeps). */
  readonly resume: ResumeIntent;
  /** Steps between checkpoints (also at every epoch end). */
  readonly checkpointEvery: number;
  /**
   * Gradient checkpointing of the recurrent layers: time steps per recomputed chunk, 0 = off; null =
   * the view's default (`PIXEL_CHECKPOINT` for the 784-step views, off for rows). Same numbers, less memory.
   */
  readonly checkpoint: number | null;
}

/** The default `checkpoint` of the pixel views (784 steps: 28 chunks of 28 steps fit the wasm heap at batch 128). */
export const PIXEL_CHECKPOINT = 28;

/** Not configuration: how this process runs (never part of config.json). */
export interface RunEnvironment {
  /** Milliseconds on a monotonic clock; the entry point passes `performance.now`. */
  readonly now: () => number;
  /** Progress output (stderr), or null. */
  readonly progress?: ProgressStream | null;
  readonly signal?: AbortSignal;
  /** Stop (checkpointed) after this many steps: tests use it to interrupt a run. */
  readonly maxSteps?: number;
  /** Called after every training step (the queue worker ships new checkpoints from here). */
  readonly afterStep?: (step: number) => void;
}

export const DEFAULT_MNIST_OPTIONS: MnistRunOptions = {
  cell: 'lstm',
  tt: null,
  hidden: 256,
  layers: 1,
  epochs: 20,
  batch: 128,
  lr: 1e-2,
  lrDecayEvery: 10,
  clip: null,
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

const KNOWN = [...Object.keys(DEFAULT_MNIST_OPTIONS), 'dataDir', 'runDir'];

export interface MnistRunResult extends MnistOutcome {
  readonly experiment: 'mnist';
  readonly status: 'finished' | 'interrupted';
  /** True when the run directory already held the finished result (nothing was trained). */
  readonly reused: boolean;
  readonly name: string;
  readonly runDir: string;
  readonly config: Record<string, unknown>;
  readonly modelConfig: ModelConfig;
  readonly bestEpoch: number | null;
  readonly validationExamples: number;
  readonly steps: number;
  readonly epochs: readonly EpochRecord[];
  readonly evalSeconds: number;
}

/** Fills defaults and validates; errors name the option. */
export function resolveMnistOptions(options: Partial<MnistRunOptions>): MnistRunOptions {
  const fn = 'runMnist';
  rejectUnknown(options, KNOWN, fn);
  const o: MnistRunOptions = { ...DEFAULT_MNIST_OPTIONS, ...defined(options as Record<string, unknown>) };
  checkModelOptions(o, fn);
  checkInt(o.epochs, 'epochs', fn, 1);
  checkInt(o.batch, 'batch', fn, 1);
  checkPositive(o.lr, 'lr', fn);
  checkInt(o.lrDecayEvery, 'lrDecayEvery', fn, 0);
  if (o.clip !== null) checkPositive(o.clip, 'clip', fn);
  checkInt(o.trainLimit, 'trainLimit', fn, 0);
  checkInt(o.testLimit, 'testLimit', fn, 0);
  checkInt(o.validationSize, 'validationSize', fn, 1);
  checkInt(o.seed, 'seed', fn, 0, SEED_BOUND);
  checkChoice(o.order, MNIST_ORDERS, 'order', fn);
  checkChoice(o.view, MNIST_VIEWS, 'view', fn);
  checkChoice(o.dataset, MNIST_DATASETS, 'dataset', fn);
  checkInt(o.checkpointEvery, 'checkpointEvery', fn, 1);
  if (o.checkpoint !== null) checkInt(o.checkpoint, 'checkpoint', fn, 0);
  return { ...o, checkpoint: o.checkpoint ?? (o.view === 'row' ? 0 : PIXEL_CHECKPOINT) };
}

/** The resolved gradient-checkpoint chunk (0 = off). */
function checkpointOf(o: MnistRunOptions): number {
  return o.checkpoint ?? 0;
}

/** The JSON configuration of a run (config.json): what determines its numbers, nothing about this process. */
export function mnistRunConfig(o: MnistRunOptions): Record<string, unknown> {
  return {
    experiment: 'mnist',
    ...modelFields(o),
    epochs: o.epochs,
    batch: o.batch,
    lr: o.lr,
    lrDecayEvery: o.lrDecayEvery,
    clip: o.clip,
    trainLimit: o.trainLimit,
    testLimit: o.testLimit,
    // Only when not the paper's, so configs (and run names) of runs with the default stay as they were.
    ...(o.validationSize !== MNIST_VALIDATION_SIZE ? { validationSize: o.validationSize } : {}),
    seed: o.seed,
    order: o.order,
    view: o.view,
    dataset: o.dataset,
    dataDir: o.dataDir ?? null,
    // Only when on, so configs (and run names) of runs without it stay as they were.
    ...(checkpointOf(o) > 0 ? { checkpoint: checkpointOf(o) } : {}),
  };
}

/** The default run name of a configuration. */
export function mnistRunName(o: MnistRunOptions): string {
  return runName('mnist', o, mnistRunConfig(o));
}

function curveOf(epochs: readonly EpochRecord[], stepsPerEpoch: number): CurvePoint[] {
  return epochs.map(
    (e) =>
      defined({
        step: num(e, 'step') ?? 0,
        epoch: (num(e, 'step') ?? 0) / stepsPerEpoch,
        trainLoss: num(e, 'trainLoss'),
        trainAccuracy: num(e, 'trainAccuracy'),
        validationLoss: num(e, 'valLoss'),
        validationAccuracy: num(e, 'valAccuracy'),
      }) as CurvePoint,
  );
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
export async function runMnist(options: Partial<MnistRunOptions>, env: RunEnvironment): Promise<MnistRunResult> {
  const o = resolveMnistOptions(options);
  const config = mnistRunConfig(o);
  const name = mnistRunName(o);
  const runDir = o.runDir ?? defaultRunDir(name);
  const opened = openRun<MnistRunResult>(runDir, config, {
    resume: o.resume,
    checkResult: (r) =>
      storedResultProblem(r, 'mnist', [
        'params',
        'paramsPaper',
        'validationAccuracy',
        'testAccuracy',
        'steps',
        'trainSeconds',
        'evalSeconds',
      ]),
  });
  // The directory it was found in, not the one it was written from (it may have been moved).
  if (opened.status === 'finished') return { ...opened.result, reused: true, runDir };

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
  const order =
    o.order === 'fixed'
      ? { subset: fixedOrder(splits.train, deriveSeed(o.seed, 1)), shuffle: {} }
      : { subset: splits.train, shuffle: { shuffleSeed: deriveSeed(o.seed, 1) } };
  const trainBatches = new SequenceBatches(order.subset, {
    batchSize: o.batch,
    view: o.view,
    ...order.shuffle,
    ...permutation,
  });
  // Evaluation needs no tape: larger batches cost only activations, which 28 steps keep small; the
  // 784-step views keep the training batch (wasm's heap stops near 4 GiB).
  const evalBatch = o.view === 'row' ? Math.max(o.batch, 500) : o.batch;
  const valBatches = new SequenceBatches(splits.validation, { batchSize: evalBatch, view: o.view, ...permutation });
  const testBatches = new SequenceBatches(splits.test, { batchSize: evalBatch, view: o.view, ...permutation });

  const modelConfig: ModelConfig = {
    ...modelConfigOf(o, 'classifier', trainBatches.features, MNIST_NUM_CLASSES),
    ...(checkpointOf(o) > 0 ? { checkpoint: checkpointOf(o) } : {}),
  };
  const counts = countParams(modelConfig);
  const model = createModel(modelConfig, deriveSeed(o.seed, 2));
  try {
    const outcome = await train({
      model,
      source: trainBatches,
      objective: classificationObjective(),
      config: {
        epochs: o.epochs,
        learningRate: o.lr,
        lrDecay: o.lrDecayEvery > 0 ? { stepSize: o.lrDecayEvery, gamma: 0.1 } : null,
        clipNorm: o.clip,
        seed: deriveSeed(o.seed, 4),
        checkpointEvery: o.checkpointEvery,
        gradNormHistory: PAPER_GRAD_NORMS.steps,
      },
      runDir,
      runConfig: config,
      resume: opened.status === 'resume',
      now: env.now,
      validate: (m) => evaluateClassifier(m, valBatches, 'val'),
      selection: { metric: 'valAccuracy', mode: 'max' },
      test: (m) => evaluateClassifier(m, testBatches, 'test'),
      progress: env.progress ?? null,
      label: name,
      ...(env.signal !== undefined ? { signal: env.signal } : {}),
      ...(env.maxSteps !== undefined ? { maxSteps: env.maxSteps } : {}),
      ...(env.afterStep !== undefined ? { afterStep: env.afterStep } : {}),
    });
    const best = outcome.best;
    const result: MnistRunResult = {
      experiment: 'mnist',
      status: outcome.status,
      reused: false,
      name,
      runDir,
      config,
      modelConfig,
      params: counts.params,
      paramsPaper: counts.paramsPaper,
      validationAccuracy: best !== null ? best.value : NaN,
      testAccuracy: outcome.test?.['testAccuracy'] ?? NaN,
      bestEpoch: best?.epoch ?? null,
      curve: curveOf(outcome.epochs, trainBatches.numBatches),
      gradNorms: outcome.firstGradNorms,
      trainSeconds: outcome.timing.trainSeconds,
      evalSeconds: outcome.timing.evalSeconds,
      stepMs: outcome.timing.secondsPerStep * 1000,
      steps: outcome.steps,
      trainExamples: trainBatches.size,
      validationExamples: valBatches.size,
      testExamples: testBatches.size,
      epochs: outcome.epochs,
    };
    if (outcome.status === 'finished') opened.dir.writeResult(result);
    return result;
  } finally {
    model.dispose();
  }
}

/** The options of a sweep configuration of `pnpm run exp all` (profiles.ts) in a sweep's run directory. */
export function mnistOptionsFromSweep(
  c: MnistConfig,
  ctx: { readonly runDir: string; readonly dataDir?: string },
): Partial<MnistRunOptions> {
  return {
    cell: c.cell,
    tt: c.tt,
    hidden: c.hidden,
    layers: c.layers,
    epochs: c.epochs,
    batch: c.batch,
    lr: c.lr,
    lrDecayEvery: c.lrDecayEvery,
    trainLimit: c.trainLimit,
    testLimit: c.testLimit,
    seed: c.seed,
    order: c.order,
    ...(ctx.dataDir !== undefined ? { dataDir: ctx.dataDir } : {}),
    runDir: ctx.runDir,
    resume: 'auto',
  };
}
