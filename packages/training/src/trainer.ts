/**
 * The training loop: epochs of batches, Adam, clipping, per-step logging, validation with best-model
 * selection, checkpoints, and exact resume.
 *
 * Exact resume: everything a step depends on is either a pure function of (seed, epoch, batch) (the
 * batch source) or in the checkpoint (weights, Adam moments and step, the trainer's RNG, counters,
 * epoch accumulators, best-so-far, the number of metrics lines). A run resumed from any checkpoint
 * therefore computes bit-identical steps, and its metrics file is cut back to the lines the checkpoint
 * knew, so it never holds a step twice.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@ttrnn/random';
import type { RngState } from '@ttrnn/random';
import { Adam } from './adam.js';
import type { AdamSlotState } from './adam.js';
import type { CheckpointArray } from './checkpoint.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { clipByGlobalNorm } from './clip.js';
import type { NamedWeight, TrainableModel } from './named_weights.js';
import { assertUniqueNames } from './named_weights.js';
import type { ProgressStream } from './progress.js';
import { Progress } from './progress.js';
import { MetricsLog, RUN_FILES, openRun } from './run_dir.js';
import type { ResumeIntent } from './run_dir.js';
import { stepDecayRate } from './schedule.js';
import type { TrainingConfig } from './training_config.js';
import { resolveTrainingConfig } from './training_config.js';

/** A batch as the data sets give it: `x` row-major `[batch, steps, features]`, `y` labels if any. */
export interface Batch {
  readonly x: Float32Array;
  readonly y?: Int32Array;
  readonly shape: readonly [number, number, number];
}

/**
 * Where batches come from. `batch(epoch, index)` must be a pure function of its arguments (and of the
 * generator state it is handed, which the trainer checkpoints), so resumed runs see the same batches.
 */
export interface BatchSource {
  readonly numBatches: number;
  batch(epoch: number, index: number, rng: Rng): Batch;
  /** A stateful source (one that draws batches from its own generator) saves its state here (JSON-able). */
  getState?(): unknown;
  setState?(state: unknown): void;
}

/** What the model is trained to do. */
export interface Objective {
  /** The loss of a batch from the model's output, built inside the gradient tape. */
  loss(output: tf.Tensor2D, batch: Batch): tf.Scalar;
  /** Per-step metrics from the output (outside the tape), averaged over each epoch weighted by batch size. */
  metrics?(output: tf.Tensor2D, batch: Batch): Record<string, number> | Promise<Record<string, number>>;
  /** Factors on the gradients of named weights, applied before clipping (GE2E scales w and b by 0.01). */
  readonly gradScales?: Readonly<Record<string, number>>;
}

/** Metrics of an evaluation (validation or test): names to numbers. */
export type EvalMetrics = Record<string, number>;

export interface Selection {
  /** The validation metric that selects the model, e.g. 'valAccuracy' or 'valEer'. */
  readonly metric: string;
  readonly mode: 'max' | 'min';
  /** Improvement needed to count as better; default 0 (the original speaker code uses 1e-4). */
  readonly minDelta?: number;
}

export interface TrainOptions {
  readonly model: TrainableModel;
  readonly source: BatchSource;
  readonly objective: Objective;
  readonly config: Partial<TrainingConfig>;
  /** The run directory (created when training starts); see RunDir for its states. */
  readonly runDir: string;
  /**
   * `false` (default): start a new run, refused if the directory holds one; `true`: continue the
   * interrupted run there, refused if there is none; `'auto'`: whichever the directory holds.
   */
  readonly resume?: ResumeIntent;
  /**
   * The configuration written to config.json when the run starts and compared on resume (a resume with
   * another one is refused); default: the resolved training config.
   */
  readonly runConfig?: unknown;
  /** Milliseconds since some origin; the only clock the trainer reads. */
  readonly now: () => number;
  /** Runs after every epoch; its metrics go to the epoch record. */
  readonly validate?: (model: TrainableModel, epoch: number) => EvalMetrics | Promise<EvalMetrics>;
  /** Which validation metric selects the final model (best.ckpt); without it the last model is kept. */
  readonly selection?: Selection;
  /** Runs once on the selected model after training. */
  readonly test?: (model: TrainableModel) => EvalMetrics | Promise<EvalMetrics>;
  /** Progress output (stderr), or null for none. */
  readonly progress?: ProgressStream | null;
  readonly label?: string;
  /** Stop (with a checkpoint) once aborted; checked between steps. */
  readonly signal?: AbortSignal;
  /** Stop (with a checkpoint) after this many steps in this call: a kill switch for tests. */
  readonly maxSteps?: number;
  /** Called after every step with the global step; a throw here simulates a crash (no checkpoint). */
  readonly afterStep?: (step: number) => void;
}

