import { describe, expect, it } from 'vitest';
import { Progress, formatDuration } from './progress.js';

function sink(isTTY: boolean): { out: string[]; stream: { write(s: string): void; isTTY: boolean; columns: number } } {
  const out: string[] = [];
  return { out, stream: { write: (s: string) => void out.push(s), isTTY, columns: 200 } };
}

describe('Progress', () => {
  it('prints plain lines at most every interval when not a TTY', () => {
    let t = 0;
    const { out, stream } = sink(false);
    const p = new Progress({ stream, now: () => t, total: 100, lineIntervalMs: 1000 });
    p.update(0);
    for (let s = 1; s <= 100; s++) {
      t += 100; // 10 steps/s
      p.update(s, { loss: 0.5 });
    }
    expect(out.length).toBe(10);
    expect(out[0]).toMatch(/^step 10\/100, loss 0\.5000, 10\.00 steps\/s, 9s left\n$/);
    expect(out.every((l) => !l.includes('\r'))).toBe(true);
  });
  it('redraws one bar on a TTY and keeps messages above it', () => {
    let t = 0;
    const { out, stream } = sink(true);
    const p = new Progress({ stream, now: () => t, total: 4, label: 'mnist' });
    p.update(0);
    t += 1000;
    p.update(2, { loss: 1 });
    p.message('epoch 1 done');
    p.finish();
    expect(out[0]).toMatch(/^\rmnist \[#{12}\.{12}\] step 2\/4/);
    expect(out[1]).toBe('\r\x1b[Kepoch 1 done\n');
    const narrow = sink(true);
    const q = new Progress({
      stream: { ...narrow.stream, columns: 90 },
      now: () => t,
      total: 4,
      label: 'x'.repeat(40),
    });
    q.update(0);
    t += 1000;
    q.update(1, { loss: 1 });
    expect(narrow.out[0]!.startsWith('\r[######..................] step 1/4 ')).toBe(true);
    expect(narrow.out[0]!.endsWith(' left\x1b[K')).toBe(true);
  });
  it('formats durations', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(187)).toBe('3m07s');
    expect(formatDuration(3720)).toBe('1h02m');
    expect(formatDuration(Infinity)).toBe('?');
  });
});
