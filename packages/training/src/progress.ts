/**
 * Progress of a training run on stderr: a redrawn bar on a terminal, plain periodic lines otherwise
 * (logs, CI). The clock is injected: library code never reads it.
 */

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  readonly stream: ProgressStream;
  /** Milliseconds since some origin. */
  readonly now: () => number;
  /** Steps of the whole run. */
  readonly total: number;
  readonly label?: string;
  /** Minimum milliseconds between plain lines (non-TTY); default 10 s. */
  readonly lineIntervalMs?: number;
  /** Minimum milliseconds between redraws on a TTY; default 100 ms. */
  readonly redrawIntervalMs?: number;
}

/** Seconds as `1h02m`, `3m07s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

export class Progress {
  private readonly o: Required<Omit<ProgressOptions, 'label'>> & { label: string };
  private startTime: number | null = null;
  private startStep = 0;
  private lastDraw = -Infinity;
  private barShown = false;

  constructor(options: ProgressOptions) {
    this.o = { lineIntervalMs: 10_000, redrawIntervalMs: 100, label: '', ...options };
  }

  private get tty(): boolean {
    return this.o.stream.isTTY === true;
  }

  /** Reports that `step` of `total` steps are done (counting steps of earlier, resumed sessions). */
  update(step: number, info: { readonly loss?: number; readonly epoch?: number } = {}): void {
    const t = this.o.now();
    if (this.startTime === null) {
      this.startTime = t;
      this.startStep = step;
      this.lastDraw = t;
      return;
    }
    const force = step >= this.o.total;
    if (!force && t - this.lastDraw < (this.tty ? this.o.redrawIntervalMs : this.o.lineIntervalMs)) return;
    this.lastDraw = t;
    const elapsed = (t - this.startTime) / 1000;
    const rate = elapsed > 0 ? (step - this.startStep) / elapsed : 0;
    const left = rate > 0 ? (this.o.total - step) / rate : Infinity;
    const parts = [
      `step ${step}/${this.o.total}`,
      ...(info.epoch !== undefined ? [`epoch ${info.epoch + 1}`] : []),
      ...(info.loss !== undefined ? [`loss ${info.loss.toFixed(4)}`] : []),
      `${rate.toFixed(2)} steps/s`,
      `${formatDuration(left)} left`,
    ];
    const prefix = this.o.label ? `${this.o.label} ` : '';
    if (this.tty) {
      const width = 24;
      const filled = Math.min(width, Math.round((width * step) / Math.max(1, this.o.total)));
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${parts.join('  ')}`;
      const cols = this.o.stream.columns ?? 120;
      // On a narrow terminal the label goes first: the numbers matter more.
      const line = prefix.length + bar.length < cols ? prefix + bar : bar;
      this.o.stream.write(`\r${line.slice(0, cols - 1)}\x1b[K`);
      this.barShown = true;
    } else {
      this.o.stream.write(`${prefix}${parts.join(', ')}\n`);
    }
  }

  /** Prints a line of its own (an epoch summary), keeping the bar below it on a TTY. */
  message(text: string): void {
    if (this.tty && this.barShown) {
      this.o.stream.write(`\r\x1b[K${text}\n`);
      this.lastDraw = -Infinity;
    } else {
      this.o.stream.write(`${text}\n`);
    }
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.tty && this.barShown) this.o.stream.write('\n');
    this.barShown = false;
  }
}
