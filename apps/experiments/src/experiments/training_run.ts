/**
 * The skeleton of every training run (MNIST and speaker): the run directory's state (a finished run returns
 * its stored result, an interrupted one needs `resume`), the model, training with checkpoints and
 * validation, the selected model's test, and result.json. The task passes in what differs: its data,
 * objective, evaluation and result fields. Also what the runs share besides: option checks, run names and
 * directories, and the model fields of config.json.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { EXTRA_CORES, countParams, createModel, validateModelConfig } from '@ttrnn/cells';
import type { CellKind, ModelConfig, TaskKind } from '@ttrnn/cells';
import type { ExtraCore } from '@ttrnn/tt';
import { deriveSeed } from '@ttrnn/random';
import { openRun, train } from '@ttrnn/training/node';
import type {
  EpochRecord,
  Objective,
  ResumeIntent,
  TrainOptions,
  TrainOutcome,
  TrainableModel,
} from '@ttrnn/training/node';
import { PAPER_GRAD_NORMS } from '../paper_results.js';
import type { CurvePoint } from '../report/results.js';
import type { ModelSpec } from '../profiles.js';
import { repoRoot } from '../sweep.js';
import { BACKEND_NAMES } from '@ttrnn/backend';
import { SEED_MAX, SIZE_BOUNDS, checkOptions, optionKey, pick } from '../args.js';
import type { OptionSpec, OptionSpecs } from '../args.js';

/**
 * Not configuration: how this process runs (never part of config.json): the clock, progress output, Ctrl-C,
 * a stop after `maxSteps` (tests interrupt runs so) and a hook after every step (the queue worker's).
 */
export type RunEnvironment = Pick<TrainOptions, 'now' | 'progress' | 'signal' | 'maxSteps' | 'afterStep'>;

/** The options every training run has beyond its task's. */
export interface RunOptions extends ModelOptions {
  readonly lr: number;
  /** Maximum global gradient norm, or null. */
  readonly clip: number | null;
  readonly seed: number;
  /** Training examples used (MNIST images, speakers); 0 = all. */
  readonly trainLimit: number;
  /** Validation and test examples evaluated; 0 = all. */
  readonly testLimit: number;
  /** The data: MNIST's directory of the four IDX files (default: the installed data set), a speaker corpus's root. */
  readonly dataDir?: string;
  readonly runDir?: string;
  /** `true`: continue the interrupted run in the run directory (refused if there is none); `false`: start one (refused if one is there); `'auto'`: either (sweeps). */
  readonly resume: ResumeIntent;
  readonly checkpointEvery: number;
  readonly checkpoint: number | null;
}

/** What every run's result holds besides its task's outcome (result.json). */
export interface TrainingResult {
  readonly status: 'finished' | 'interrupted';
  /** True when the run directory already held the finished result (nothing was trained). */
  readonly reused: boolean;
  readonly name: string;
  readonly runDir: string;
  readonly config: Record<string, unknown>;
  readonly modelConfig: ModelConfig;
  readonly steps: number;
  readonly trainSeconds: number;
  readonly evalSeconds: number;
  readonly stepMs?: number;
  readonly epochs: readonly EpochRecord[];
}

/** The task-specific part of a run, built once its run directory is known to need training. */
export type TrainingTask = Required<Pick<TrainOptions, 'source' | 'validate' | 'selection' | 'test'>> & {
  readonly task: TaskKind;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly objective: (model: TrainableModel) => Objective;
  /** Passes over `source` (a speaker "epoch" is the steps between validations). */
  readonly epochs: number;
  /** ×0.1 every this many epochs; 0 = constant rate. */
  readonly lrDecayEvery: number;
  /** The task's own fields of the result. */
  readonly fields: (outcome: TrainOutcome) => Record<string, unknown>;
  /** The learning-curve fields: curve point key ← epoch record key. */
  readonly curve: Readonly<Partial<Record<keyof CurvePoint, string>>>;
  /** Batches per epoch when the curve should carry an `epoch` field. */
  readonly stepsPerEpoch?: number;
};

