/**
 * The progress display of a sweep on stderr: one line per worker lane (its configuration and the trainer's
 * own progress) under a sweep line with the count and the ETA. On a terminal the block is redrawn in place
 * and log lines scroll above it; anywhere else (logs, CI) log lines are printed as they come and the block
 * as plain lines at most every 30 s.
 *
 * The ETA assumes the configurations still to run take as long as the mean of those finished in this
 * invocation (none finished yet: unknown), spread over the lanes.
 */
import { performance } from 'node:perf_hooks';
import { formatDuration } from '@ttrnn/training/node';
import type { ProgressStream } from '@ttrnn/training/node';

const seconds = (): number => performance.now() / 1000;

export class SweepDisplay {
  private readonly lanes: { id: string | null; status: string; started: number }[];
  private readonly durations: number[] = [];
  private done = 0;
  private total = 0;
  private shown = 0;
  private lastDraw = -Infinity;
  private readonly tty: boolean;

  constructor(
    private readonly out: ProgressStream,
    lanes: number,
  ) {
    this.lanes = Array.from({ length: lanes }, () => ({ id: null, status: '', started: 0 }));
    this.tty = out.isTTY === true;
  }

  /** Finished and total configurations of the sweep (finished ones read back included). */
  counts(done: number, total: number): void {
    [this.done, this.total] = [done, total];
    this.draw(true);
  }

  start(lane: number, id: string): void {
    this.lanes[lane] = { id, status: 'starting', started: seconds() };
    this.draw(true);
  }

  end(lane: number, took: number): void {
    this.durations.push(took);
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
    if (this.tty) this.erase();
    this.out.write(`${line}\n`);
    if (this.tty) this.draw(true);
  }

  /** Seconds left by the mean duration so far, or null before any configuration finished here. */
  private eta(): number | null {
    if (this.durations.length === 0) return null;
    const mean = this.durations.reduce((a, b) => a + b, 0) / this.durations.length;
    const running = this.lanes.filter((l) => l.id !== null);
    const waiting = Math.max(0, this.total - this.done - running.length);
    const work = waiting * mean + running.reduce((s, l) => s + Math.max(0, mean - (seconds() - l.started)), 0);
    return work / this.lanes.length;
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
    if (this.shown > 0) this.out.write(`\x1b[${this.shown}F\x1b[J`);
    this.shown = 0;
  }

  private draw(force: boolean): void {
    const t = seconds() * 1000;
    if (this.tty ? !force && t - this.lastDraw < 200 : force || t - this.lastDraw < 30_000) return;
    this.lastDraw = t;
    const eta = this.eta();
    const lines = [
      `sweep: ${this.done}/${this.total} configurations done, ${eta === null ? 'ETA unknown until one finishes' : `about ${formatDuration(eta)} left`}`,
      ...this.lanes.map((l, i) => `  worker ${i + 1}: ${l.id === null ? 'idle' : `${l.id} ${l.status}`}`),
    ];
    const cols = this.out.columns ?? 120;
    if (this.tty) this.erase();
    this.out.write(lines.map((l) => (this.tty ? `${l.slice(0, cols - 1)}\x1b[K\n` : `${l}\n`)).join(''));
    if (this.tty) this.shown = lines.length;
  }
}

/**
 * A terminal-like ProgressStream that hands on the trainer's redrawn bar as status text (at most every 0.5 s)
 * and its finished lines (epoch summaries) as log lines.
 */
export function forwardingStream(onStatus: (text: string) => void, onLog: (text: string) => void): ProgressStream {
  let last = -Infinity;
  return {
    isTTY: true,
    columns: 10_000,
    write(text: string) {
      // eslint-disable-next-line no-control-regex -- the trainer's terminal codes are what is stripped here
      const line = text.replace(/\r|\x1b\[K|\n/g, '').trim();
      if (line === '') return true;
      if (text.endsWith('\n')) onLog(line);
      else if (performance.now() - last >= 500) {
        last = performance.now();
        onStatus(line);
      }
      return true;
    },
  };
}
