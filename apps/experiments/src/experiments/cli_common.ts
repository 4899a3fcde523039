/**
 * The `mnist` and `speaker` commands are one training command each: an option table, the run it starts, and
 * a summary. What they share is here: the model flags, the run options taken from the flags, the backend,
 * Ctrl-C as a checkpointed stop, and the output (one JSON document with --json, a summary otherwise).
 */
import { performance } from 'node:perf_hooks';
import { describeBackend, initBackend } from '@ttrnn/backend';
import { UsageError, optionKey, withOptionNames } from '../args.js';
import type { OptionSpecs } from '../args.js';
import { defineCommand } from '../command.js';
import type { Command } from '../command.js';
import { setKernelThreads } from '@ttrnn/kernels';
import { modelFromFlags } from './training_run.js';
import type { RunEnvironment, TrainingResult } from './training_run.js';

/** The flags of the model (read by `modelFromFlags`) and of this process: every other flag names a run option. */
const NOT_RUN_OPTIONS = ['model', 'cores', 'rank', 'extra-core', 'naive', 'backend', 'threads', 'json'];

/**
 * A training command: its option table, the run, and the summary printed after it (without --json): the
 * run's name, `describe`'s lines, its steps, its run directory and `after`'s lines. Every flag that names a
 * run option (`--lr-decay-every` sets `lrDecayEvery`) goes to the run, with the model of the model flags.
 *
 * Under `tsx` (how `pnpm run exp` starts), Ctrl-C usually kills the process outright: tsx relays the
 * signal and SIGKILLs a child that has not acknowledged it within about 60 ms, and a training step blocks
 * the event loop far longer. Nothing is lost beyond the steps since the last checkpoint (every
 * --checkpoint-every steps and at every evaluation): `--resume` continues from there. Under plain node the
 * SIGINT handler below stops cleanly after the current step.
 */
export function trainingCommand<O, R extends TrainingResult>(c: {
  readonly name: string;
  readonly summary: string;
  readonly options: OptionSpecs;
  /** Validates the options before the backend starts (the run does it again), its error a usage error. */
  readonly resolve: (o: Partial<O>) => unknown;
  readonly run: (o: Partial<O>, env: RunEnvironment) => Promise<R>;
  readonly describe: (r: R) => string[];
  readonly after?: (r: R) => string[];
}): Command & { summarize(r: R): string } {
  const summarize = (r: R): string =>
    [
      `${r.name}: ${r.status}${r.reused ? ' (stored result)' : ''}`,
      ...c.describe(r),
      `  steps             ${r.steps}, ${r.stepMs?.toFixed(1) ?? '?'} ms per training step, ${r.trainSeconds.toFixed(1)} s training, ${r.evalSeconds.toFixed(1)} s evaluation`,
      `  run directory     ${r.runDir}`,
      ...(c.after?.(r) ?? []),
    ].join('\n');
  const command = defineCommand({
    ...c,
    async run(options) {
      const runFlags = Object.entries(options).filter(([f, v]) => v !== undefined && !NOT_RUN_OPTIONS.includes(f));
      const model = Object.entries(modelFromFlags(options));
      const o = Object.fromEntries([...runFlags.map(([f, v]) => [optionKey(f), v]), ...model]) as Partial<O>;
      try {
        c.resolve(o);
      } catch (err) {
        // A library name in the message (`'testLimit' passed to 'runSpeaker'`) becomes the option typed.
        throw new UsageError(withOptionNames((err as Error).message, c.options));
      }
      await initBackend(options['backend'] as string);
      if (options['threads'] !== undefined) setKernelThreads(options['threads'] as number);
      const controller = new AbortController();
      const onSigint = (): void => {
        if (controller.signal.aborted) process.exit(130);
        process.stderr.write('\nstopping after this step (Ctrl-C again to quit at once) …\n');
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      let result: R;
      try {
        result = await c.run(o, { now: () => performance.now(), progress: process.stderr, signal: controller.signal });
      } finally {
        process.off('SIGINT', onSigint);
      }
      if (result.reused) process.stderr.write(`already finished in ${result.runDir}; printing the stored result\n`);
      if (result.status === 'interrupted')
        process.stderr.write(`interrupted; continue with --resume --run-dir ${result.runDir}\n`);
      const json = options['json'] === true;
      process.stdout.write(
        (json ? JSON.stringify({ ...result, environment: describeBackend() }) : summarize(result)) + '\n',
      );
      return result.status === 'finished' ? 0 : 130;
    },
  });
  return { ...command, summarize };
}

export function percent(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : 'n/a';
}
