/**
 * A run directory: everything needed to trust, inspect and resume one training run.
 *
 *   config.json      the run's full configuration (written once, compared on resume)
 *   metrics.jsonl    one JSON object per line: every step, every epoch
 *   checkpoint.ckpt  the latest state (weights, optimizer, RNG, counters, best-so-far), replaced atomically
 *   best.ckpt        the weights that scored best on validation
 *   result.json      the final result; its presence marks the run finished
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';

export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  checkpoint: 'checkpoint.ckpt',
  best: 'best.ckpt',
  result: 'result.json',
} as const;

export type RunDirState = 'new' | 'interrupted' | 'finished';

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot read the ${what}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${path}: the ${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Keys whose values differ between two JSON objects (top level and nested, dotted). */
export function differingKeys(a: unknown, b: unknown, prefix = ''): string[] {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differingKeys((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${prefix}${k}.`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix.slice(0, -1) || '(root)'];
}

export class RunDir {
  constructor(readonly path: string) {}

  file(name: keyof typeof RUN_FILES): string {
    return join(this.path, RUN_FILES[name]);
  }

  state(): RunDirState {
    if (existsSync(this.file('result'))) return 'finished';
    if (existsSync(this.file('config'))) return 'interrupted';
    return 'new';
  }

  readConfig(): unknown {
    return readJson(this.file('config'), 'run configuration');
  }

  writeConfig(config: unknown): void {
    mkdirSync(this.path, { recursive: true });
    writeFileAtomic(this.file('config'), JSON.stringify(config, null, 2) + '\n');
  }

  readResult<T>(): T {
    return readJson(this.file('result'), 'run result') as T;
  }

  writeResult(result: unknown): void {
    writeFileAtomic(this.file('result'), JSON.stringify(result, null, 2) + '\n');
  }

  hasCheckpoint(): boolean {
    return existsSync(this.file('checkpoint'));
  }
}

export type OpenRun<R> =
  | { readonly status: 'finished'; readonly dir: RunDir; readonly result: R }
  | { readonly status: 'fresh' | 'resume'; readonly dir: RunDir };

/**
 * Decides what to do with a run directory for `config`:
 * finished → its stored result; interrupted → resume (only with `resume`, and only with the same
 * configuration); new → a fresh start with `config.json` written.
 */
export function openRun<R>(path: string, config: unknown, options: { readonly resume: boolean }): OpenRun<R> {
  const dir = new RunDir(path);
  const state = dir.state();
  if (state !== 'new') {
    const stored = dir.readConfig();
    const diff = differingKeys(stored, config);
    if (diff.length > 0) {
      throw new Error(
        `${dir.file('config')}: the run directory holds a run with another configuration (differs in ${diff.join(', ')}); ` +
          `choose another run directory`,
      );
    }
  }
  if (state === 'finished') return { status: 'finished', dir, result: dir.readResult<R>() };
  if (state === 'interrupted') {
    if (!options.resume) {
      throw new Error(`${dir.path}: holds an interrupted run; pass --resume to continue it, or choose another run directory`);
    }
    return { status: 'resume', dir };
  }
  dir.writeConfig(config);
  return { status: 'fresh', dir };
}

/** The append-only metrics log, which a resume cuts back to the lines its checkpoint knew. */
export class MetricsLog {
  private fd: number | null = null;
  private count: number;

  /**
   * Opens `path` keeping its first `keepLines` complete lines (0 for a fresh run). A torn last line from
   * a killed process is dropped with the rest.
   */
  constructor(readonly path: string, keepLines: number) {
    let text = '';
    if (existsSync(path)) text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    // The text after the last newline (empty, or a torn line) is never a complete line.
    const complete = lines.length - 1;
    if (keepLines > complete) {
      throw new Error(`${path}: holds ${complete} complete lines, the checkpoint expects at least ${keepLines}`);
    }
    const kept = keepLines === 0 ? '' : lines.slice(0, keepLines).join('\n') + '\n';
    writeFileAtomic(path, kept);
    this.count = keepLines;
    this.fd = openSync(path, 'a');
  }

  /** Lines written so far. */
  get lines(): number {
    return this.count;
  }

  append(record: Record<string, unknown>): void {
    if (this.fd === null) throw new Error(`${this.path}: the metrics log is closed`);
    const line = Buffer.from(JSON.stringify(record) + '\n', 'utf8');
    let off = 0;
    while (off < line.length) off += writeSync(this.fd, line, off, line.length - off);
    this.count++;
  }

  /** Makes the lines durable; called before a checkpoint that counts them. */
  sync(): void {
    if (this.fd !== null) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== null) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = null;
    }
  }
}

/** The records of a metrics file, parsed. */
export function readMetrics(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, 'utf8');
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
