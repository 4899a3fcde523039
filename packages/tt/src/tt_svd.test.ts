import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { Rng } from '@ttrnn/random';
import { assertClose } from '@ttrnn/test-utils';
import { ttFull } from './tt_matrix.js';
import { coreShape } from './tt_shape.js';
import type { TTMatrixShape } from './tt_shape.js';
import { ttMatrixSvd, ttSvd, ttSvdFloat64 } from './tt_svd.js';
import { coresToFloat64, ttTensorFull, ttTensorFull64 } from './tt_tensor.js';
import { naiveFull } from '@ttrnn/test-utils/tt-oracle';
import { intValues } from './test_util/random.js';
import { intCores64, rankBounds, relErr, ttTensorArb } from './test_util/tt64.js';
import { loadReference } from '@ttrnn/test-utils/reference';
import type { RefArray } from '@ttrnn/test-utils/reference';

const tensorArb = ttTensorArb(5, 3);

const ttMatrixArb = fc
  .integer({ min: 1, max: 3 })
  .chain((d) =>
    fc.record({
      inModes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: d, maxLength: d }),
      outModes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: d, maxLength: d }),
      inner: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: d - 1, maxLength: d - 1 }),
      seed: fc.integer({ min: 0, max: 1e6 }),
    }),
  )
  .map(({ inModes, outModes, inner, seed }) => ({
    shape: { inModes, outModes, ranks: [1, ...inner, 1] } as TTMatrixShape,
    seed,
  }));