/** The record of one epoch, as in metrics.jsonl. */
export type EpochRecord = Record<string, number | boolean | string>;

export interface BestRecord {
  readonly value: number;
  readonly epoch: number;
  readonly step: number;
}

export interface TrainOutcome {
  readonly status: 'finished' | 'interrupted';
  /** Steps done in total (all sessions). */
  readonly steps: number;
  readonly epochs: readonly EpochRecord[];
  readonly best: BestRecord | null;
  readonly test: EvalMetrics | null;
  /** Pre-clip global gradient norms of the first steps. */
  readonly firstGradNorms: readonly number[];
  /** Steps this call resumed after, or null for a fresh start. */
  readonly resumedAtStep: number | null;
  readonly timing: {
    /** Seconds spent in training steps, all sessions. */
    readonly trainSeconds: number;
    readonly evalSeconds: number;
    readonly secondsPerStep: number;
  };
}

/** Thrown when the loss or the gradient norm is NaN or infinite; the last good checkpoint is kept. */
export class NonFiniteLossError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonFiniteLossError';
  }
}

interface Accumulator {
  loss: number;
  examples: number;
  batches: number;
  metrics: Record<string, number>;
}

interface TrainerMeta {
  readonly kind: 'ttrnn-train-state';
  readonly epoch: number;
  readonly batch: number;
  readonly step: number;
  readonly metricsLines: number;
  readonly rng: { words: RngState; spare: number | null };
  readonly adamStep: number;
  readonly best: BestRecord | null;
  readonly acc: Accumulator;
  readonly epochs: EpochRecord[];
  readonly firstGradNorms: number[];
  readonly trainSeconds: number;
  readonly evalSeconds: number;
  readonly numBatches: number;
  /** The tfjs backend that computed the steps (older checkpoints lack it). */
  readonly backend?: string;
  readonly sourceState: unknown;
  readonly weights: { name: string; shape: number[] }[];
}

function freshAcc(): Accumulator {
  return { loss: 0, examples: 0, batches: 0, metrics: {} };
}

function weightArrays(prefix: string, weights: ReadonlyArray<NamedWeight>): Promise<CheckpointArray[]> {
  return Promise.all(
    weights.map(async (w) => ({
      name: `${prefix}${w.name}`,
      shape: [...w.variable.shape],
      data: (await w.variable.data()) as Float32Array,
    })),
  );
}

/** Writes named arrays into the weights after checking names and shapes; `source` names the file. */
function restoreWeights(
  weights: ReadonlyArray<NamedWeight>,
  arrays: ReadonlyArray<CheckpointArray>,
  prefix: string,
  source: string,
): void {
  const byName = new Map(arrays.filter((a) => a.name.startsWith(prefix)).map((a) => [a.name.slice(prefix.length), a]));
  const names = new Set(weights.map((w) => w.name));
  const extra = [...byName.keys()].filter((n) => !names.has(n));
  const missing = weights.filter((w) => !byName.has(w.name)).map((w) => w.name);
  if (extra.length > 0 || missing.length > 0) {
    throw new Error(
      `${source}: the checkpoint does not belong to this model` +
        (missing.length ? `; missing weights: ${missing.join(', ')}` : '') +
        (extra.length ? `; unknown weights: ${extra.join(', ')}` : ''),
    );
  }
  for (const w of weights) {
    const a = byName.get(w.name) as CheckpointArray;
    if (a.shape.join(',') !== w.variable.shape.join(',')) {
      throw new Error(
        `${source}: weight '${w.name}' has shape [${a.shape.join(', ')}] in the checkpoint, [${w.variable.shape.join(', ')}] in the model`,
      );
    }
  }
  for (const w of weights) {
    const a = byName.get(w.name) as CheckpointArray;
    tf.tidy(() => w.variable.assign(tf.tensor(a.data, w.variable.shape, 'float32')));
  }
}

/** Loads the weights of a best.ckpt or checkpoint.ckpt file into a model. */
export function loadWeights(model: TrainableModel, path: string): void {
  const ckpt = readCheckpoint(path);
  const prefix = ckpt.arrays.some((a) => a.name.startsWith('w/')) ? 'w/' : '';
  restoreWeights(model.namedWeights(), ckpt.arrays, prefix, path);
}

