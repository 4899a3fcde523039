/**
 * The `mnist` and `speaker` commands are one training command each: an option table, the run it starts, and
 * a summary. What they share is here: the model flags, the run options taken from the flags, the backend,
 * Ctrl-C as a checkpointed stop, and the output (one JSON document with --json, a summary otherwise).
 */
import { performance } from 'node:perf_hooks';
import { BACKEND_NAMES, describeBackend, initBackend } from '@ttrnn/backend';
import { SEED_MAX, SIZE_BOUNDS, UsageError, parseArgs, withOptionNames } from '../args.js';
import type { OptionSpec, OptionSpecs, ParsedOptions } from '../args.js';
import { EXTRA_CORES } from '@ttrnn/cells';
import type { Command } from '../command.js';
import { setKernelThreads } from '@ttrnn/kernels';
import type { ExtraCore } from '@ttrnn/tt';
import { DEFAULT_TT_FLAGS, MODEL_NAMES, modelFromFlags, modelName } from '../profiles.js';
import type { ModelOptions, RunEnvironment, TrainingResult } from './training_run.js';

/** The TT options apply only to the TT models: given with a dense one they are an error, never ignored. */
export const TT_ONLY = { option: 'model', values: MODEL_NAMES.filter((m) => m.startsWith('tt-')) } as const;

/** A TT size option (cores, rank): an int from 1 to `max`, given only with a TT model. */
function ttSize(description: string, value: number, max: number): OptionSpec {
  return { kind: 'int', description, default: value, min: 1, max, when: TT_ONLY };
}

export function modelOptionSpecs(defaults: ModelOptions): OptionSpecs {
  const tt = defaults.tt ?? DEFAULT_TT_FLAGS;
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
  };
}

/**
 * The options every training command ends with. `--checkpoint N`: gradient checkpointing of the recurrent
 * layers, N time steps per recomputed chunk (0 = off); not to be confused with `--checkpoint-every` (saving
 * the training state).
 */
export function trainingSpecs(checkpointDefault: string): OptionSpecs {
  return {
    checkpoint: {
      kind: 'int',
      description: `gradient checkpointing: time steps per recomputed chunk, 0 = off (default: ${checkpointDefault}); saves memory on long sequences, same numbers`,
    },
    ...COMMON_SPECS,
  };
}

const COMMON_SPECS: OptionSpecs = {
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

/**
 * The run options of the flags: the model's from the model flags, then every flag that names a run option
 * (`--lr-decay-every` sets `lrDecayEvery`; the flags of this process, `--backend` and the like, name none).
 */
function runOptionsFrom(options: ParsedOptions, keys: readonly string[]): Record<string, unknown> {
  const model = modelFromFlags({
    model: options['model'] as string,
    cores: options['cores'] as number,
    rank: options['rank'] as number,
    extraCore: options['extra-core'] as ExtraCore,
    naive: options['naive'] === true,
  });
  const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const run = Object.entries(options).filter(([flag, v]) => v !== undefined && keys.includes(camel(flag)));
  return { ...model, ...Object.fromEntries(run.map(([flag, v]) => [camel(flag), v])) };
}

/**
 * Runs `validate`, turning its error into a usage error (exit code 2 with the usage). With `specs`, a
 * library name in the message (`'testLimit' passed to 'runSpeaker'`) becomes the option (`option
 * --test-limit`), so the user reads the name they typed.
 */
function asUsage<T>(validate: () => T, specs?: OptionSpecs): T {
  try {
    return validate();
  } catch (err) {
    const message = (err as Error).message;
    throw new UsageError(specs !== undefined ? withOptionNames(message, specs) : message);
  }
}

type CliResult = TrainingResult & { readonly trainSeconds: number; readonly stepMs?: number };

/** A training command's parts: its option table, the run's option names, the run, and its summary lines. */
export interface TrainingCommand<O, R extends CliResult> {
  readonly name: string;
  readonly summary: string;
  readonly options: OptionSpecs;
  /** The run's option names: a flag that names one (`--lr-decay-every`: `lrDecayEvery`) sets it. */
  readonly keys: readonly string[];
  /** Validates the options (the run does it again; here its error becomes a usage error). */
  readonly resolve: (o: Partial<O>) => unknown;
  readonly run: (o: Partial<O>, env: RunEnvironment) => Promise<R>;
  /** The summary's lines between the run's name and its steps. */
  readonly describe: (r: R) => string[];
  /** Lines after the run directory. */
  readonly after?: (r: R) => string[];
}

/** The summary printed after a run (without --json). */
function summarize<O, R extends CliResult>(c: TrainingCommand<O, R>, r: R): string {
  return [
    `${r.name}: ${r.status}${r.reused ? ' (stored result)' : ''}`,
    ...c.describe(r),
    `  steps             ${r.steps}, ${r.stepMs?.toFixed(1) ?? '?'} ms per training step, ${r.trainSeconds.toFixed(1)} s training, ${r.evalSeconds.toFixed(1)} s evaluation`,
    `  run directory     ${r.runDir}`,
    ...(c.after?.(r) ?? []),
  ].join('\n');
}

/** The command of a training command's parts. */
export function trainingCommand<O, R extends CliResult>(
  c: TrainingCommand<O, R>,
): Command & { summarize(r: R): string } {
  return {
    summarize: (r) => summarize(c, r),
    name: c.name,
    summary: c.summary,
    options: c.options,
    async run(argv) {
      const options = parseArgs(argv, c.options, c.name);
      const o = runOptionsFrom(options, c.keys) as Partial<O>;
      asUsage(() => c.resolve(o), c.options);
      return runFromCli(
        options,
        (env) => c.run(o, env),
        (r) => summarize(c, r),
      );
    },
  };
}

/**
 * Initialises the backend, runs with Ctrl-C as a checkpointed stop, prints the result.
 *
 * Under `tsx` (how `pnpm run exp` starts), Ctrl-C usually kills the process outright: tsx relays the
 * signal and SIGKILLs a child that has not acknowledged it within about 60 ms, and a training step blocks
 * the event loop far longer. Nothing is lost beyond the steps since the last checkpoint (every
 * --checkpoint-every steps and at every evaluation): `--resume` continues from there. Under plain node the
 * handler below stops cleanly after the current step.
 */
async function runFromCli<R extends CliResult>(
  options: ParsedOptions,
  run: (env: RunEnvironment) => Promise<R>,
  summary: (r: R) => string,
): Promise<number> {
  await initBackend(options['backend'] as string);
  const threads = options['threads'] as number | undefined;
  if (threads !== undefined) {
    if (threads < 1) throw new UsageError(`option --threads must be a positive integer, got ${threads}`);
    setKernelThreads(threads);
  }
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping after this step (Ctrl-C again to quit at once) …\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  let result: R;
  try {
    result = await run({ now: () => performance.now(), progress: process.stderr, signal: controller.signal });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (result.reused) process.stderr.write(`already finished in ${result.runDir}; printing the stored result\n`);
  if (result.status === 'interrupted')
    process.stderr.write(`interrupted; continue with --resume --run-dir ${result.runDir}\n`);
  if (options['json'] === true) {
    process.stdout.write(JSON.stringify({ ...result, environment: describeBackend() }) + '\n');
  } else {
    process.stdout.write(summary(result) + '\n');
  }
  return result.status === 'finished' ? 0 : 130;
}

export function percent(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : 'n/a';
}
