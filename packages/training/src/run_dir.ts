/**
 * A run directory: everything needed to trust, inspect and resume one training run.
 *
 *   config.json      the run's full configuration (written once, when training starts; compared on resume)
 *   metrics.jsonl    one JSON object per line: every step, every epoch
 *   checkpoint.ckpt  the latest state (weights, optimizer, RNG, counters, best-so-far), replaced atomically;
 *                    a first one (step 0) is written when the run starts
 *   best.ckpt        the weights that scored best on validation
 *   result.json      the final result; its presence marks the run finished
 *
 * The state machine every command uses (`RunDir.inspect`, `openRun`):
 *
 *   new          the directory is missing, or holds none of the files above
 *   interrupted  config.json and checkpoint.ckpt, no result.json
 *   finished     config.json and result.json
 *   foreign     anything else: run files without config.json, config.json without checkpoint.ckpt, a
 *                file where the directory should be. Never resumed, never written over.
 *
 * Intents: a fresh start (`resume: false`) accepts only `new` (and `finished` with the same configuration,
 * whose stored result it returns); `resume: true` accepts only `interrupted` (and `finished`); `'auto'`
 * (sweeps) takes `new` as a start and `interrupted` as a resume. Nothing is written until training
 * starts (`RunDir.begin`), so a start that fails on its data or model leaves the directory as it was, and
 * one that fails while beginning removes what it wrote.
 *
 * One process at a time: a run holds `.lock` (its pid, host and start time) from `begin` or the resume
 * until it ends (`RunDir.lock`). A second process on the same directory is refused, naming the holder;
 * a lock whose process is gone (same host, pid not running) is taken over.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmSync,
  rmdirSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ioError, writeFileAtomic } from './atomic.js';

export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  checkpoint: 'checkpoint.ckpt',
  best: 'best.ckpt',
  result: 'result.json',
} as const;

export type RunFile = keyof typeof RUN_FILES;

/** The lock file of a run in progress (not a run file: a directory holding only it is still `new`). */
export const RUN_LOCK = '.lock';

/** What `.lock` holds. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}
export type RunDirState = 'new' | 'interrupted' | 'finished' | 'foreign';

/** A run directory's state and, in words, why (`foreign`: what is wrong). */
export interface RunDirStatus {
  readonly state: RunDirState;
  readonly detail: string;
}

/**
 * What the caller wants: `false` a fresh start, `true` a resume, `'auto'` whichever the directory
 * holds (for sweeps, which rerun the same command until every configuration is done).
 */
export type ResumeIntent = boolean | 'auto';