export interface RunSpec {
  readonly experiment: 'mnist' | 'speaker';
  readonly options: RunOptions;
  /** config.json: what determines the run's numbers. */
  readonly config: Record<string, unknown>;
  readonly name: string;
  /** The validation and test metric of the result (a stored result must hold them). */
  readonly metrics: readonly [string, string];
  readonly prepare: () => Promise<TrainingTask>;
}

/** The learning curve of a run from its epoch records. */
function curveOf(epochs: readonly EpochRecord[], task: TrainingTask): CurvePoint[] {
  const num = (e: EpochRecord, key: string): number | undefined => (typeof e[key] === 'number' ? e[key] : undefined);
  return epochs.map((e) => {
    const step = num(e, 'step') ?? 0;
    const fields = Object.entries(task.curve).map(([k, from]) => [k, num(e, from as string)]);
    const epoch = task.stepsPerEpoch !== undefined ? { epoch: step / task.stepsPerEpoch } : {};
    return defined({ step, ...epoch, ...Object.fromEntries(fields) }) as CurvePoint;
  });
}

/** Trains and evaluates one configuration (see the module comment); resolves to its result. */
export async function trainingRun<R extends TrainingResult>(spec: RunSpec, env: RunEnvironment): Promise<R> {
  const { options: o, config, name } = spec;
  const runDir = o.runDir ?? join(repoRoot(), 'results', 'runs', name);
  const [val, test] = spec.metrics;
  // A stored result.json must hold what the summary and the report read: a damaged one is an error naming it.
  const numbers = ['params', 'paramsPaper', ...spec.metrics, 'steps', 'trainSeconds', 'evalSeconds'];
  const opened = openRun<R>(runDir, config, {
    resume: o.resume,
    checkResult: (result) => {
      const r = result as Record<string, unknown>;
      if (r['experiment'] !== spec.experiment)
        return `expected "experiment": "${spec.experiment}", got ${JSON.stringify(r['experiment'])}`;
      if (r['status'] !== 'finished') return `expected "status": "finished", got ${JSON.stringify(r['status'])}`;
      if (typeof r['name'] !== 'string') return `expected a string "name", got ${JSON.stringify(r['name'])}`;
      // NaN is stored as null (JSON), e.g. a test metric of a run without one.
      const bad = numbers.filter((k) => !(typeof r[k] === 'number' || r[k] === null));
      return bad.length > 0 ? `missing or non-numeric ${bad.map((k) => `"${k}"`).join(', ')}` : null;
    },
  });
  // The directory it was found in, not the one it was written from (it may have been moved).
  if (opened.status === 'finished') return { ...opened.result, reused: true, runDir };

  const task = await spec.prepare();
  const checkpoint = o.checkpoint ?? 0;
  const modelConfig: ModelConfig = {
    ...modelConfigOf(o, task.task, task.inputSize, task.outputSize),
    ...(checkpoint > 0 ? { checkpoint } : {}),
  };
  const counts = countParams(modelConfig);
  const model = createModel(modelConfig, deriveSeed(o.seed, 2));
  try {
    const outcome = await train({
      model,
      ...pick(task, ['source', 'validate', 'selection', 'test']),
      objective: task.objective(model),
      config: {
        epochs: task.epochs,
        learningRate: o.lr,
        lrDecay: task.lrDecayEvery > 0 ? { stepSize: task.lrDecayEvery, gamma: 0.1 } : null,
        clipNorm: o.clip,
        seed: deriveSeed(o.seed, 4),
        checkpointEvery: o.checkpointEvery,
        gradNormHistory: PAPER_GRAD_NORMS.steps,
      },
      runDir,
      runConfig: config,
      resume: opened.status === 'resume',
      label: name,
      ...env,
    });
    const result = {
      experiment: spec.experiment,
      status: outcome.status,
      reused: false,
      name,
      runDir,
      config,
      modelConfig,
      ...task.fields(outcome),
      params: counts.params,
      paramsPaper: counts.paramsPaper,
      [val]: outcome.best?.value ?? NaN,
      [test]: outcome.test?.[test] ?? NaN,
      curve: curveOf(outcome.epochs, task),
      gradNorms: outcome.firstGradNorms,
      trainSeconds: outcome.timing.trainSeconds,
      evalSeconds: outcome.timing.evalSeconds,
      stepMs: outcome.timing.secondsPerStep * 1000,
      steps: outcome.steps,
      epochs: outcome.epochs,
    } as unknown as R;
    if (outcome.status === 'finished') opened.dir.writeResult(result);
    return result;
  } finally {
    model.dispose();
  }
}

