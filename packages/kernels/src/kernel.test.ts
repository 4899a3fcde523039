import { afterAll, describe, expect, it } from 'vitest';
import { RecurrentKernels, kernelsAvailable, threadsFromEnv } from './kernel.js';
import type { KernelCell, SequenceShape } from './kernel.js';
import { closeness, randomInputs, referenceForward, roundInputs, toF32, values } from './test_util/reference.js';
import type { Inputs64 } from './test_util/reference.js';

const one = new RecurrentKernels(1);
const pools = [2, 3].map((n) => new RecurrentKernels(n));
afterAll(async () => {
  await Promise.all([one, ...pools].map((k) => k.close()));
});

// Batch 5 (a block of 4 rows and a single row), hidden 6 (gate widths 24 and 18: column blocks of 8,
// 4 and a partial block), 3 steps; and a shape with whole blocks.
const SHAPES: SequenceShape[] = [
  { steps: 3, batch: 5, hidden: 6 },
  { steps: 2, batch: 4, hidden: 8 },
];
const CELLS: KernelCell[] = ['lstm', 'gru'];

describe.each(CELLS)('%s kernel', (cell) => {
  it.each(SHAPES)('forward equals the float64 equations (%o)', (shape) => {
    const p = roundInputs(randomInputs(cell, shape, 7));
    const r = one.forward(cell, shape, toF32(p));
    expect(closeness(r.out, referenceForward(cell, shape, p), 2e-6, 2e-6)).toBeNull();
  });

  it.each(SHAPES)('backward equals central differences of the float64 forward (%o)', (shape) => {
    const p = roundInputs(randomInputs(cell, shape, 11));
    const f = toF32(p);
    const fw = one.forward(cell, shape, f);
    const dOut = values(fw.out.length, 99);
    const saved = { out: fw.out.slice(), cc: fw.cc?.slice() ?? null, acts: fw.acts.slice() };
    const g = one.backward(cell, shape, { w: f.w, h0: f.h0, ...saved, dOut: Float32Array.from(dOut) });
    const loss = (q: Inputs64) => referenceForward(cell, shape, q).reduce((s, v, i) => s + v * dOut[i]!, 0);
    const fd = (key: keyof Inputs64): Float64Array => {
      const base = p[key];
      const grad = new Float64Array(base.length);
      const eps = 1e-6;
      for (let i = 0; i < base.length; i++) {
        const plus = { ...p, [key]: Float64Array.from(base) };
        plus[key][i]! += eps;
        const minus = { ...p, [key]: Float64Array.from(base) };
        minus[key][i]! -= eps;
        grad[i] = (loss(plus) - loss(minus)) / (2 * eps);
      }
      return grad;
    };
    expect(closeness(g.dxp, fd('xp'), 1e-4, 1e-4)).toBeNull();
    expect(closeness(g.dbx, fd('bx'), 1e-4, 1e-4)).toBeNull();
    expect(closeness(g.dw, fd('w'), 1e-4, 1e-4)).toBeNull();
    expect(closeness(g.dbh, fd('bh'), 1e-4, 1e-4)).toBeNull();
    expect(closeness(g.dh0, fd('h0'), 1e-4, 1e-4)).toBeNull();
    if (cell === 'lstm') expect(closeness(g.dc0!, fd('c0'), 1e-4, 1e-4)).toBeNull();
    else expect(g.dc0).toBeNull();
  });

  it('gives the same numbers on 1, 2 and 3 threads (rows split between threads)', () => {
    const shape = { steps: 4, batch: 11, hidden: 12 };
    const f = toF32(randomInputs(cell, shape, 3));
    const run = (k: RecurrentKernels) => {
      const fw = k.forward(cell, shape, f);
      const saved = { out: fw.out.slice(), cc: fw.cc?.slice() ?? null, acts: fw.acts.slice() };
      const dOut = Float32Array.from(values(fw.out.length, 5));
      const g = k.backward(cell, shape, { w: f.w, h0: f.h0, ...saved, dOut });
      return [saved.out, g.dxp, g.dbx, g.dw, g.dbh, g.dh0, g.dc0].map((a) => (a === null ? null : Array.from(a)));
    };
    const ref = run(one);
    for (const k of pools) {
      expect(k.threads).toBe(pools.indexOf(k) + 2);
      // Each row is computed by the same float operations whichever thread owns it: identical.
      expect(run(k)).toEqual(ref);
    }
  });
});

describe('RecurrentKernels arguments', () => {
  it('names the argument and the expected size', () => {
    const shape = { steps: 2, batch: 3, hidden: 4 };
    const f = toF32(randomInputs('lstm', shape, 1));
    expect(() => one.forward('lstm', shape, { ...f, xp: new Float32Array(5) })).toThrow(
      /'xp' passed to 'RecurrentKernels.forward' must hold 96 values \(\[steps·batch, 16\]\), got 5/,
    );
    expect(() => one.forward('lstm', { ...shape, steps: 0 }, f)).toThrow(
      /'steps' passed to 'RecurrentKernels.forward' must be a positive integer, got 0/,
    );
    expect(() => one.forward('rnn' as KernelCell, shape, f)).toThrow(/'cell' .* must be 'lstm' or 'gru'/);
  });

  it('reports the bytes its largest call laid out', () => {
    const k = new RecurrentKernels(1);
    const shape = { steps: 3, batch: 4, hidden: 8 };
    k.forward('gru', shape, toF32(randomInputs('gru', shape, 2)));
    // xp, bx, bh, w, packed w, [h0; hs; slot], acts, scratch: 288 + 24 + 24 + 192 + 192 + 160 + 384 + 96 floats,
    // each buffer rounded up to 64 bytes.
    const floats = [288, 24, 24, 192, 192, 160, 0, 384, 96];
    expect(k.peakBytes).toBe(floats.reduce((s, n) => s + Math.ceil((n * 4) / 64) * 64, 0));
    k.resetPeakBytes();
    expect(k.peakBytes).toBe(0);
    void k.close();
  });

  it('are available in Node (WebAssembly SIMD)', () => {
    expect(kernelsAvailable()).toBe(true);
  });

  it('reads TTRNN_THREADS', () => {
    expect(threadsFromEnv({ TTRNN_THREADS: '3' })).toBe(3);
    expect(threadsFromEnv({})).toBeGreaterThanOrEqual(1);
    expect(() => threadsFromEnv({ TTRNN_THREADS: 'two' })).toThrow(
      /TTRNN_THREADS must be a positive integer .* got 'two'/,
    );
  });
});
