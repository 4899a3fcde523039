/**
 * The stability experiment: one row-MNIST run at one learning rate and seed, summarised as final and best
 * validation accuracy and whether it diverged. The paper claims TT cells train more stably and make the
 * learning rate easier to choose; a sweep over learning rates × seeds shows it or not.
 *
 * Diverged means one of two things, both counted per learning rate in the report:
 * - `nan`: the loss or the gradient norm became non-finite and the trainer stopped (no clipping here). Its
 *   final accuracy counts as chance: a model with NaN weights classifies nothing.
 * - `chance`: the run finished at chance (last validation accuracy within `STUCK_MARGIN` of it) after its
 *   training loss rose above a uniform guess by `BLOWUP` (ln 10 + 0.5) at some step: it blew up and settled
 *   on a constant output. A run that merely learns slowly (a small learning rate) never rises above its
 *   starting loss and is not counted, however low its accuracy.
 */
import { join } from 'node:path';
import { countParams } from '@ttrnn/cells';
import { MNIST_NUM_CLASSES } from '@ttrnn/datasets';
import { NonFiniteLossError, RUN_FILES, readMetrics } from '@ttrnn/training/node';
import type { StabilityConfig } from '../profiles.js';
import type { StabilityOutcome } from '../report/results.js';
import type { RunEnvironment } from './mnist_run.js';
import { mnistOptionsFromSweep, resolveMnistOptions, runMnist } from './mnist_run.js';
import { modelConfigOf } from './training_run.js';

export const CHANCE = 1 / MNIST_NUM_CLASSES;
const STUCK_MARGIN = 0.05;
/** A training loss this far above a uniform guess (ln 10) means the run blew up. */
const BLOWUP = 0.5;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The outcome of a run from its epoch records; `stoppedByNaN` when the trainer stopped on a non-finite value. */
export function stabilityOutcome(
  epochs: readonly { readonly valAccuracy?: unknown; readonly trainLoss?: unknown }[],
  /** `maxTrainLoss`: the largest finite training loss of any step. */
  run: Pick<StabilityOutcome, 'params' | 'paramsPaper' | 'steps' | 'trainSeconds' | 'maxTrainLoss'> & {
    readonly stoppedByNaN: boolean;
  },
): StabilityOutcome {
  const accs = epochs.map((e) => (finite(e.valAccuracy) ? e.valAccuracy : NaN));
  const last = epochs.at(-1);
  const finalTrainLoss = last !== undefined && finite(last.trainLoss) ? last.trainLoss : null;
  const finalAccuracy = run.stoppedByNaN || accs.length === 0 ? CHANCE : accs.at(-1)!;
  const seen = accs.filter(Number.isFinite);
  const bestAccuracy = seen.length > 0 ? Math.max(...seen) : CHANCE;
  const blewUp = run.maxTrainLoss >= Math.log(MNIST_NUM_CLASSES) + BLOWUP;
  const stuck = !run.stoppedByNaN && finalAccuracy <= CHANCE + STUCK_MARGIN && blewUp;
  return {
    params: run.params,
    paramsPaper: run.paramsPaper,
    epochAccuracies: accs,
    finalAccuracy,
    bestAccuracy,
    finalTrainLoss,
    maxTrainLoss: run.maxTrainLoss,
    diverged: run.stoppedByNaN ? 'nan' : stuck ? 'chance' : null,
    steps: run.steps,
    trainSeconds: run.trainSeconds,
  };
}

/** Trains one stability configuration in `ctx.runDir`; a non-finite loss is a result, not a failure. */
export async function runStability(
  config: StabilityConfig,
  ctx: { readonly id: string; readonly runDir: string; readonly dataDir?: string },
  env: RunEnvironment,
): Promise<StabilityOutcome> {
  const options = { ...mnistOptionsFromSweep({ ...config, experiment: 'mnist' }, ctx), view: 'row' as const };
  const counts = countParams(modelConfigOf(resolveMnistOptions(options), 'classifier', 28, MNIST_NUM_CLASSES));
  let finished: { steps: number; trainSeconds: number } | null = null;
  try {
    const r = await runMnist(options, env);
    if (r.status !== 'finished')
      throw new Error(`${ctx.id}: training stopped before the end (status ${r.status}); run again to resume`);
    finished = { steps: r.steps, trainSeconds: r.trainSeconds };
  } catch (err) {
    if (!(err instanceof NonFiniteLossError)) throw err;
  }
  // The trainer logs every finite step and every epoch; a non-finite step stops it before it is logged.
  const lines = readMetrics(join(ctx.runDir, RUN_FILES.metrics));
  const steps = lines.filter((l) => l['type'] === 'step');
  const losses = steps.map((l) => l['loss']).filter(finite);
  return stabilityOutcome(
    lines.filter((l) => l['type'] === 'epoch'),
    {
      ...counts,
      stoppedByNaN: finished === null,
      steps: finished?.steps ?? steps.length,
      trainSeconds: finished?.trainSeconds ?? steps.reduce((s, l) => s + (finite(l['seconds']) ? l['seconds'] : 0), 0),
      maxTrainLoss: losses.length > 0 ? Math.max(...losses) : NaN,
    },
  );
}