describe('ttMatrixSvd', () => {
  it('recovers TT matrices: ttMatrixSvd(ttFull(cores)) rebuilds through ttFull with no larger ranks', async () => {
    await fc.assert(
      fc.asyncProperty(ttMatrixArb, async ({ shape, seed }) => {
        const rng = new Rng(seed);
        const cores = shape.inModes.map((_, k) => intValues(coreShape(shape, k), rng));
        // The float64 oracle as input, so the matrix has exactly these TT ranks.
        const oracle = naiveFull(cores.map((c) => ({ shape: c.shape, data: c.dataSync() })));
        const res = await ttMatrixSvd({ data: oracle.data, rows: oracle.rows, cols: oracle.cols }, shape, {
          eps: 1e-6,
        });
        res.ranks.forEach((r, k) => expect(r).toBeLessThanOrEqual(shape.ranks[k]!));
        expect(res.cores.map((c) => c.shape)).toEqual(
          res.cores.map((_, k) => [res.ranks[k], shape.outModes[k], shape.inModes[k], res.ranks[k + 1]]),
        );
        expect(res.relativeError).toBeLessThan(1e-6);
        const w = ttFull(res.cores);
        const rebuilt = await w.data();
        expect(relErr(rebuilt, oracle.data)).toBeLessThan(1e-6);
        // The same through the float32 tensor path.
        const wIn = ttFull(cores);
        const res32 = await ttMatrixSvd(wIn, shape, { eps: 1e-5 });
        const w32 = ttFull(res32.cores);
        expect(relErr(await w32.data(), await wIn.data())).toBeLessThan(1e-5);
        tf.dispose([...cores, ...res.cores, w, wIn, ...res32.cores, w32]);
      }),
      { seed: 17, numRuns: 40 },
    );
  });

  it('recovers the original layer (tt_matmul_3core) from its dense W', async () => {
    const ref = loadReference()['tt_matmul_3core'] as { layer: { W: RefArray } };
    const [rows, cols] = ref.layer.W.shape as [number, number];
    const w = tf.tensor2d(ref.layer.W.data, [rows, cols]);
    const res = await ttMatrixSvd(w, { inModes: [2, 3, 2], outModes: [3, 2, 2] }, { eps: 1e-5 });
    // The stored cores have ranks [1, 2, 3, 1]; TT-SVD cannot need more.
    res.ranks.forEach((r, k) => expect(r).toBeLessThanOrEqual([1, 2, 3, 1][k]!));
    const full = ttFull(res.cores);
    assertClose(await full.data(), ref.layer.W.data, { atol: 1e-5, rtol: 1e-4 }, 'rebuilt W');
    tf.dispose([w, full, ...res.cores]);
  });

  it('reports the achieved error exactly and keeps it within eps on low-rank-plus-noise matrices', async () => {
    await fc.assert(
      fc.asyncProperty(ttMatrixArb, fc.double({ min: 0.02, max: 0.5, noNaN: true }), async ({ shape, seed }, eps) => {
        const rng = new Rng(seed);
        const cores = shape.inModes.map((_, k) => intValues(coreShape(shape, k), rng));
        const oracle = naiveFull(cores.map((c) => ({ shape: c.shape, data: c.dataSync() })));
        const scale = Math.sqrt(oracle.data.reduce((a, b) => a + b * b, 0) / oracle.data.length);
        const noisy = oracle.data.map((v) => v + 0.1 * scale * rng.normal());
        const res = await ttMatrixSvd({ data: noisy, rows: oracle.rows, cols: oracle.cols }, shape, { eps });
        const w = ttFull(res.cores);
        const measured = relErr(await w.data(), noisy);
        expect(measured).toBeLessThanOrEqual(eps + 1e-6);
        expect(Math.abs(measured - res.relativeError)).toBeLessThan(1e-6);
        tf.dispose([...cores, ...res.cores, w]);
      }),
      { seed: 19, numRuns: 30 },
    );
  });

  it('respects maxRank given as a number or as TTMatrixShape-style ranks', async () => {
    const rng = new Rng(5);
    const w = intValues([24, 36], rng);
    const shape = { inModes: [2, 3, 4], outModes: [3, 3, 4] };
    const a = await ttMatrixSvd(w, shape, { maxRank: 2 });
    expect(a.ranks).toEqual([1, 2, 2, 1]);
    const b = await ttMatrixSvd(w, shape, { maxRank: [1, 3, 5, 1] });
    expect(b.ranks).toEqual([1, 3, 5, 1]);
    // Both caps bind, so the error is positive, and more rank means less error.
    expect(a.relativeError).toBeGreaterThan(b.relativeError);
    expect(b.relativeError).toBeGreaterThan(0);
    tf.dispose([w, ...a.cores, ...b.cores]);
  });

  it('rejects bad arguments, naming them and the function', async () => {
    const w = tf.zeros([6, 4]);
    const shape = { inModes: [2, 3], outModes: [2, 2] };
    await expect(ttMatrixSvd(w, shape, { maxRank: 0 })).rejects.toThrow(
      "'maxRank' passed to 'ttMatrixSvd' must be a positive integer, got 0",
    );
    await expect(ttMatrixSvd(w, shape, { eps: 1 })).rejects.toThrow(
      "'eps' passed to 'ttMatrixSvd' must be a number in (0, 1), got 1",
    );
    await expect(ttMatrixSvd(w, shape, {})).rejects.toThrow(
      "'options' passed to 'ttMatrixSvd' must set 'maxRank' or 'eps', got {}",
    );
    await expect(ttMatrixSvd(w, { inModes: [2, 2], outModes: [2, 2] }, { eps: 0.1 })).rejects.toThrow(
      "'inModes' passed to 'ttMatrixSvd' must multiply to the number of rows of 'w' (6), got [2, 2] (product 4)",
    );
    await expect(ttMatrixSvd(w, { inModes: [2, 3], outModes: [4] }, { eps: 0.1 })).rejects.toThrow(
      "'outModes' passed to 'ttMatrixSvd' must have as many modes as inModes (2), got 1",
    );
    await expect(ttMatrixSvd(w, { inModes: [2, 1.5], outModes: [2, 2] }, { eps: 0.1 })).rejects.toThrow(
      "'inModes[1]' passed to 'ttMatrixSvd' must be an integer >= 1, got 1.5",
    );
    await expect(ttMatrixSvd(w, shape, { maxRank: [2, 2] })).rejects.toThrow(
      "'maxRank' passed to 'ttMatrixSvd' must have d − 1 = 1 or d + 1 = 3 entries, got 2",
    );
    const nan = tf.tensor2d([1, 2, Number.NaN, 4], [2, 2]);
    await expect(ttMatrixSvd(nan, { inModes: [2], outModes: [2] }, { eps: 0.1 })).rejects.toThrow(
      "'w' passed to 'ttMatrixSvd' must contain only finite values, got NaN at flat index 2",
    );
    const vec = tf.zeros([6]);
    await expect(ttMatrixSvd(vec, shape, { eps: 0.1 })).rejects.toThrow(
      "'w' passed to 'ttMatrixSvd' must be a rank-2 tensor [N, M], got shape [6]",
    );
    await expect(
      ttMatrixSvd(
        { data: [1, 2] as unknown as Float64Array, rows: 1, cols: 2 },
        { inModes: [1], outModes: [2] },
        { eps: 0.1 },
      ),
    ).rejects.toThrow(
      "'w' passed to 'ttMatrixSvd' must be a rank-2 tensor or {data: Float64Array, rows, cols}, got an object with keys [data, rows, cols] and data object",
    );
    const str = tf.tensor(['a', 'b'], [1, 2]);
    await expect(ttMatrixSvd(str, { inModes: [1], outModes: [2] }, { eps: 0.1 })).rejects.toThrow(
      "'w' passed to 'ttMatrixSvd' must be a real tensor, got dtype 'string'",
    );
    tf.dispose([w, nan, vec, str]);
  });
});

