import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { Rng } from '@ttrnn/random';
import { ttFull } from './tt_matrix.js';
import { ttRound, ttRoundFloat64 } from './tt_round.js';
import { ttTensorFull, ttTensorFull64 } from './tt_tensor.js';
import type { Core64 } from './tt_tensor.js';
import { intCores64, rankBounds, relErr, ttTensorArb } from './test_util/tt64.js';

/**
 * The TT of A + B: block-diagonal cores (first core concatenated along the
 * right rank, last along the left rank), ranks r^A + r^B. With d = 1 the
 * blocks overlap and add, as they must.
 */
function ttAdd64(a: Core64[], b: Core64[]): Core64[] {
  const d = a.length;
  return a.map((ca, k) => {
    const cb = b[k]!;
    const [ra0, n, ra1] = ca.shape;
    const [rb0, , rb1] = cb.shape;
    const r0 = k === 0 ? 1 : ra0 + rb0;
    const r1 = k === d - 1 ? 1 : ra1 + rb1;
    const data = new Float64Array(r0 * n * r1);
    const put = (c: Core64, o0: number, o1: number) => {
      const [s0, , s1] = c.shape;
      for (let x = 0; x < s0; x++)
        for (let i = 0; i < n; i++)
          for (let y = 0; y < s1; y++) data[((x + o0) * n + i) * r1 + y + o1]! += c.data[(x * n + i) * s1 + y]!;
    };
    put(ca, 0, 0);
    put(cb, k === 0 ? 0 : ra0, k === d - 1 ? 0 : ra1);
    return { data, shape: [r0, n, r1] };
  });
}

const ttArb = ttTensorArb(5, 4);

describe('ttRoundFloat64', () => {
  it('brings X + X (doubled ranks) back to the ranks of X, within eps', () => {
    fc.assert(
      fc.property(ttArb, ({ modes, ranks, seed }) => {
        const x = intCores64(modes, ranks, new Rng(seed));
        const sum = ttAdd64(x, x);
        const res = ttRoundFloat64(sum, { eps: 1e-8 });
        const bounds = rankBounds(modes);
        res.ranks.forEach((r, k) => expect(r).toBeLessThanOrEqual(Math.min(ranks[k]!, bounds[k]!)));
        const expected = ttTensorFull64(x).map((v) => 2 * v);
        expect(relErr(ttTensorFull64(res.cores), expected)).toBeLessThan(1e-8);
        expect(res.relativeError).toBeLessThan(1e-8);
      }),
      { seed: 37, numRuns: 50 },
    );
  });

  it('keeps ‖A − Â‖ ≤ eps‖A‖ on full-rank TTs and reports the measured error', () => {
    fc.assert(
      fc.property(ttArb, ttArb, fc.double({ min: 0.01, max: 0.6, noNaN: true }), (a, b, eps) => {
        // A sum of two random TTs on the same modes: ranks usually above the bounds, then cut.
        const x = intCores64(a.modes, a.ranks, new Rng(a.seed));
        const y = intCores64(a.modes, [1, ...a.modes.slice(1).map((_, k) => b.ranks[k + 1] ?? 2), 1], new Rng(b.seed));
        const sum = ttAdd64(x, y);
        const full = ttTensorFull64(sum);
        const res = ttRoundFloat64(sum, { eps });
        const measured = relErr(ttTensorFull64(res.cores), full);
        expect(measured).toBeLessThanOrEqual(eps * (1 + 1e-10) + 1e-12);
        expect(Math.abs(measured - res.relativeError)).toBeLessThan(1e-10);
        res.ranks.forEach((r, k) => expect(r).toBeLessThanOrEqual(sum[k]?.shape[0] ?? 1));
      }),
      { seed: 41, numRuns: 50 },
    );
  });

  it('respects maxRank and reports the error it causes', () => {
    fc.assert(
      fc.property(ttArb, fc.integer({ min: 1, max: 3 }), ({ modes, ranks, seed }, maxRank) => {
        const x = intCores64(modes, ranks, new Rng(seed));
        const full = ttTensorFull64(x);
        const res = ttRoundFloat64(x, { maxRank });
        res.ranks.slice(1, -1).forEach((r) => expect(r).toBeLessThanOrEqual(maxRank));
        expect(Math.abs(relErr(ttTensorFull64(res.cores), full) - res.relativeError)).toBeLessThan(1e-10);
      }),
      { seed: 43, numRuns: 40 },
    );
  });

  it('rounds the zero TT to rank 1 with zero error', () => {
    const zero = intCores64([2, 3, 2], [1, 2, 2, 1], new Rng(1)).map((c) => ({
      ...c,
      data: new Float64Array(c.data.length),
    }));
    const res = ttRoundFloat64(zero, { eps: 0.1 });
    expect(res.ranks).toEqual([1, 1, 1, 1]);
    expect(res.relativeError).toBe(0);
    expect(Array.from(ttTensorFull64(res.cores)).every((v) => v === 0)).toBe(true);
  });
});