/** The command line's model names (`--model`): a cell, or `tt-` and a cell. */
export const MODEL_NAMES = ['lstm', 'gru', 'tt-lstm', 'tt-gru'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** The command-line name of a model: `lstm`, `tt-gru`. */
export function modelName(m: ModelSpec): ModelName {
  return m.tt ? `tt-${m.cell}` : m.cell;
}

/** The TT flags' defaults on the command line (`--cores 2 --rank 2 --extra-core none`). */
export const DEFAULT_TT_FLAGS = { cores: 2, rank: 2, extraCore: 'none', naive: false } as const;

/** The model of the parsed flags `--model tt-lstm --cores 2 --rank 4 [--extra-core first] [--naive]`; a dense model ignores the TT flags. */
export function modelFromFlags(f: Readonly<Record<string, unknown>>): ModelSpec {
  const model = f['model'] as ModelName;
  const tt = {
    cores: (f['cores'] as number | undefined) ?? DEFAULT_TT_FLAGS.cores,
    rank: (f['rank'] as number | undefined) ?? DEFAULT_TT_FLAGS.rank,
    extraCore: (f['extra-core'] as ExtraCore | undefined) ?? DEFAULT_TT_FLAGS.extraCore,
    naive: f['naive'] === true,
  };
  return { cell: model.replace(/^tt-/, '') as CellKind, tt: model.startsWith('tt-') ? tt : null };
}

/**
 * Rejects an impossible model with the cells package's own checks (the error names `where` and the field,
 * e.g. `'config.tt.rank' passed to 'profile quick mnist.extra' must be a positive integer, got 0`).
 */
export function validateModel(m: ModelSpec, where: string): void {
  validateModelConfig(
    { task: 'classifier', cell: m.cell, tt: m.tt, inputSize: 1, hiddenSize: 1, layers: 1, outputSize: 1 },
    where,
  );
}

/** The model part of a run's options: the sweep's model description plus its sizes. */
export type ModelOptions = ModelSpec & { readonly hidden: number; readonly layers: number };

export function modelConfigOf(o: ModelOptions, task: TaskKind, inputSize: number, outputSize: number): ModelConfig {
  return { task, cell: o.cell, tt: o.tt, inputSize, hiddenSize: o.hidden, layers: o.layers, outputSize };
}

/**
 * `options` over `defaults` (undefined fields left out), checked against the command's option table `specs` as
 * the command line is, and the model with the cells package's checks first. A key that is neither a default's
 * nor a path option's (`runDir`) is an error too; errors name `fn` and the option.
 */
export function resolveRunOptions<O extends RunOptions>(
  options: Partial<O>,
  defaults: O,
  specs: OptionSpecs,
  fn: string,
): O {
  const paths = Object.keys(specs).filter((f) => specs[f]!.kind === 'path');
  const known = [...Object.keys(defaults), ...paths.map(optionKey)];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`unknown option '${key}' passed to '${fn}' (known: ${known.join(', ')})`);
  }
  const o = { ...defaults, ...defined(options as Record<string, unknown>) } as O;
  validateModel(o, fn);
  checkOptions(o, specs, fn);
  if (o.tt !== null) checkOptions(o.tt, specs, fn);
  return o;
}

