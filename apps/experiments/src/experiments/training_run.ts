/**
 * The skeleton of every training run (MNIST and speaker): the run directory's state (a finished run returns
 * its stored result, an interrupted one needs `resume`), the model, training with checkpoints and
 * validation, the selected model's test, and result.json. The task passes in what differs: its data,
 * objective, evaluation and result fields.
 */
import { countParams, createModel } from '@ttrnn/cells';
import type { ModelConfig, TaskKind } from '@ttrnn/cells';
import { deriveSeed } from '@ttrnn/random';
import { openRun, train } from '@ttrnn/training/node';
import type {
  BatchSource,
  EpochRecord,
  EvalMetrics,
  Objective,
  ProgressStream,
  ResumeIntent,
  Selection,
  TrainOptions,
  TrainOutcome,
  TrainableModel,
} from '@ttrnn/training/node';
import { PAPER_GRAD_NORMS } from '../paper_results.js';
import type { CurvePoint } from '../report/results.js';
import type { ModelOptions } from './run_common.js';
import { defaultRunDir, defined, modelConfigOf, storedResultProblem } from './run_common.js';

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
  /** Run directory; default results/runs/<name>. */
  readonly runDir?: string;
  /** `true`: continue the interrupted run in the run directory (refused if there is none); `false`: start one (refused if one is there); `'auto'`: either (sweeps). */
  readonly resume: ResumeIntent;
  /** Steps between checkpoints (also at every evaluation). */
  readonly checkpointEvery: number;
  /** Gradient checkpointing of the recurrent layers: time steps per recomputed chunk, 0 (or null) = off. */
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
  readonly evalSeconds: number;
  readonly epochs: readonly EpochRecord[];
}

/** The task-specific part of a run, built once its run directory is known to need training. */
export interface TrainingTask {
  readonly task: TaskKind;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly source: BatchSource;
  readonly objective: (model: TrainableModel) => Objective;
  /** Passes over `source` (a speaker "epoch" is the steps between validations). */
  readonly epochs: number;
  /** ×0.1 every this many epochs; 0 = constant rate. */
  readonly lrDecayEvery: number;
  readonly validate: (model: TrainableModel) => EvalMetrics | Promise<EvalMetrics>;
  readonly selection: Selection;
  readonly test: (model: TrainableModel) => EvalMetrics | Promise<EvalMetrics>;
  /** The task's own fields of the result. */
  readonly fields: (outcome: TrainOutcome) => Record<string, unknown>;
  /** The learning-curve fields: curve point key ← epoch record key. */
  readonly curve: Readonly<Partial<Record<keyof CurvePoint, string>>>;
  /** Batches per epoch when the curve should carry an `epoch` field. */
  readonly stepsPerEpoch?: number;
}

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

/** A number from an epoch record, or undefined. */
function num(record: EpochRecord, key: string): number | undefined {
  const v = record[key];
  return typeof v === 'number' ? v : undefined;
}

/** The learning curve of a run from its epoch records. */
function curveOf(epochs: readonly EpochRecord[], task: TrainingTask): CurvePoint[] {
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
  const runDir = o.runDir ?? defaultRunDir(name);
  const [val, test] = spec.metrics;
  const opened = openRun<R>(runDir, config, {
    resume: o.resume,
    checkResult: (r) =>
      storedResultProblem(r, spec.experiment, [
        'params',
        'paramsPaper',
        val,
        test,
        'steps',
        'trainSeconds',
        'evalSeconds',
      ]),
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
      source: task.source,
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
      now: env.now,
      validate: task.validate,
      selection: task.selection,
      test: task.test,
      progress: env.progress ?? null,
      label: name,
      ...(defined({ signal: env.signal, maxSteps: env.maxSteps, afterStep: env.afterStep }) as Partial<TrainOptions>),
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