function isBetter(value: number, best: BestRecord | null, sel: Selection): boolean {
  if (!Number.isFinite(value)) return false;
  if (best === null) return true;
  const d = sel.minDelta ?? 0;
  return sel.mode === 'max' ? value - best.value > d : best.value - value > d;
}

/**
 * Trains `model` on `source` with Adam; see the module comment for what a run directory holds and how
 * resume works. Resolves when training (and the test evaluation) finished, or when stopped by `signal`
 * or `maxSteps` (status 'interrupted', state checkpointed).
 */
export async function train(options: TrainOptions): Promise<TrainOutcome> {
  const config = resolveTrainingConfig(options.config, 'train');
  const { model, source, objective, now } = options;
  if (!Number.isInteger(source.numBatches) || source.numBatches <= 0) {
    throw new Error(`'source' passed to 'train' must have a positive integer numBatches, got ${source.numBatches}`);
  }
  if (options.maxSteps !== undefined && !(Number.isInteger(options.maxSteps) && options.maxSteps >= 0)) {
    throw new Error(`'maxSteps' passed to 'train' must be a non-negative integer, got ${options.maxSteps}`);
  }
  const weights = model.namedWeights();
  assertUniqueNames(weights, 'train');
  const vars = weights.map((w) => w.variable);
  const scales = weights.map((w) => objective.gradScales?.[w.name] ?? 1);
  const opened = openRun(options.runDir, options.runConfig ?? config, { resume: options.resume ?? false });
  if (opened.status === 'finished') {
    throw new Error(`${options.runDir}: the run already finished (it holds ${RUN_FILES.result}); nothing to train`);
  }
  const dir = opened.dir;
  const ckptPath = dir.file('checkpoint');
  const bestPath = dir.file('best');

  const adam = new Adam(weights, config.adam);
  const rng = new Rng(config.seed);
  let epoch = 0;
  let batchIndex = 0;
  let step = 0;
  let best: BestRecord | null = null;
  let acc = freshAcc();
  let epochs: EpochRecord[] = [];
  let firstGradNorms: number[] = [];
  let trainSeconds = 0;
  let evalSeconds = 0;
  let keepLines = 0;
  let resumedAtStep: number | null = null;

  try {
    if (opened.status === 'resume') {
      const ckpt = readCheckpoint<TrainerMeta>(ckptPath);
      const meta = ckpt.meta;
      if (meta?.kind !== 'ttrnn-train-state') throw new Error(`${ckptPath}: not a training-state checkpoint`);
      if (meta.backend !== undefined && meta.backend !== tf.getBackend()) {
        throw new Error(
          `${ckptPath}: the run was trained on the '${meta.backend}' backend, this process uses '${tf.getBackend()}'; ` +
            `steps resumed on another backend are not bit-identical to an uninterrupted run: resume on '${meta.backend}' (--backend ${meta.backend})`,
        );
      }
      if (meta.numBatches !== source.numBatches) {
        throw new Error(
          `${ckptPath}: the checkpoint was made with ${meta.numBatches} batches per epoch, the source has ${source.numBatches}`,
        );
      }
      restoreWeights(weights, ckpt.arrays, 'w/', ckptPath);
      const byName = new Map(ckpt.arrays.map((a) => [a.name, a]));
      const slots: AdamSlotState[] = weights.map((w) => {
        const m = byName.get(`m/${w.name}`);
        const v = byName.get(`v/${w.name}`);
        if (m === undefined || v === undefined)
          throw new Error(`${ckptPath}: optimizer state of '${w.name}' is missing`);
        return { name: w.name, shape: m.shape, m: m.data, v: v.data };
      });
      adam.setState({ step: meta.adamStep, slots }, ckptPath);
      rng.setState(meta.rng);
      if (source.setState !== undefined) {
        if (meta.sourceState === null || meta.sourceState === undefined)
          throw new Error(`${ckptPath}: the checkpoint holds no batch-source state`);
        source.setState(meta.sourceState);
      }
      ({ epoch, batch: batchIndex, step, best, acc, epochs, firstGradNorms, trainSeconds, evalSeconds } = meta);
      keepLines = meta.metricsLines;
      resumedAtStep = step;
    }
  } catch (err) {
    adam.dispose();
    throw err;
  }

  const progress =
    options.progress === null || options.progress === undefined
      ? null
      : new Progress({
          stream: options.progress,
          now,
          total: config.epochs * source.numBatches,
          label: options.label ?? '',
        });
  const notice = (message: string): void => progress?.message(message);

  let lastCheckpointStep = 0;
  let log: MetricsLog | null = null;
  // The values are read first (asynchronously: a GPU backend cannot read synchronously), then written
  // synchronously with the state of the moment.
  const stateArrays = async (): Promise<CheckpointArray[]> => {
    const state = await adam.getState();
    return [
      ...(await weightArrays('w/', weights)),
      ...state.slots.map((s) => ({ name: `m/${s.name}`, shape: s.shape, data: s.m })),
      ...state.slots.map((s) => ({ name: `v/${s.name}`, shape: s.shape, data: s.v })),
    ];
  };
  const writeState = (arrays: CheckpointArray[]): void => {
    log!.sync();
    const meta: TrainerMeta = {
      kind: 'ttrnn-train-state',
      epoch,
      batch: batchIndex,
      step,
      metricsLines: log!.lines,
      rng: rng.getState(),
      adamStep: adam.step,
      best,
      acc,
      epochs,
      firstGradNorms,
      trainSeconds,
      evalSeconds,
      numBatches: source.numBatches,
      backend: tf.getBackend(),
      sourceState: source.getState?.() ?? null,
      weights: weights.map((w) => ({ name: w.name, shape: [...w.variable.shape] })),
    };
    writeCheckpoint(ckptPath, { meta, arrays });
    lastCheckpointStep = step;
  };
  const checkpoint = async (): Promise<void> => writeState(await stateArrays());

  // A fresh run begins with config.json and a step-0 checkpoint, so an interrupted run always has a
  // checkpoint and a directory without one is damaged, never silently restarted.
  // The directory's lock is held from here until training returns (see run_dir.ts).
  let unlock: (() => void) | null = null;
  try {
    if (opened.status === 'fresh') {
      const initial = await stateArrays();
      unlock = dir.begin(options.runConfig ?? config, () => {
        log = new MetricsLog(dir.file('metrics'), 0, notice);
        writeState(initial);
      });
    } else {
      unlock = dir.lock();
      dir.removeStaleTemporaries();
      log = new MetricsLog(dir.file('metrics'), keepLines, notice);
      lastCheckpointStep = step;
    }
  } catch (err) {
    (log as MetricsLog | null)?.discard();
    (unlock as (() => void) | null)?.();
    adam.dispose();
    throw err;
  }

  let stepsThisCall = 0;
  const interrupted = (): boolean =>
    options.signal?.aborted === true || (options.maxSteps !== undefined && stepsThisCall >= options.maxSteps);

  try {
    progress?.update(step);
    while (epoch < config.epochs) {
      const lr = stepDecayRate(config.learningRate, epoch, config.lrDecay);
      while (batchIndex < source.numBatches) {
        if (interrupted()) {
          await checkpoint();
          progress?.finish();
          return outcome('interrupted');
        }
        const t0 = now();
        const batch = source.batch(epoch, batchIndex, rng);
        const r = await trainStep(model, vars, scales, objective, batch, config.clipNorm, adam, lr);
        if (!r.ok) {
          progress?.finish();
          const what = Number.isFinite(r.loss) ? `gradient norm is ${r.norm}` : `loss is ${r.loss}`;
          throw new NonFiniteLossError(
            `training stopped: the ${what} at epoch ${epoch + 1}, batch ${batchIndex + 1} (step ${step + 1}); ` +
              `the last good checkpoint (${ckptPath}, step ${lastCheckpointStep}) is kept` +
              '; try a lower learning rate or gradient clipping',
          );
        }
        const seconds = (now() - t0) / 1000;
        trainSeconds += seconds;
        step++;
        stepsThisCall++;
        batchIndex++;
        const examples = batch.shape[0];
        acc.loss += r.loss * examples;
        acc.examples += examples;
        acc.batches++;
        for (const [k, v] of Object.entries(r.metrics)) acc.metrics[k] = (acc.metrics[k] ?? 0) + v * examples;
        if (firstGradNorms.length < config.gradNormHistory) firstGradNorms.push(r.norm);
        log!.append({
          type: 'step',
          step,
          epoch,
          batch: batchIndex - 1,
          loss: r.loss,
          ...r.metrics,
          lr,
          gradNorm: r.norm,
          seconds,
        });
        progress?.update(step, { loss: r.loss, epoch });
        options.afterStep?.(step);
        if (step % config.checkpointEvery === 0 && batchIndex < source.numBatches) await checkpoint();
      }
      // Epoch end: validation, selection, record, checkpoint.
      const record: EpochRecord = { type: 'epoch', epoch, step, lr, trainLoss: acc.loss / acc.examples };
      for (const [k, v] of Object.entries(acc.metrics))
        record[`train${k[0]?.toUpperCase() ?? ''}${k.slice(1)}`] = v / acc.examples;
      if (options.validate !== undefined) {
        const t0 = now();
        const metrics = await options.validate(model, epoch);
        const seconds = (now() - t0) / 1000;
        evalSeconds += seconds;
        Object.assign(record, metrics);
        record['evalSeconds'] = seconds;
      }
      if (options.selection !== undefined) {
        const value = record[options.selection.metric];
        if (typeof value !== 'number') {
          throw new Error(
            `'selection.metric' passed to 'train' names '${options.selection.metric}', which the epoch record lacks`,
          );
        }
        const better = isBetter(value, best, options.selection);
        record['best'] = better;
        if (better) {
          best = { value, epoch, step };
          // Written before the state checkpoint that refers to it.
          writeCheckpoint(bestPath, { meta: { kind: 'ttrnn-best', ...best }, arrays: await weightArrays('', weights) });
        }
      }
      log!.append(record);
      epochs = [...epochs, record];
      progress?.message(
        `${options.label ? options.label + ' ' : ''}epoch ${epoch + 1}/${config.epochs}: ` +
          Object.entries(record)
            .filter(([k]) => !['type', 'epoch', 'step', 'evalSeconds'].includes(k))
            .map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(5)) : String(v)}`)
            .join(', '),
      );
      epoch++;
      batchIndex = 0;
      acc = freshAcc();
      await checkpoint();
    }
    progress?.finish();
    // The selected model.
    if (options.selection !== undefined && best !== null) {
      const ckpt = readCheckpoint<BestRecord>(bestPath);
      if (ckpt.meta.step !== best.step) {
        throw new Error(`${bestPath}: holds the model of step ${ckpt.meta.step}, the run's best is step ${best.step}`);
      }
      restoreWeights(weights, ckpt.arrays, '', bestPath);
    }
    let test: EvalMetrics | null = null;
    if (options.test !== undefined) {
      const t0 = now();
      test = await options.test(model);
      evalSeconds += (now() - t0) / 1000;
    }
    return outcome('finished', test);
  } finally {
    try {
      log!.close();
    } finally {
      (unlock as (() => void) | null)?.();
      adam.dispose();
    }
  }

  function outcome(status: 'finished' | 'interrupted', test: EvalMetrics | null = null): TrainOutcome {
    return {
      status,
      steps: step,
      epochs,
      best,
      test,
      firstGradNorms,
      resumedAtStep,
      timing: { trainSeconds, evalSeconds, secondsPerStep: step > 0 ? trainSeconds / step : 0 },
    };
  }
}

