import { describe, expect, it } from 'vitest';
import { SweepDisplay, forwardingStream } from './sweep_display.js';

/** A stream that records what is written to it, as a terminal of `columns` or as a log file. */
function captured(isTTY: boolean, columns = 80) {
  const writes: string[] = [];
  return { stream: { isTTY, columns, write: (t: string) => writes.push(t) }, writes, text: () => writes.join('') };
}

const BAR = 'mnist-lstm-h128-0123456789 [###.......] step 3/10  epoch 1  loss 0.5000';

describe('the sweep display on a terminal', () => {
  it('draws the sweep line and one line per lane, redrawn in place around log lines, erased on close', () => {
    const { stream, writes, text } = captured(true);
    const d = new SweepDisplay(stream, 2);
    d.counts(0, 5);
    expect(text()).toBe(
      'sweep: 0/5 configurations done, ETA unknown until one finishes\x1b[K\n' +
        '  worker 1: idle\x1b[K\n' +
        '  worker 2: idle\x1b[K\n',
    );
    d.start(0, 'mnist-lstm');
    d.status(0, BAR); // within 200 ms of the last draw: kept for the next one
    writes.length = 0;
    d.log('mnist-gru: finished');
    // The block is erased (3 lines up, clear), the line printed, the block drawn again below it with the
    // trainer's bar and numbers but not its label (the id says the same).
    expect(text()).toBe(
      '\x1b[3F\x1b[J' +
        'mnist-gru: finished\n' +
        'sweep: 0/5 configurations done, ETA unknown until one finishes\x1b[K\n' +
        '  worker 1: mnist-lstm [###.......] step 3/10  epoch 1  loss 0.5000\x1b[K\n' +
        '  worker 2: idle\x1b[K\n',
    );
    writes.length = 0;
    d.close();
    expect(text()).toBe('\x1b[3F\x1b[J');
  });

  it('estimates the time left from the configurations finished so far, spread over the lanes', () => {
    const { stream, writes } = captured(true);
    const d = new SweepDisplay(stream, 2);
    d.start(0, 'a');
    d.end(0, 60);
    d.counts(1, 5); // 4 waiting × 60 s over 2 lanes
    expect(writes.at(-1)).toContain('sweep: 1/5 configurations done, about 2m00s left');
  });

  it('cuts lines to the width of the terminal', () => {
    const { stream, text } = captured(true, 30);
    const d = new SweepDisplay(stream, 1);
    d.start(0, 'mnist-ttlstm-c2-r2');
    d.log('x');
    const lines = text()
      .split('\n')
      .filter((l) => l.endsWith('\x1b[K'));
    expect(lines).toHaveLength(4); // the block (sweep line, one lane) drawn twice
    // Each drawn line is at most 29 characters, then the clear-to-end-of-line code.
    for (const l of lines) expect(l.split('\x1b[K')[0]!.length).toBeLessThanOrEqual(29);
  });
});

describe('the sweep display in a log (not a terminal)', () => {
  it('prints log lines as they come and the block as plain lines, at most every 30 s', () => {
    const { stream, writes, text } = captured(false);
    const d = new SweepDisplay(stream, 1);
    d.counts(0, 2);
    d.start(0, 'mnist-lstm');
    expect(writes).toEqual([]); // no redraws in a log
    d.log('mnist-lstm: starting');
    expect(text()).toBe('mnist-lstm: starting\n');
    d.status(0, BAR);
    expect(text()).toBe(
      'mnist-lstm: starting\n' +
        'sweep: 0/2 configurations done, ETA unknown until one finishes\n' +
        '  worker 1: mnist-lstm [###.......] step 3/10  epoch 1  loss 0.5000\n',
    );
    d.status(0, BAR.replace('step 3/10', 'step 4/10'));
    expect(writes).toHaveLength(2); // the next block only 30 s later
    d.close();
    expect(writes).toHaveLength(2);
  });
});

describe('forwardingStream', () => {
  it("hands on the trainer's redrawn bar as status (at most every 0.5 s) and its finished lines as log lines", () => {
    const status: string[] = [];
    const logs: string[] = [];
    const s = forwardingStream(
      (t) => status.push(t),
      (t) => logs.push(t),
    );
    expect(s.isTTY).toBe(true); // so the trainer draws its bar in place
    s.write('\r\x1b[K' + BAR);
    s.write('\r\x1b[K' + BAR.replace('step 3/10', 'step 4/10')); // within 0.5 s: dropped
    s.write('epoch 1: trainLoss 0.5, valAccuracy 0.9\n');
    s.write('\n');
    expect(status).toEqual([BAR]);
    expect(logs).toEqual(['epoch 1: trainLoss 0.5, valAccuracy 0.9']);
  });
});
