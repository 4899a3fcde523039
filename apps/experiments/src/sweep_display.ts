/**
 * The progress display of a sweep on stderr: one line per worker lane (its configuration and the trainer's
 * own progress) under a sweep line with the count and the ETA. On a terminal the block is redrawn in place
 * and log lines scroll above it; anywhere else (logs, CI) log lines are printed as they come and the block
 * as plain lines at most every `intervalMs`.
 *
 * The ETA assumes the configurations still to run take as long as the mean of those finished in this
 * invocation (none finished yet: unknown), spread over the lanes.
 */
import { formatDuration } from '@ttrnn/training/node';
import { performance } from 'node:perf_hooks';
import type { ProgressStream } from '@ttrnn/training/node';

export interface SweepDisplayOptions {
  readonly stream: ProgressStream;
  readonly lanes: number;
  /** Seconds on a monotonic clock. */
  readonly now: () => number;
  /** Minimum milliseconds between plain status blocks when the stream is not a terminal (default 30 s). */
  readonly intervalMs?: number;
}

interface Lane {
  id: string | null;
  status: string;
  started: number;
}

export class SweepDisplay {
  private readonly lanes: Lane[];
  private readonly durations: number[] = [];
  private done = 0;
  private total = 0;
  private shown = 0;
  private lastDraw = -Infinity;

  constructor(private readonly o: SweepDisplayOptions) {
    this.lanes = Array.from({ length: o.lanes }, () => ({ id: null, status: '', started: 0 }));
  }

  private get tty(): boolean {
    return this.o.stream.isTTY === true;
  }

  /** Finished and total configurations of the sweep (finished ones read back included). */
  counts(done: number, total: number): void {
    this.done = done;
    this.total = total;
    this.draw(true);
  }

  start(lane: number, id: string): void {
    this.lanes[lane] = { id, status: 'starting', started: this.o.now() };
    this.draw(true);
  }

  end(lane: number, seconds: number): void {
    this.durations.push(seconds);
    this.lanes[lane] = { id: null, status: '', started: 0 };
  }

  /** The latest progress line of a lane's trainer. */
  status(lane: number, text: string): void {
    const l = this.lanes[lane];
    if (l === undefined || l.id === null) return;
    // The trainer's label (its run name) is long and says what the id says: keep the bar and the numbers.
    const at = text.search(/\[[#.]*\]|step \d/);
    l.status = at > 0 ? text.slice(at) : text;
    this.draw(false);
  }

  /** A line of its own (a configuration started or finished, an epoch summary). */
  log(line: string): void {
    if (!this.tty) {
      this.o.stream.write(`${line}\n`);
      return;
    }
    this.erase();
    this.o.stream.write(`${line}\n`);
    this.draw(true);
  }

  /** Seconds left by the mean duration so far, or null before any configuration finished here. */
  eta(): number | null {
    if (this.durations.length === 0) return null;
    const mean = this.durations.reduce((a, b) => a + b, 0) / this.durations.length;
    const now = this.o.now();
    const running = this.lanes.filter((l) => l.id !== null);
    const waiting = Math.max(0, this.total - this.done - running.length);
    const work = waiting * mean + running.reduce((s, l) => s + Math.max(0, mean - (now - l.started)), 0);
    return work / this.lanes.length;
  }

  lines(): string[] {
    const eta = this.eta();
    const head = `sweep: ${this.done}/${this.total} configurations done, ${eta === null ? 'ETA unknown until one finishes' : `about ${formatDuration(eta)} left`}`;
    return [head, ...this.lanes.map((l, i) => `  worker ${i + 1}: ${l.id === null ? 'idle' : `${l.id} ${l.status}`}`)];
  }

  /** A stream for a trainer's progress output on `lane`: its bar becomes the lane's status, its lines log lines. */
  stream(lane: number): ProgressStream {
    return forwardingStream(
      (t) => this.status(lane, t),
      (t) => this.log(t),
    );
  }

  /** Removes the block from a terminal (before the final summary). */
  close(): void {
    if (this.tty) this.erase();
  }

  private erase(): void {
    if (this.shown > 0) this.o.stream.write(`\x1b[${this.shown}F\x1b[J`);
    this.shown = 0;
  }

  private draw(force: boolean): void {
    const t = this.o.now() * 1000;
    if (!force && t - this.lastDraw < (this.tty ? 200 : (this.o.intervalMs ?? 30_000))) return;
    if (!this.tty && force) return;
    this.lastDraw = t;
    const cols = this.o.stream.columns ?? 120;
    const lines = this.lines().map((l) => (this.tty ? l.slice(0, cols - 1) : l));
    if (this.tty) this.erase();
    this.o.stream.write(lines.map((l) => `${l}${this.tty ? '\x1b[K' : ''}\n`).join(''));
    if (this.tty) this.shown = lines.length;
  }
}

/**
 * A terminal-like ProgressStream that hands on the trainer's redrawn bar as status text (at most every
 * `minMs`) and its finished lines (epoch summaries) as log lines.
 */
export function forwardingStream(
  onStatus: (text: string) => void,
  onLog: (text: string) => void,
  minMs = 500,
): ProgressStream {
  let last = -Infinity;
  return {
    isTTY: true,
    columns: 10_000,
    write(text: string) {
      // eslint-disable-next-line no-control-regex -- the trainer's terminal codes are what is stripped here
      const line = text.replace(/\r|\x1b\[K|\n/g, '').trim();
      if (line === '') return true;
      if (text.endsWith('\n')) onLog(line);
      else if (performance.now() - last >= minMs) {
        last = performance.now();
        onStatus(line);
      }
      return true;
    },
  };
}
