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
import { isDeepStrictEqual } from 'node:util';
import type { RunRecord } from './report/results.js';

/** A name that is safe as a directory or file name (no path, no leading dot or dash). */
export const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The file that marks a configuration's directory finished (it holds the runner's result). */
export const OUTCOME_FILE = 'outcome.json';
const CONFIG_FILE = 'sweep_config.json';

/** Whether the configuration `id` of a sweep in `runsDir` finished (its result is read back, never rerun). */
export function sweepRunFinished(runsDir: string, id: string): boolean {
  return existsSync(join(runsDir, id, OUTCOME_FILE));
}

export interface SweepOptions<C, R> {
  readonly runsDir: string;
  readonly configs: readonly C[];
  /** Stable id of a configuration (its directory name). */
  readonly id: (config: C) => string;
  /** Trains one configuration in `runDir` (which exists; `resume`: it holds an interrupted run) on `lane`. */
  readonly runner: (config: C, ctx: { id: string; runDir: string; resume: boolean; lane: number }) => Promise<R>;
  /** Called with every entry (finished or still pending) after each configuration. */
  readonly onProgress?: (entries: readonly RunRecord<C, R>[]) => Promise<void> | void;
  readonly log?: (message: string) => void;
  /** Seconds since some origin; entry points pass a real clock, tests a fake one. */
  readonly now?: () => number;
  /** Configurations run at the same time (default 1). */
  readonly concurrency?: number;
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
  if (!existsSync(path)) return undefined;
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${path}: expected JSON, ${(err as Error).message}`);
  }
}

/** Deep equality of two values as JSON stores them (key order and undefined fields ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v) ?? 'null');
  return isDeepStrictEqual(json(a), json(b));
}

/** Runs (or reads back) every configuration, `concurrency` at a time; resolves to one entry per configuration, in order. */
export async function runSweep<C, R>(options: SweepOptions<C, R>): Promise<RunRecord<C, R>[]> {
  const { runsDir, configs, runner } = options;
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => 0);
  const entries: RunRecord<C, R>[] = configs.map((config) => ({
    id: options.id(config),
    config,
    status: 'pending',
    reused: false,
    seconds: 0,
  }));
  // Check every id and directory before running anything; read back everything finished, so results.json lists
  // old results even if the first new run crashes.
  const seen = new Set<string>();
  // Ids whose directory already holds their configuration: an interrupted run, resumed.
  const started = new Set<string>();
  for (const [i, { id, config }] of entries.entries()) {
    if (!PLAIN_NAME.test(id)) throw new Error(`sweep: configuration id '${id}' is not a safe directory name`);
    if (seen.has(id)) throw new Error(`sweep: two configurations share the id '${id}'`);
    seen.add(id);
    const file = join(runsDir, id, CONFIG_FILE);
    const stored = await readJsonIfExists(file);
    if (stored !== undefined && !sameJson(stored, config)) {
      throw new Error(
        `${file} holds a different configuration than this run asks for; ` +
          `choose another results directory with --run NAME (earlier results are never overwritten)`,
      );
    }
    if (stored !== undefined) started.add(id);
    const prev = await readJsonIfExists(join(runsDir, id, OUTCOME_FILE));
    if (prev !== undefined) entries[i] = { ...entries[i]!, status: 'done', reused: true, outcome: prev as R };
  }
  // One writer: progress calls are chained, never concurrent.
  let written: Promise<void> = Promise.resolve();
  const progress = (): Promise<void> => (written = written.then(() => options.onProgress?.(entries)));
  await progress();
  const n = configs.length;
  const todo = [...entries.keys()].filter((i) => entries[i]!.status !== 'done');
  for (const [i, e] of entries.entries())
    if (e.status === 'done') log(`[${i + 1}/${n}] ${e.id}: finished earlier, read back`);
  const runOne = async (i: number, lane: number): Promise<void> => {
    const entry = entries[i]!;
    const runDir = join(runsDir, entry.id);
    await mkdir(runDir, { recursive: true });
    const resume = started.has(entry.id);
    if (!resume) await writeJsonAtomic(join(runDir, CONFIG_FILE), entry.config);
    log(`[${i + 1}/${n}] ${entry.id}: ${resume ? 'resuming' : 'running'}`);
    options.onStart?.(entry.id, lane);
    const t0 = now();
    try {
      const outcome = await runner(entry.config, { id: entry.id, runDir, resume, lane });
      await writeJsonAtomic(join(runDir, OUTCOME_FILE), outcome);
      entries[i] = { ...entry, status: 'done', outcome, seconds: now() - t0 };
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      entries[i] = { ...entry, status: 'failed', error: message, seconds: now() - t0 };
      log(`[${i + 1}/${n}] ${entry.id}: FAILED: ${message}`);
    } finally {
      options.onEnd?.(entry.id, lane, now() - t0);
    }
    await progress();
  };
  let next = 0;
  const lanes = Math.min(options.concurrency ?? 1, Math.max(1, todo.length));
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      while (next < todo.length) await runOne(todo[next++]!, lane);
    }),
  );
  return entries;
}