/** `.<run file>.tmp-<pid>`: what `writeFileAtomic` leaves when killed mid-write. */
const TEMPORARY = new RegExp(
  `^\\.(${Object.values(RUN_FILES)
    .map((f) => f.replace('.', '\\.'))
    .join('|')})\\.tmp-(\\d+)$`,
);

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner recorded in a lock file; null when it is missing or unreadable. */
function readOwner(path: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.started === 'string'
      ? (o as LockOwner)
      : null;
  } catch {
    return null;
  }
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw ioError(path, `read the ${what}`, err);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${path}: the ${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Keys whose values differ between two JSON objects (top level and nested, dotted). */
export function differingKeys(a: unknown, b: unknown, prefix = ''): string[] {
  if (
    typeof a === 'object' &&
    a !== null &&
    typeof b === 'object' &&
    b !== null &&
    !Array.isArray(a) &&
    !Array.isArray(b)
  ) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) =>
      differingKeys((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${prefix}${k}.`),
    );
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix.slice(0, -1) || '(root)'];
}

export class RunDir {
  constructor(readonly path: string) {}

  file(name: RunFile): string {
    return join(this.path, RUN_FILES[name]);
  }

  /** The state of the directory (see the module comment). */
  inspect(): RunDirStatus {
    let isDir: boolean;
    try {
      isDir = statSync(this.path).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'new', detail: 'does not exist' };
      throw ioError(this.path, 'inspect the run directory', err);
    }
    if (!isDir) return { state: 'foreign', detail: 'is not a directory' };
    let entries: string[];
    try {
      entries = readdirSync(this.path);
    } catch (err) {
      throw ioError(this.path, 'list the run directory', err);
    }
    const present = (Object.keys(RUN_FILES) as RunFile[]).filter((k) => entries.includes(RUN_FILES[k]));
    const has = (k: RunFile): boolean => present.includes(k);
    if (present.length === 0) return { state: 'new', detail: entries.length === 0 ? 'is empty' : 'holds no run files' };
    if (!has('config')) {
      return {
        state: 'foreign',
        detail: `holds ${present.map((k) => RUN_FILES[k]).join(', ')} but no ${RUN_FILES.config}`,
      };
    }
    if (has('result')) return { state: 'finished', detail: `holds a finished run (${RUN_FILES.result})` };
    if (has('checkpoint'))
      return {
        state: 'interrupted',
        detail: `holds an interrupted run (${RUN_FILES.config} and ${RUN_FILES.checkpoint}, no ${RUN_FILES.result})`,
      };
    return { state: 'foreign', detail: `holds ${RUN_FILES.config} but no ${RUN_FILES.checkpoint} (a damaged run)` };
  }

  state(): RunDirState {
    return this.inspect().state;
  }

  readConfig(): unknown {
    return readJson(this.file('config'), 'run configuration');
  }

  /** The stored result; `check` returns what is wrong with it, if anything. */
  readResult<T>(check?: (result: unknown) => string | null): T {
    const path = this.file('result');
    const result = readJson(path, 'run result');
    const problem =
      typeof result !== 'object' || result === null || Array.isArray(result)
        ? `expected a JSON object, got ${JSON.stringify(result)}`
        : (check?.(result) ?? null);
    if (problem !== null) {
      throw new Error(
        `${path}: not a usable run result: ${problem}; remove it and run again with --resume to rebuild it from ${RUN_FILES.checkpoint}`,
      );
    }
    return result as T;
  }

  writeResult(result: unknown): void {
    writeFileAtomic(this.file('result'), JSON.stringify(result, null, 2) + '\n');
  }

  hasCheckpoint(): boolean {
    return existsSync(this.file('checkpoint'));
  }

  /** Removes what `writeFileAtomic` left behind when a process was killed mid-write; returns the names. */
  removeStaleTemporaries(): string[] {
    let entries: string[];
    try {
      entries = readdirSync(this.path);
    } catch {
      return [];
    }
    const stale = entries.filter((e) => {
      const m = TEMPORARY.exec(e);
      return m !== null && !isAlive(Number(m[2]));
    });
    for (const e of stale) rmSync(join(this.path, e), { force: true });
    return stale;
  }

  /**
   * Takes the directory for this process (the directory must exist) and returns the release. Refused,
   * naming the holder, while another live process holds it; a lock left by a process that is gone
   * (same host, pid not running) is taken over. Exclusive creation makes two processes that try at
   * once see one winner.
   */
  lock(): () => void {
    const path = join(this.path, RUN_LOCK);
    const mine: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, JSON.stringify(mine) + '\n');
        } finally {
          closeSync(fd);
        }
        return () => {
          // Only our own lock is removed (a release after a takeover must not free another's).
          const owner = readOwner(path);
          if (owner?.pid === mine.pid && owner.started === mine.started) rmSync(path, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(path, 'create the run lock', err);
      }
      const owner = readOwner(path);
      // An unreadable lock may be one that another process is writing this instant: not taken over.
      const gone = owner !== null && owner.host === mine.host && !isAlive(owner.pid);
      if (!gone || attempt > 0) {
        const who =
          owner === null ? 'another process' : `process ${owner.pid} on ${owner.host} (since ${owner.started})`;
        throw new Error(
          `${this.path}: the run directory is in use by ${who}; wait for it to finish, ` +
            `or remove ${path} if that process is no longer running`,
        );
      }
      rmSync(path, { force: true });
    }
  }

  /**
   * Starts a run in a `new` directory: creates it, takes its lock, runs `initial` (which writes
   * metrics.jsonl and the step-0 checkpoint), then writes config.json, the file that makes the directory
   * a run; returns the lock's release. If any of it fails, what was written (the lock and any directory
   * created included) is removed again, and the error names the path.
   */
  begin(config: unknown, initial: () => void): () => void {
    const status = this.inspect();
    if (status.state !== 'new')
      throw new Error(`${this.path}: cannot start a run here: the directory ${status.detail}`);
    let created: string | undefined;
    try {
      created = mkdirSync(this.path, { recursive: true });
    } catch (err) {
      throw ioError(this.path, 'create the run directory', err);
    }
    let release: (() => void) | undefined;
    try {
      release = this.lock();
      this.removeStaleTemporaries();
      initial();
      writeFileAtomic(this.file('config'), JSON.stringify(config, null, 2) + '\n');
      return release;
    } catch (err) {
      // Another process's lock means its files: leave them.
      if (release !== undefined) {
        for (const k of Object.keys(RUN_FILES) as RunFile[]) rmSync(this.file(k), { force: true });
        release();
      }
      if (created !== undefined) {
        // Remove the directories this call created, deepest first, if nothing else appeared in them.
        const stop = resolve(created);
        for (let d = resolve(this.path); ; d = dirname(d)) {
          try {
            rmdirSync(d);
          } catch {
            break;
          }
          if (d === stop) break;
        }
      }
      throw err;
    }
  }
}

export type OpenRun<R> =
  | { readonly status: 'finished'; readonly dir: RunDir; readonly result: R }
  | { readonly status: 'fresh' | 'resume'; readonly dir: RunDir };

export interface OpenRunOptions {
  readonly resume: ResumeIntent;
  /** What is wrong with a stored result (null when it is usable); a damaged result.json is an error. */
  readonly checkResult?: (result: unknown) => string | null;
}

/**
 * Decides what to do with a run directory for `config` and the caller's intent (see the module
 * comment); throws, naming the directory and what it holds, when the intent does not fit. Writes nothing.
 */
export function openRun<R>(path: string, config: unknown, options: OpenRunOptions): OpenRun<R> {
  const dir = new RunDir(path);
  const { state, detail } = dir.inspect();
  if (state === 'foreign') {
    throw new Error(
      `${path}: not a run that can be ${options.resume === false ? 'started over' : 'resumed'}: the directory ${detail}; ` +
        `nothing was changed: choose another run directory, or remove this one`,
    );
  }
  if (state === 'new') {
    if (options.resume === true) {
      throw new Error(`${path}: nothing to resume: the directory ${detail}; run without --resume to start a new run`);
    }
    return { status: 'fresh', dir };
  }
  const stored = dir.readConfig();
  const diff = differingKeys(stored, config);
  if (diff.length > 0) {
    throw new Error(
      `${dir.file('config')}: the run directory holds a run with another configuration (differs in ${diff.join(', ')}); ` +
        `choose another run directory`,
    );
  }
  if (state === 'finished') return { status: 'finished', dir, result: dir.readResult<R>(options.checkResult) };
  if (options.resume === false) {
    throw new Error(`${path}: holds an interrupted run; pass --resume to continue it, or choose another run directory`);
  }
  return { status: 'resume', dir };
}

/** Throws unless every line is a JSON object; `path` names the file in errors. */
function checkLines(lines: readonly string[], path: string): void {
  lines.forEach((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line) as unknown;
    } catch {
      value = undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      const shown = line.length > 60 ? `${line.slice(0, 60)}…` : line;
      throw new Error(
        `${path}: line ${i + 1} is not a JSON object (${JSON.stringify(shown)}); the metrics log is damaged, so the run cannot be resumed from it`,
      );
    }
  });
}

/**
 * The append-only metrics log, which a resume cuts back to the lines its checkpoint knew.
 *
 * Deleted while the run goes on: the log notices at the next record (the open descriptor still holds
 * every line), writes all of them back to `path` and carries on, so no record is lost; `onRecover`
 * hears about it.
 */
export class MetricsLog {
  private fd: number | null = null;
  private count: number;

  /**
   * Opens `path` keeping its first `keepLines` complete lines (0 for a fresh run), which must be JSON
   * objects. A torn last line from a killed process is dropped with the rest.
   */
  constructor(
    readonly path: string,
    keepLines: number,
    private readonly onRecover?: (message: string) => void,
  ) {
    let text = '';
    if (keepLines > 0 || existsSync(path)) {
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        throw ioError(path, 'read the metrics log', err);
      }
    }
    const lines = text.split('\n');
    // The text after the last newline (empty, or a torn line) is never a complete line.
    const complete = lines.length - 1;
    if (keepLines > complete) {
      throw new Error(`${path}: holds ${complete} complete lines, the checkpoint expects at least ${keepLines}`);
    }
    const keptLines = lines.slice(0, keepLines);
    checkLines(keptLines, path);
    writeFileAtomic(path, keepLines === 0 ? '' : keptLines.join('\n') + '\n');
    this.count = keepLines;
    this.fd = this.open();
  }

  private open(): number {
    try {
      return openSync(this.path, 'a+');
    } catch (err) {
      throw ioError(this.path, 'open the metrics log', err);
    }
  }

  /** Lines written so far. */
  get lines(): number {
    return this.count;
  }

  /** True when `path` no longer names the file this log writes to (deleted or replaced). */
  private detached(fd: number): boolean {
    const mine = fstatSync(fd);
    if (mine.nlink === 0) return true;
    try {
      const there = statSync(this.path);
      return there.ino !== mine.ino || there.dev !== mine.dev;
    } catch {
      return true;
    }
  }

  /** Writes every line the descriptor holds back to `path` and continues there. */
  private recover(fd: number): number {
    const size = fstatSync(fd).size;
    const bytes = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, bytes, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    writeFileAtomic(this.path, bytes.subarray(0, off));
    closeSync(fd);
    this.onRecover?.(
      `${this.path} was deleted or replaced during the run; rewrote its ${this.count} records and continued`,
    );
    return this.open();
  }

  append(record: Record<string, unknown>): void {
    if (this.fd === null) throw new Error(`${this.path}: the metrics log is closed`);
    if (this.detached(this.fd)) this.fd = this.recover(this.fd);
    const line = Buffer.from(JSON.stringify(record) + '\n', 'utf8');
    try {
      let off = 0;
      while (off < line.length) off += writeSync(this.fd, line, off, line.length - off);
    } catch (err) {
      throw ioError(this.path, 'append to the metrics log', err);
    }
    this.count++;
  }

  /** Makes the lines durable; called before a checkpoint that counts them. */
  sync(): void {
    if (this.fd === null) return;
    if (this.detached(this.fd)) this.fd = this.recover(this.fd);
    try {
      fsyncSync(this.fd);
    } catch (err) {
      throw ioError(this.path, 'sync the metrics log', err);
    }
  }

  /** Closes without syncing or recovering (a start that failed, whose files are being removed). */
  discard(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  close(): void {
    if (this.fd !== null) {
      if (this.detached(this.fd)) this.fd = this.recover(this.fd);
      const fd = this.fd;
      this.fd = null;
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }
}

/** The records of a metrics file, parsed. */
export function readMetrics(path: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw ioError(path, 'read the metrics log', err);
  }
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`${path}: line ${i + 1} is not valid JSON`);
      }
    });
}