describe('ttRound', () => {
  it('rounds TT matrices (sum of a TT matrix with itself) in the ttFull layout', async () => {
    const rng = new Rng(7);
    const shape = { inModes: [2, 3, 2], outModes: [3, 2, 2], ranks: [1, 2, 2, 1] };
    // X + X as TT-matrix cores: rounding as a TT tensor over modes m_k·n_k.
    const x64 = intCores64(
      shape.inModes.map((n, k) => n * shape.outModes[k]!),
      shape.ranks,
      rng,
    );
    const sum = ttAdd64(x64, x64);
    const cores = sum.map((c, k) =>
      tf.tensor4d(Float32Array.from(c.data), [c.shape[0], shape.outModes[k]!, shape.inModes[k]!, c.shape[2]]),
    );
    expect(cores.map((c) => c.shape[3])).toEqual([4, 4, 1]);
    const res = await ttRound(cores, { eps: 1e-5 });
    expect(res.ranks).toEqual([1, 2, 2, 1]);
    expect(res.cores.map((c) => c.shape)).toEqual([
      [1, 3, 2, 2],
      [2, 2, 3, 2],
      [2, 2, 2, 1],
    ]);
    const before = ttFull(cores);
    const after = ttFull(res.cores);
    expect(relErr(await after.data(), await before.data())).toBeLessThan(1e-6);
    tf.dispose([...cores, ...res.cores, before, after]);
  });

  it('rounds TT tensors given as tf cores', async () => {
    const x64 = intCores64([3, 4, 2], [1, 2, 3, 1], new Rng(9));
    const cores = ttAdd64(x64, x64).map((c) => tf.tensor3d(Float32Array.from(c.data), [...c.shape]));
    const res = await ttRound(cores, { maxRank: 3, eps: 1e-5 });
    expect(res.ranks).toEqual([1, 2, 2, 1]);
    const before = ttTensorFull(cores);
    const after = ttTensorFull(res.cores);
    expect(relErr(await after.data(), await before.data())).toBeLessThan(1e-6);
    tf.dispose([...cores, ...res.cores, before, after]);
  });

  it('rejects bad arguments, naming them and the function', async () => {
    const cores = [tf.zeros([1, 2, 2]), tf.zeros([2, 3, 1])];
    await expect(ttRound(cores, { maxRank: 0 })).rejects.toThrow(
      "'maxRank' passed to 'ttRound' must be a positive integer, got 0",
    );
    await expect(ttRound(cores, { eps: 1.5 })).rejects.toThrow(
      "'eps' passed to 'ttRound' must be a number in (0, 1), got 1.5",
    );
    await expect(ttRound(cores, {})).rejects.toThrow(
      "'options' passed to 'ttRound' must set 'maxRank' or 'eps', got {}",
    );
    await expect(ttRound([], { eps: 0.1 })).rejects.toThrow(/'cores' passed to 'ttRound' must be a non-empty array/);
    const bad = [tf.zeros([1, 2, 2]), tf.zeros([3, 3, 1])];
    await expect(ttRound(bad, { eps: 0.1 })).rejects.toThrow(
      "'cores[1]' passed to 'ttRound' has left rank 3 but cores[0] has right rank 2",
    );
    const nan = [tf.tensor3d([1, Number.NaN], [1, 2, 1])];
    await expect(ttRound(nan, { eps: 0.1 })).rejects.toThrow(
      "'cores[0]' passed to 'ttRound' must contain only finite values, got NaN at flat index 1",
    );
    tf.dispose([...cores, ...bad, ...nan]);
  });
});