interface StepResult {
  readonly ok: boolean;
  readonly loss: number;
  readonly norm: number;
  readonly metrics: Record<string, number>;
}

/** Forward, loss, backward, gradient scaling and clipping, and (if all finite) the Adam update. */
async function trainStep(
  model: TrainableModel,
  vars: tf.Variable[],
  scales: number[],
  objective: Objective,
  batch: Batch,
  clipNorm: number | null,
  adam: Adam,
  lr: number,
): Promise<StepResult> {
  let output: tf.Tensor2D | null = null;
  const x = tf.tensor3d(batch.x, [...batch.shape]);
  let grads: tf.Tensor[] = [];
  let clipped: tf.Tensor[] = [];
  try {
    const r = tf.variableGrads(() => {
      const out = model.apply(x);
      output = tf.keep(out);
      return objective.loss(out, batch);
    }, vars);
    let loss: number;
    try {
      loss = (await r.value.data())[0] as number;
    } finally {
      r.value.dispose();
    }
    grads = vars.map((v, i) => {
      const g = r.grads[v.name];
      const s = scales[i] as number;
      // tfjs leaves a variable the loss does not reach without a gradient (null).
      if (g === undefined || g === null) return tf.zerosLike(v);
      if (s === 1) return g;
      const scaled = tf.tidy(() => tf.mul(g, tf.scalar(s)));
      g.dispose();
      return scaled;
    });
    const c = await clipByGlobalNorm(grads, clipNorm);
    clipped = c.grads;
    if (!Number.isFinite(loss) || !Number.isFinite(c.norm)) return { ok: false, loss, norm: c.norm, metrics: {} };
    adam.apply(clipped, lr);
    const metrics = (await objective.metrics?.(output as unknown as tf.Tensor2D, batch)) ?? {};
    return { ok: true, loss, norm: c.norm, metrics };
  } finally {
    tf.dispose([x, ...grads, ...clipped]);
    if (output !== null) (output as tf.Tensor).dispose();
  }
}