describe('ttSvd', () => {
  it('recovers exact TT tensors with no larger ranks, in float64 and through float32 cores', async () => {
    await fc.assert(
      fc.asyncProperty(tensorArb, async ({ modes, ranks, seed }) => {
        const cores = intCores64(modes, ranks, new Rng(seed));
        const a = ttTensorFull64(cores);
        const res64 = ttSvdFloat64({ data: a, shape: modes }, { eps: 1e-8 });
        const bounds = rankBounds(modes);
        res64.ranks.forEach((r, k) => expect(r).toBeLessThanOrEqual(Math.min(ranks[k]!, bounds[k]!)));
        expect(relErr(ttTensorFull64(res64.cores), a)).toBeLessThan(1e-12);
        expect(res64.relativeError).toBeLessThan(1e-8);
        const res = await ttSvd({ data: a, shape: modes }, { eps: 1e-8 });
        expect(res.ranks).toEqual(res64.ranks);
        const full = ttTensorFull(res.cores);
        expect(full.shape).toEqual(modes);
        expect(relErr(await full.data(), a)).toBeLessThan(1e-6);
        tf.dispose([...res.cores, full]);
      }),
      { seed: 23, numRuns: 50 },
    );
  });

  it('keeps ‖A − Â‖ ≤ eps‖A‖ on low-rank-plus-noise tensors and reports the measured error', () => {
    fc.assert(
      fc.property(tensorArb, fc.double({ min: 0.01, max: 0.6, noNaN: true }), ({ modes, ranks, seed }, eps) => {
        const rng = new Rng(seed);
        const a = ttTensorFull64(intCores64(modes, ranks, rng));
        const scale = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
        const noisy = a.map((v) => v + 0.2 * scale * rng.normal());
        const res = ttSvdFloat64({ data: noisy, shape: modes }, { eps });
        const measured = relErr(ttTensorFull64(res.cores), noisy);
        expect(measured).toBeLessThanOrEqual(eps * (1 + 1e-12));
        expect(Math.abs(measured - res.relativeError)).toBeLessThan(1e-12);
      }),
      { seed: 29, numRuns: 50 },
    );
  });

  it('respects maxRank (alone and with eps) and reports the larger error it causes', () => {
    fc.assert(
      fc.property(tensorArb, fc.integer({ min: 1, max: 3 }), ({ modes, seed }, maxRank) => {
        const rng = new Rng(seed);
        const a = Float64Array.from(rng.normalArray(modes.reduce((x, y) => x * y, 1)));
        for (const opts of [{ maxRank }, { maxRank, eps: 0.01 }]) {
          const res = ttSvdFloat64({ data: a, shape: modes }, opts);
          res.ranks.slice(1, -1).forEach((r) => expect(r).toBeLessThanOrEqual(maxRank));
          expect(Math.abs(relErr(ttTensorFull64(res.cores), a) - res.relativeError)).toBeLessThan(1e-12);
        }
      }),
      { seed: 31, numRuns: 40 },
    );
  });

  it('accepts a tf.Tensor and handles the zero tensor', async () => {
    const rng = new Rng(3);
    const x = intValues([3, 4, 5], rng);
    const res = await ttSvd(x, { eps: 1e-6 });
    const full = ttTensorFull(res.cores);
    expect(relErr(await full.data(), await x.data())).toBeLessThan(1e-6);
    const ints = tf.tensor(
      [
        [1, 2],
        [2, 4],
        [3, 6],
      ],
      [3, 2],
      'int32',
    );
    const rank1 = await ttSvd(ints, { eps: 1e-6 });
    expect(rank1.ranks).toEqual([1, 1, 1]);
    tf.dispose([ints, ...rank1.cores]);
    const zero = ttSvdFloat64({ data: new Float64Array(12), shape: [2, 3, 2] }, { eps: 0.1 });
    expect(zero.ranks).toEqual([1, 1, 1, 1]);
    expect(zero.relativeError).toBe(0);
    expect(Array.from(ttTensorFull64(zero.cores)).every((v) => v === 0)).toBe(true);
    tf.dispose([x, full, ...res.cores]);
  });

  it('rejects bad arguments, naming them and the function', async () => {
    const data = new Float64Array(6);
    await expect(ttSvd({ data, shape: [2, 3] }, { maxRank: 0 })).rejects.toThrow(
      "'maxRank' passed to 'ttSvd' must be a positive integer, got 0",
    );
    await expect(ttSvd({ data, shape: [2, 3] }, { maxRank: 2.5 })).rejects.toThrow(
      "'maxRank' passed to 'ttSvd' must be a positive integer, got 2.5",
    );
    await expect(ttSvd({ data, shape: [2, 3] }, { maxRank: [0] })).rejects.toThrow(
      "'maxRank[0]' passed to 'ttSvd' must be an integer >= 1, got 0",
    );
    await expect(ttSvd({ data, shape: [2, 3] }, { eps: 0 })).rejects.toThrow(
      "'eps' passed to 'ttSvd' must be a number in (0, 1), got 0",
    );
    await expect(ttSvd({ data, shape: [2, 3] }, { eps: Number.NaN })).rejects.toThrow(
      "'eps' passed to 'ttSvd' must be a number in (0, 1), got NaN",
    );
    await expect(ttSvd({ data, shape: [2, 2] }, { eps: 0.1 })).rejects.toThrow(
      "'shape' passed to 'ttSvd' must multiply to the data length 6, got [2, 2] (product 4)",
    );
    await expect(ttSvd({ data, shape: [2, 0, 3] }, { eps: 0.1 })).rejects.toThrow(
      "'shape[1]' passed to 'ttSvd' must be an integer >= 1, got 0",
    );
    await expect(
      ttSvd({ data: new Int8Array(6), shape: [2, 3] } as unknown as Float64Array as never, { eps: 0.1 }),
    ).rejects.toThrow(
      "'a' passed to 'ttSvd' must be a tensor or {data: Float64Array, shape}, got an object with keys [data, shape] and data an Int8Array",
    );
    const inf = Float64Array.from([0, 1, 2, Number.POSITIVE_INFINITY, 4, 5]);
    await expect(ttSvd({ data: inf, shape: [2, 3] }, { eps: 0.1 })).rejects.toThrow(
      "'a' passed to 'ttSvd' must contain only finite values, got Infinity at flat index 3",
    );
  });
});

describe('coresToFloat64', () => {
  it('reads TT-matrix cores as TT-tensor cores with mode j_k·n_k + i_k', async () => {
    const c = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
    const [core] = await coresToFloat64([c]);
    expect(core!.shape).toEqual([1, 6, 1]);
    expect(Array.from(core!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    c.dispose();
  });
});