/** The TT options apply only to the TT models: given with a dense one they are an error, never ignored. */
export const TT_ONLY = { option: 'model', values: MODEL_NAMES.filter((m) => m.startsWith('tt-')) } as const;

/** A TT size option (cores, rank): an int from 1 to `max`, given only with a TT model. */
function ttSize(description: string, value: number, max: number): OptionSpec {
  return { kind: 'int', description, default: value, min: 1, max, when: TT_ONLY };
}

/**
 * The option table of a training command: the model flags, the task's `own` options, then the options every
 * training command ends with. `--checkpoint N`: gradient checkpointing of the recurrent layers, N time steps
 * per recomputed chunk (0 = off); not to be confused with `--checkpoint-every` (saving the training state).
 */
export function trainingOptions(defaults: ModelOptions, own: OptionSpecs, checkpointDefault: string): OptionSpecs {
  const tt = DEFAULT_TT_FLAGS;
  return {
    model: { kind: 'string', description: 'recurrent cell', choices: [...MODEL_NAMES], default: modelName(defaults) },
    cores: ttSize('TT cores (tt-* models)', tt.cores, SIZE_BOUNDS.cores),
    rank: ttSize('TT rank (tt-* models)', tt.rank, SIZE_BOUNDS.rank),
    'extra-core': {
      kind: 'string',
      description: 'gate core placement (tt-* models)',
      choices: [...EXTRA_CORES],
      default: tt.extraCore,
      when: TT_ONLY,
    },
    naive: { kind: 'flag', description: 'one TT matrix per gate (tt-* models)', when: TT_ONLY },
    hidden: { kind: 'int', description: 'hidden units', default: defaults.hidden, min: 1, max: SIZE_BOUNDS.hidden },
    layers: { kind: 'int', description: 'recurrent layers', default: defaults.layers, min: 1, max: SIZE_BOUNDS.layers },
    ...own,
    checkpoint: {
      kind: 'int',
      description: `gradient checkpointing: time steps per recomputed chunk, 0 = off (default: ${checkpointDefault}); saves memory on long sequences, same numbers`,
    },
    seed: { kind: 'int', description: 'seed of every random source (split, init, shuffling)', max: SEED_MAX },
    'run-dir': {
      kind: 'path',
      description: 'run directory (default results/runs/<name>); a fresh start never overwrites a run there',
    },
    resume: {
      kind: 'flag',
      description: 'continue the interrupted run in the run directory (an error if there is none)',
    },
    'checkpoint-every': { kind: 'int', description: 'steps between checkpoints (also at every evaluation)', min: 1 },
    backend: { kind: 'string', description: 'TensorFlow.js backend', choices: BACKEND_NAMES, default: 'wasm' },
    threads: {
      kind: 'int',
      description: 'threads of the recurrent kernels on wasm (default: TTRNN_THREADS, else every core)',
      min: 1,
      max: 256,
    },
    json: { kind: 'flag', description: 'print one JSON object with the result on stdout (progress stays on stderr)' },
  };
}

/** A readable, collision-free run name: experiment, model, and a hash of the whole configuration. */
export function runName(experiment: string, o: ModelOptions, config: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 10);
  const tt = o.tt
    ? `-c${o.tt.cores}-r${o.tt.rank}${o.tt.extraCore !== 'none' ? `-x${o.tt.extraCore}` : ''}${o.tt.naive ? '-naive' : ''}`
    : '';
  return `${experiment}-${modelName(o)}${tt}-h${o.hidden}-${hash}`;
}

/**
 * The model fields of config.json in the flat form of the command line (`model: 'tt-lstm', cores, rank, …`),
 * without TT fields for dense models: the form run directories and run names were first written in.
 */
export function modelFields(o: ModelOptions): Record<string, unknown> {
  const tt = o.tt ? pick(o.tt, ['cores', 'rank', 'extraCore', 'naive']) : {};
  return { model: modelName(o), ...tt, hidden: o.hidden, layers: o.layers };
}

/** Drops undefined fields (JSON-able and exactOptionalPropertyTypes-friendly). */
export function defined<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
