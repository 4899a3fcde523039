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
import type { CellKind, ModelConfig } from '@ttrnn/cells';
import { findMnistFiles, mnistDataPackageDir } from '@ttrnn/datasets/node';
import { RUN_FILES } from '@ttrnn/training/node';
import { mnistOptionsFromSweep, runMnist } from '../experiments/mnist_run.js';
import { prepareSpeakerFeatures, runSpeaker, speakerOptionsFromSweep } from '../experiments/speaker_run.js';
import { runStability } from '../experiments/stability.js';
import type { RunEnvironment, TrainingResult } from '../experiments/training_run.js';
import { PAPER_CLASSIFIER, PAPER_PARAM_TABLE } from '../paper_results.js';
import { startQueueCoordinator } from '../queue.js';
import type { Profile } from '../profiles.js';
import { curveFromMetrics } from '../report/curve.js';
import type { CurvePoint, ParamsTables } from '../report/results.js';
import { SweepDisplay } from '../sweep_display.js';
import { WorkerPool } from '../worker_pool.js';
import type { AllDependencies, TrainContext } from './all.js';
import { runTiming } from './timing.js';
import { configLabel } from './timing_bench.js';

/** The classifier of the parameter tables (input 28, hidden 256, 10 classes) for one layout. */
const tableModel = (cell: CellKind, tt: ModelConfig['tt']): ModelConfig => ({
  task: 'classifier',
  cell,
  tt,
  inputSize: PAPER_CLASSIFIER.input,
  hiddenSize: PAPER_CLASSIFIER.hidden,
  layers: PAPER_CLASSIFIER.layers,
  outputSize: PAPER_CLASSIFIER.classes,
});

/** Every layout of the paper's tables plus every (cell, cores) of the profile, at the profile's ranks. */
export function computeParamsTables(profile: Profile): ParamsTables {
  const layouts = PAPER_PARAM_TABLE.map(({ model, cores, extraCore, naive }) => ({ model, cores, extraCore, naive }));
  for (const model of ['lstm', 'gru'] as const) {
    for (const cores of profile.params.cores) {
      if (!layouts.some((l) => l.model === model && l.cores === cores && l.extraCore === 'none' && !l.naive))
        layouts.push({ model, cores, extraCore: 'none', naive: false });
    }
  }
  return {
    hidden: PAPER_CLASSIFIER.hidden,
    input: PAPER_CLASSIFIER.input,
    classes: PAPER_CLASSIFIER.classes,
    dense: { lstm: countParams(tableModel('lstm', null)).params, gru: countParams(tableModel('gru', null)).params },
    rows: layouts.map((l) => ({
      ...l,
      counts: profile.params.ranks.map((rank) => {
        const c = countParams(tableModel(l.model, { cores: l.cores, rank, extraCore: l.extraCore, naive: l.naive }));
        return { rank, params: c.params, paramsPaper: c.paramsPaper };
      }),
    })),
  };
}

/** A finished run's result with the learning curve from the trainer's per-step metrics.jsonl (when there is one). */
async function finished<R extends TrainingResult & { curve: readonly CurvePoint[] }>(ctx: TrainContext, r: R) {
  if (r.status !== 'finished')
    throw new Error(`${ctx.id}: training stopped before the end (status ${r.status}); run again to resume`);
  const text = await readFile(join(ctx.runDir, RUN_FILES.metrics), 'utf8').catch(() => '');
  const curve = curveFromMetrics(text);
  return { ...r, curve: curve.length > 0 ? curve : r.curve };
}

export function realDependencies(): AllDependencies {
  return {
    async train(ctx) {
      const { config, progress, signal, afterStep } = ctx;
      // How the run is driven: the clock, its progress output and the hooks of its context.
      const env: RunEnvironment = {
        now: () => performance.now(),
        progress: progress ?? process.stderr,
        ...(signal !== undefined ? { signal } : {}),
        ...(afterStep !== undefined ? { afterStep } : {}),
      };
      if (config.experiment === 'stability') return runStability(config, ctx, env);
      if (config.experiment === 'speaker')
        return finished(ctx, await runSpeaker(speakerOptionsFromSweep(config, ctx), env));
      // Permuted-pixel runs take the view's default gradient checkpointing (28 chunks of 28 steps).
      const view = config.experiment === 'pmnist' ? ('permuted' as const) : ('row' as const);
      const options = { ...mnistOptionsFromSweep({ ...config, experiment: 'mnist' }, ctx), view };
      const r = await finished(ctx, await runMnist(options, env));
      // maxRSS is in KiB on Linux and macOS.
      return { ...r, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
    },
    pool: (lanes) => new WorkerPool(lanes),
    queue: startQueueCoordinator,
    display: (lanes) => new SweepDisplay(process.stderr, lanes),
    paramsTables: async (profile) => ({ params: computeParamsTables(profile) }),
    async timing(quick) {
      const t = await runTiming({ quick, log: (line) => console.error(line) });
      return {
        rows: t.records.map((r) => ({
          model: configLabel(r),
          params: r.params,
          inferenceMs: r.inferMs,
          trainStepMs: r.trainMs,
        })),
        note:
          `Medians of ${t.iterations} rounds after ${t.warmup} warm-up, measured round-robin by \`runTiming\` (the \`timing\` command${quick ? ' with --quick' : ''})` +
          `${t.fastKernels ? ', with the fast wasm Slice/SplitV/Unpack/Tanh kernels' : ''}; \`pnpm run exp timing\` and \`pnpm run bench\` measure more.`,
      };
    },
    initBackend: (name) => initBackend(name).then(() => describeBackend()),
    checkMnistData: (dataDir) => findMnistFiles(dataDir ?? mnistDataPackageDir()),
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
