/**
 * The real dependencies of `pnpm run exp all`: the backend, the parameter counter of @ttrnn/cells, the
 * training entry points (mnist_run.ts, speaker_run.ts) and the data check. Kept apart from all.ts so that
 * tests of the orchestration never load a backend or a data set.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeBackend, initBackend } from '@ttrnn/backend';
import { countParams } from '@ttrnn/cells';
import type { ModelConfig } from '@ttrnn/cells';
import { findMnistFiles, mnistDataPackageDir } from '@ttrnn/datasets/node';
import { PAPER_CLASSIFIER, PAPER_PARAM_TABLE } from '../paper_results.js';
import type { CellKind } from '@ttrnn/cells';
import type { ExtraCore } from '@ttrnn/tt';
import type { Profile } from '../profiles.js';
import { curveFromMetrics } from '../report/curve.js';
import type { CurvePoint, ParamsRow, ParamsTables } from '../report/results.js';
import { mnistOptionsFromSweep, runMnist } from '../experiments/mnist_run.js';
import { prepareSpeakerFeatures, runSpeaker, speakerOptionsFromSweep } from '../experiments/speaker_run.js';
import { runStability } from '../experiments/stability.js';
import type { RunEnvironment } from '../experiments/mnist_run.js';
import { SweepDisplay } from '../sweep_display.js';
import { WorkerPool } from '../worker_pool.js';
import type { AllDependencies, TrainContext } from './all.js';
import { runTiming } from './timing.js';
import { configLabel, fromRecordConfig } from './timing_bench.js';

/** The classifier of the parameter tables (input 28, hidden 256, 10 classes) for one layout. */
export function tableModel(
  cell: CellKind,
  tt: { cores: number; rank: number; extraCore: ExtraCore; naive: boolean } | null,
): ModelConfig {
  return {
    task: 'classifier',
    cell,
    tt,
    inputSize: PAPER_CLASSIFIER.input,
    hiddenSize: PAPER_CLASSIFIER.hidden,
    layers: PAPER_CLASSIFIER.layers,
    outputSize: PAPER_CLASSIFIER.classes,
  };
}

/** Every layout of the paper's tables plus every (cell, cores) of the profile, at the profile's ranks. */
export function computeParamsTables(profile: Profile): ParamsTables {
  const layouts: { model: CellKind; cores: number; extraCore: ExtraCore; naive: boolean }[] = PAPER_PARAM_TABLE.map(
    (r) => ({ model: r.model, cores: r.cores, extraCore: r.extraCore, naive: r.naive }),
  );
  for (const model of ['lstm', 'gru'] as const) {
    for (const cores of profile.params.cores) {
      if (!layouts.some((l) => l.model === model && l.cores === cores && l.extraCore === 'none' && !l.naive))
        layouts.push({ model, cores, extraCore: 'none', naive: false });
    }
  }
  const rows: ParamsRow[] = layouts.map((l) => ({
    ...l,
    counts: profile.params.ranks.map((rank) => {
      const c = countParams(tableModel(l.model, { cores: l.cores, rank, extraCore: l.extraCore, naive: l.naive }));
      return { rank, params: c.params, paramsPaper: c.paramsPaper };
    }),
  }));
  return {
    hidden: PAPER_CLASSIFIER.hidden,
    input: PAPER_CLASSIFIER.input,
    classes: PAPER_CLASSIFIER.classes,
    dense: { lstm: countParams(tableModel('lstm', null)).params, gru: countParams(tableModel('gru', null)).params },
    rows,
  };
}

/** The learning curve from the trainer's metrics.jsonl (per-step training metrics), or `fallback`. */
async function stepCurve(runDir: string, fallback: readonly CurvePoint[]): Promise<readonly CurvePoint[]> {
  let text: string;
  try {
    text = await readFile(join(runDir, 'metrics.jsonl'), 'utf8');
  } catch {
    return fallback;
  }
  const curve = curveFromMetrics(text);
  return curve.length > 0 ? curve : fallback;
}

/** How a configuration's run is driven: the clock, its progress output and the hooks of its context. */
function runEnvironment(ctx: TrainContext): RunEnvironment {
  return {
    now: () => performance.now(),
    progress: ctx.progress ?? process.stderr,
    ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
    ...(ctx.afterStep !== undefined ? { afterStep: ctx.afterStep } : {}),
  };
}

export function realDependencies(): AllDependencies {
  return {
    async runMnist(config, ctx) {
      // Permuted-pixel runs take the view's default gradient checkpointing (28 chunks of 28 steps).
      const view = config.experiment === 'pmnist' ? ('permuted' as const) : ('row' as const);
      const r = await runMnist(
        { ...mnistOptionsFromSweep({ ...config, experiment: 'mnist' }, ctx), view },
        runEnvironment(ctx),
      );
      if (r.status !== 'finished')
        throw new Error(`${ctx.id}: training stopped before the end (status ${r.status}); run again to resume`);
      // maxRSS is in KiB on Linux and macOS.
      return { ...r, curve: await stepCurve(ctx.runDir, r.curve), maxRssMiB: process.resourceUsage().maxRSS / 1024 };
    },
    async runSpeaker(config, ctx) {
      const r = await runSpeaker(speakerOptionsFromSweep(config, ctx), runEnvironment(ctx));
      if (r.status !== 'finished')
        throw new Error(`${ctx.id}: training stopped before the end (status ${r.status}); run again to resume`);
      return { ...r, curve: await stepCurve(ctx.runDir, r.curve) };
    },
    runStability: (config, ctx) => runStability(config, ctx, runEnvironment(ctx)),
    pool: (lanes) => new WorkerPool(lanes),
    queue: async (o) => (await import('../queue_coordinator.js')).startQueueCoordinator(o),
    display: (lanes) => new SweepDisplay({ stream: process.stderr, lanes, now: () => performance.now() / 1000 }),
    async paramsTables(profile) {
      return { tables: computeParamsTables(profile) };
    },
    async timing({ quick }) {
      // The backend is initialised already (null: keep it).
      const t = await runTiming({ quick, backend: null, log: (line) => console.error(line) });
      return {
        rows: t.records.map((r) => ({
          model: configLabel(fromRecordConfig(r)),
          params: r.params,
          inferenceMs: r.inferMs,
          trainStepMs: r.trainMs,
        })),
        note:
          `Medians of ${t.iterations} rounds after ${t.warmup} warm-up, measured round-robin by \`runTiming\` (the \`timing\` command${quick ? ' with --quick' : ''})` +
          `${t.fastKernels ? ', with the fast wasm Slice/SplitV/Unpack/Tanh kernels' : ''}; \`pnpm run exp timing\` and \`pnpm run bench\` measure more.`,
      };
    },
    async initBackend(name) {
      await initBackend(name);
      return describeBackend();
    },
    async checkMnistData(dataDir) {
      await findMnistFiles(dataDir ?? mnistDataPackageDir());
    },
    async prepareSpeakerData(configs, dataDir) {
      const runs = configs.map((c) =>
        speakerOptionsFromSweep(c, { runDir: '', ...(dataDir !== undefined ? { dataDir } : {}) }),
      );
      await prepareSpeakerFeatures(runs, () => performance.now(), process.stderr);
    },
    now: () => performance.now() / 1000,
    date: () => new Date().toISOString(),
    log: (m) => console.error(m),
  };
}
