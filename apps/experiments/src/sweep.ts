/**
 * A resumable sweep: runs a list of configurations, each in its own directory `<runsDir>/<id>`.
 *
 * - A directory holding `outcome.json` is finished: its result is read back, never rerun.
 * - A directory holding only `sweep_config.json` was interrupted: the runner is called again with the same
 *   directory, and resumes from whatever checkpoint it left there.
 * - A directory whose `sweep_config.json` differs from the configuration asked for belongs to another run: the
 *   sweep refuses to start (before running anything) rather than mix or overwrite results.
 * The runner owns every other file of the directory (the trainer's config.json, checkpoints, metrics,
 * result.json), so the sweep's two files have names of their own.
 * - After every configuration `onProgress` is awaited (the caller writes `results.json` there), so a crash
 *   loses at most the configurations in flight. Calls never overlap, so the caller is the only writer.
 * - `concurrency` configurations run at a time (lanes numbered from 0, passed to the runner as `lane`); which
 *   lane runs a configuration never changes its numbers, only its wall time.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The file that marks a configuration's directory finished (it holds the runner's result). */
export const OUTCOME_FILE = 'outcome.json';

/** Whether the configuration `id` of a sweep in `runsDir` finished (its result is read back, never rerun). */
export function sweepRunFinished(runsDir: string, id: string): boolean {
  return existsSync(join(runsDir, id, OUTCOME_FILE));
}

export interface SweepEntry<C, R> {
  readonly id: string;
  readonly config: C;
  readonly status: 'done' | 'failed' | 'pending';
  /** True when the result was read back from an earlier, finished run. */
  readonly reused: boolean;
  readonly result?: R;
  readonly error?: string;
  /** Wall-clock seconds of this invocation's runner call (0 when reused). */
  readonly seconds: number;
}

export interface RunnerContext {
  readonly id: string;
  /** The configuration's own directory (exists when the runner is called). */
  readonly runDir: string;
  /** True when the directory already held this configuration (an interrupted run to resume). */
  readonly resume: boolean;
  /** Which of the `concurrency` lanes runs it (0-based). */
  readonly lane: number;
}

export interface SweepOptions<C, R> {
  /** Directory holding one subdirectory per configuration. */
  readonly runsDir: string;
  readonly configs: readonly C[];
  /** Stable id of a configuration (its directory name). */
  readonly id: (config: C) => string;
  readonly runner: (config: C, ctx: RunnerContext) => Promise<R>;
  /** Called with every entry (finished or still pending) after each configuration. */
  readonly onProgress?: (entries: readonly SweepEntry<C, R>[]) => Promise<void> | void;
  readonly log?: (message: string) => void;
  /** Seconds since some origin; entry points pass a real clock, tests a fake one. */
  readonly now?: () => number;
  /** Keep going after a failed configuration (default true); failures are recorded in the entries. */
  readonly continueOnError?: boolean;
  /** Configurations run at the same time (default 1). */
  readonly concurrency?: number;
  /** Called when a configuration starts on a lane, and when it ends. */
  readonly onStart?: (id: string, lane: number) => void;
  readonly onEnd?: (id: string, lane: number, seconds: number) => void;
}

/** The repository root (three levels above this file's directory: apps/experiments/src). */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** Writes JSON through a temporary file and a rename, so a crash never leaves a half-written file. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  await rename(tmp, path);
}

async function readJsonIfExists(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${path}: expected JSON, ${(err as Error).message}`);
  }
}

/** Deep equality of JSON values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Checks that ids are unique and filesystem-safe, and that no run directory belongs to another configuration. */
export async function checkSweep<C>(runsDir: string, configs: readonly C[], id: (c: C) => string): Promise<void> {
  const seen = new Set<string>();
  for (const c of configs) {
    const k = id(c);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(k))
      throw new Error(`sweep: configuration id '${k}' is not a safe directory name`);
    if (seen.has(k)) throw new Error(`sweep: two configurations share the id '${k}'`);
    seen.add(k);
    const file = join(runsDir, k, 'sweep_config.json');
    const stored = await readJsonIfExists(file);
    if (stored !== undefined && !sameJson(stored, c)) {
      throw new Error(
        `${file} holds a different configuration than this run asks for; ` +
          `choose another results directory with --run NAME (earlier results are never overwritten)`,
      );
    }
  }
}

/** Runs (or reads back) every configuration, `concurrency` at a time; resolves to one entry per configuration, in order. */
export async function runSweep<C, R>(options: SweepOptions<C, R>): Promise<SweepEntry<C, R>[]> {
  const { runsDir, configs, id, runner } = options;
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => 0);
  const continueOnError = options.continueOnError ?? true;
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error(`'concurrency' passed to 'runSweep' must be a positive integer, got ${concurrency}`);
  await checkSweep(runsDir, configs, id);
  const entries: SweepEntry<C, R>[] = configs.map((config) => ({
    id: id(config),
    config,
    status: 'pending',
    reused: false,
    seconds: 0,
  }));
  // Read back everything finished first, so results.json lists old results even if the first new run crashes.
  for (let i = 0; i < configs.length; i++) {
    const prev = await readJsonIfExists(join(runsDir, entries[i]!.id, OUTCOME_FILE));
    if (prev !== undefined) entries[i] = { ...entries[i]!, status: 'done', reused: true, result: prev as R };
  }
  // One writer: progress calls are chained, never concurrent.
  let written: Promise<void> = Promise.resolve();
  const progress = (): Promise<void> => (written = written.then(() => options.onProgress?.(entries)));
  await progress();
  const n = configs.length;
  const todo: number[] = [];
  for (let i = 0; i < n; i++) {
    if (entries[i]!.status === 'done') log(`[${i + 1}/${n}] ${entries[i]!.id}: finished earlier, read back`);
    else todo.push(i);
  }
  let stop: unknown = null;
  const runOne = async (i: number, lane: number): Promise<void> => {
    const entry = entries[i]!;
    const runDir = join(runsDir, entry.id);
    await mkdir(runDir, { recursive: true });
    const resume = (await readJsonIfExists(join(runDir, 'sweep_config.json'))) !== undefined;
    if (!resume) await writeJsonAtomic(join(runDir, 'sweep_config.json'), entry.config);
    log(`[${i + 1}/${n}] ${entry.id}: ${resume ? 'resuming' : 'running'}`);
    options.onStart?.(entry.id, lane);
    const t0 = now();
    try {
      const result = await runner(entry.config, { id: entry.id, runDir, resume, lane });
      await writeJsonAtomic(join(runDir, OUTCOME_FILE), result);
      entries[i] = { ...entry, status: 'done', result, seconds: now() - t0 };
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      entries[i] = { ...entry, status: 'failed', error: message, seconds: now() - t0 };
      log(`[${i + 1}/${n}] ${entry.id}: FAILED: ${message}`);
      if (!continueOnError) stop ??= err;
    } finally {
      options.onEnd?.(entry.id, lane, now() - t0);
    }
    await progress();
  };
  let next = 0;
  const lane = async (l: number): Promise<void> => {
    while (next < todo.length && stop === null) await runOne(todo[next++]!, l);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, (_, l) => lane(l)));
  if (stop !== null) throw stop;
  return entries;
}
