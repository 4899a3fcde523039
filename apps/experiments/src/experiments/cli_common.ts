/**
 * Flag handling shared by the `mnist` and `speaker` commands: the model flags, the backend, Ctrl-C as a
 * checkpointed stop, and the output (one JSON document with --json, a summary otherwise).
 */
import { performance } from 'node:perf_hooks';
import { BACKEND_NAMES, describeBackend, initBackend } from '@ttrnn/backend';
import { SEED_MAX, UsageError, withOptionNames } from '../args.js';
import type { OptionSpecs, ParsedOptions } from '../args.js';
import { EXTRA_CORES } from '@ttrnn/cells';
import { setKernelThreads } from '@ttrnn/kernels';
import type { ExtraCore } from '@ttrnn/tt';
import { DEFAULT_TT_FLAGS, MODEL_NAMES, modelFromFlags, modelName } from '../profiles.js';
import type { ModelOptions } from './run_common.js';
import { SIZE_BOUNDS } from './run_common.js';

/** The TT options apply only to the TT models: given with a dense one they are an error, never ignored. */
export const TT_ONLY = { option: 'model', values: MODEL_NAMES.filter((m) => m.startsWith('tt-')) } as const;

export { SIZE_BOUNDS };

export function modelOptionSpecs(defaults: ModelOptions): OptionSpecs {
  const tt = defaults.tt ?? DEFAULT_TT_FLAGS;
  return {
    model: { kind: 'string', description: 'recurrent cell', choices: [...MODEL_NAMES], default: modelName(defaults) },
    cores: {
      kind: 'int',
      description: 'TT cores (tt-* models)',
      default: tt.cores,
      min: 1,
      max: SIZE_BOUNDS.cores,
      when: TT_ONLY,
    },
    rank: {
      kind: 'int',
      description: 'TT rank (tt-* models)',
      default: tt.rank,
      min: 1,
      max: SIZE_BOUNDS.rank,
      when: TT_ONLY,
    },
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
 * `--checkpoint N`: gradient checkpointing of the recurrent layers, N time steps per recomputed chunk
 * (0 = off). Not to be confused with `--checkpoint-every` (saving the training state).
 */
export function gradientCheckpointSpec(defaultText: string): OptionSpecs {
  return {
    checkpoint: {
      kind: 'int',
      description: `gradient checkpointing: time steps per recomputed chunk, 0 = off (default: ${defaultText}); saves memory on long sequences, same numbers`,
    },
  };
}

/** The `checkpoint` run option of `--checkpoint`, when given. */
export function gradientCheckpointFrom(options: ParsedOptions): { checkpoint?: number } {
  return options['checkpoint'] !== undefined ? { checkpoint: options['checkpoint'] as number } : {};
}

export const COMMON_SPECS: OptionSpecs = {
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

export function modelOptionsFrom(options: ParsedOptions): ModelOptions {
  return {
    ...modelFromFlags({
      model: options['model'] as string,
      cores: options['cores'] as number,
      rank: options['rank'] as number,
      extraCore: options['extra-core'] as ExtraCore,
      naive: options['naive'] === true,
    }),
    hidden: options['hidden'] as number,
    layers: options['layers'] as number,
  };
}

/**
 * Runs `validate`, turning its error into a usage error (exit code 2 with the usage). With `specs`, a
 * library name in the message (`'testLimit' passed to 'runSpeaker'`) becomes the option (`option
 * --test-limit`), so the user reads the name they typed.
 */
export function asUsage<T>(validate: () => T, specs?: OptionSpecs): T {
  try {
    return validate();
  } catch (err) {
    const message = (err as Error).message;
    throw new UsageError(specs !== undefined ? withOptionNames(message, specs) : message);
  }
}

export interface CliRun<R extends { status: string; reused: boolean; runDir: string }> {
  readonly options: ParsedOptions;
  readonly run: (env: { now: () => number; progress: NodeJS.WriteStream; signal: AbortSignal }) => Promise<R>;
  readonly summary: (result: R) => string;
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
export async function runFromCli<R extends { status: string; reused: boolean; runDir: string }>(
  c: CliRun<R>,
): Promise<number> {
  await initBackend(c.options['backend'] as string);
  const threads = c.options['threads'] as number | undefined;
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
    result = await c.run({ now: () => performance.now(), progress: process.stderr, signal: controller.signal });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (result.reused) process.stderr.write(`already finished in ${result.runDir}; printing the stored result\n`);
  if (result.status === 'interrupted')
    process.stderr.write(`interrupted; continue with --resume --run-dir ${result.runDir}\n`);
  if (c.options['json'] === true) {
    process.stdout.write(JSON.stringify({ ...result, environment: describeBackend() }) + '\n');
  } else {
    process.stdout.write(c.summary(result) + '\n');
  }
  return result.status === 'finished' ? 0 : 130;
}

export function percent(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : 'n/a';
}
