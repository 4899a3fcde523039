/**
 * The options of a training run, validated in one place: an unknown key or an impossible value is an
 * error naming it, never silently ignored.
 */
import type { AdamOptions } from './adam.js';
import type { StepDecay } from './schedule.js';

export interface TrainingConfig {
  /** Passes over the batch source. */
  readonly epochs: number;
  /** Adam's base learning rate. */
  readonly learningRate: number;
  /** Step decay per epoch, or null for a constant rate. */
  readonly lrDecay: StepDecay | null;
  /** Maximum global gradient norm, or null for no clipping (the norm is logged either way). */
  readonly clipNorm: number | null;
  /** Seeds the trainer's generator (handed to the batch source); checkpointed with the run. */
  readonly seed: number;
  /** Steps between checkpoints (a checkpoint is also written at every epoch end). */
  readonly checkpointEvery: number;
  /** How many of the first steps' gradient norms the outcome lists. */
  readonly gradNormHistory: number;
  readonly adam: AdamOptions;
}

export const DEFAULT_TRAINING_CONFIG: TrainingConfig = {
  epochs: 1,
  learningRate: 1e-2,
  lrDecay: null,
  clipNorm: null,
  seed: 0,
  checkpointEvery: 100,
  gradNormHistory: 100,
  adam: {},
};

const KEYS = Object.keys(DEFAULT_TRAINING_CONFIG);

/** Fills defaults and validates; `fn` names the caller in errors. */
export function resolveTrainingConfig(config: Partial<TrainingConfig>, fn = 'train'): TrainingConfig {
  for (const key of Object.keys(config)) {
    if (!KEYS.includes(key))
      throw new Error(`unknown option '${key}' in the config passed to '${fn}' (known: ${KEYS.join(', ')})`);
  }
  const c: TrainingConfig = { ...DEFAULT_TRAINING_CONFIG, ...config };
  const bad = (key: string, want: string, got: unknown): Error =>
    new Error(`'${key}' passed to '${fn}' must be ${want}, got ${JSON.stringify(got)}`);
  const posInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
  if (!posInt(c.epochs)) throw bad('epochs', 'a positive integer', c.epochs);
  if (!(typeof c.learningRate === 'number' && Number.isFinite(c.learningRate) && c.learningRate > 0)) {
    throw bad('learningRate', 'a positive number', c.learningRate);
  }
  if (c.lrDecay !== null) {
    if (typeof c.lrDecay !== 'object') throw bad('lrDecay', '{stepSize, gamma} or null', c.lrDecay);
    for (const k of Object.keys(c.lrDecay))
      if (k !== 'stepSize' && k !== 'gamma')
        throw new Error(`unknown option 'lrDecay.${k}' in the config passed to '${fn}'`);
    if (!posInt(c.lrDecay.stepSize)) throw bad('lrDecay.stepSize', 'a positive integer', c.lrDecay.stepSize);
    if (!(Number.isFinite(c.lrDecay.gamma) && c.lrDecay.gamma > 0))
      throw bad('lrDecay.gamma', 'a positive number', c.lrDecay.gamma);
  }
  if (c.clipNorm !== null && !(typeof c.clipNorm === 'number' && Number.isFinite(c.clipNorm) && c.clipNorm > 0)) {
    throw bad('clipNorm', 'a positive number or null', c.clipNorm);
  }
  if (!(typeof c.seed === 'number' && Number.isFinite(c.seed))) throw bad('seed', 'a finite number', c.seed);
  if (!posInt(c.checkpointEvery)) throw bad('checkpointEvery', 'a positive integer', c.checkpointEvery);
  if (!(Number.isInteger(c.gradNormHistory) && c.gradNormHistory >= 0))
    throw bad('gradNormHistory', 'a non-negative integer', c.gradNormHistory);
  if (typeof c.adam !== 'object' || c.adam === null) throw bad('adam', 'an object', c.adam);
  for (const k of Object.keys(c.adam)) {
    if (!['beta1', 'beta2', 'epsilon'].includes(k))
      throw new Error(`unknown option 'adam.${k}' in the config passed to '${fn}'`);
  }
  return c;
}
