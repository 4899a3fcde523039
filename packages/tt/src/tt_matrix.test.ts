import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { Rng } from '@ttrnn/random';
import { assertClose, maxAbsError } from '@ttrnn/test-utils';
import { TTMatrix, ttFull, ttMatmul, ttMatmulCost, ttMatmulRebuilt } from './tt_matrix.js';
import { coreShape } from './tt_shape.js';
import type { TTMatrixShape } from './tt_shape.js';
import { naiveFull } from '@ttrnn/test-utils/tt-oracle';
import { intValues } from './test_util/random.js';
import { loadReference } from '@ttrnn/test-utils/reference';
import type { RefArray } from '@ttrnn/test-utils/reference';

const ttShapeArb = fc
  .integer({ min: 1, max: 4 })
  .chain((d) =>
    fc.record({
      inModes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: d, maxLength: d }),
      outModes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: d, maxLength: d }),
      inner: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: d - 1, maxLength: d - 1 }),
      batch: fc.integer({ min: 1, max: 3 }),
      seed: fc.integer({ min: 0, max: 1e6 }),
    }),
  )
  .map(({ inModes, outModes, inner, batch, seed }) => ({
    shape: { inModes, outModes, ranks: [1, ...inner, 1] } as TTMatrixShape,
    batch,
    seed,
  }));

function randomCores(shape: TTMatrixShape, rng: Rng): tf.Tensor[] {
  return shape.inModes.map((_, k) => intValues(coreShape(shape, k), rng));
}

describe('ttFull', () => {
  it('equals the entry-by-entry definition on random shapes and ranks', async () => {
    await fc.assert(
      fc.asyncProperty(ttShapeArb, async ({ shape, seed }) => {
        const cores = randomCores(shape, new Rng(seed));
        const w = ttFull(cores);
        const oracle = naiveFull(await Promise.all(cores.map(async (c) => ({ shape: c.shape, data: await c.data() }))));
        expect(w.shape).toEqual([oracle.rows, oracle.cols]);
        assertClose(await w.data(), oracle.data, { atol: 1e-5, rtol: 1e-5 }, 'ttFull');
        tf.dispose([...cores, w]);
      }),
      { seed: 42, numRuns: 40 },
    );
  });
});

describe('ttMatmul and ttMatmulRebuilt', () => {
  it('equal x·full(W) on random shapes, ranks and batches', async () => {
    await fc.assert(
      fc.asyncProperty(ttShapeArb, async ({ shape, batch, seed }) => {
        const rng = new Rng(seed);
        const cores = randomCores(shape, rng);
        const n = shape.inModes.reduce((a, b) => a * b, 1);
        const x = intValues([batch, n], rng);
        const dense = tf.tidy(() => tf.matMul(x as tf.Tensor2D, ttFull(cores)));
        const y1 = ttMatmul(x, cores);
        const y2 = ttMatmulRebuilt(x, cores);
        const expected = await dense.data();
        assertClose(await y1.data(), expected, { atol: 1e-4, rtol: 1e-5 }, 'ttMatmul');
        assertClose(await y2.data(), expected, { atol: 1e-4, rtol: 1e-5 }, 'ttMatmulRebuilt');
        tf.dispose([...cores, x, dense, y1, y2]);
      }),
      { seed: 7, numRuns: 40 },
    );
  });

  it('reproduces the original TT linear layer (tt_matmul_3core)', async () => {
    const ref = loadReference()['tt_matmul_3core'] as {
      layer: { cores_weight_t: RefArray[]; W: RefArray; bias: RefArray };
      x: RefArray;
      y: RefArray;
    };
    const cores = ref.layer.cores_weight_t.map((c) => tf.tensor(c.data, c.shape));
    const x = tf.tensor2d(ref.x.data, ref.x.shape as [number, number]);
    const bias = tf.tensor1d(ref.layer.bias.data);
    const w = ttFull(cores);
    expect(maxAbsError(await w.data(), ref.layer.W.data)).toBeLessThan(1e-6);
    for (const f of [ttMatmul, ttMatmulRebuilt]) {
      const y = tf.tidy(() => tf.add(f(x, cores), bias));
      expect(maxAbsError(await y.data(), ref.y.data)).toBeLessThan(1e-5);
      y.dispose();
    }
    tf.dispose([...cores, x, bias, w]);
  });

  it('has gradients with respect to x and every core that match central differences', async () => {
    const shape: TTMatrixShape = { inModes: [2, 3, 2], outModes: [2, 2, 3], ranks: [1, 2, 3, 1] };
    const rng = new Rng(11);
    const cores = randomCores(shape, rng);
    const x = intValues([3, 12], rng);
    const r = intValues([3, 12], rng);
    // A nonlinear loss, so the check is not trivially exact for a multilinear map.
    const loss = (xx: tf.Tensor, cs: tf.Tensor[]) => tf.sum(tf.mul(tf.tanh(ttMatmul(xx, cs)), r));
    const inputs = [x, ...cores];
    const grads = tf.grads((...args: tf.Tensor[]) => loss(args[0]!, args.slice(1)))(inputs);
    const eps = 1e-2;
    for (let which = 0; which < inputs.length; which++) {
      const base = await inputs[which]!.data();
      const g = await grads[which]!.data();
      const fd = new Float32Array(base.length);
      for (let i = 0; i < base.length; i++) {
        const at = (delta: number) =>
          tf.tidy(() => {
            const v = Float32Array.from(base);
            v[i]! += delta;
            const args = inputs.map((t, j) => (j === which ? tf.tensor(v, t.shape) : t));
            return loss(args[0]!, args.slice(1)).dataSync()[0]!;
          });
        fd[i] = (at(eps) - at(-eps)) / (2 * eps);
      }
      assertClose(g, fd, { atol: 2e-3, rtol: 2e-2 }, `gradient of input ${which}`);
    }
    tf.dispose([...inputs, r, ...grads]);
  });

  it('rejects wrong input widths and badly chained cores with named arguments', () => {
    const cores = [tf.zeros([1, 2, 3, 2]), tf.zeros([2, 2, 2, 1])];
    const x = tf.zeros([4, 5]);
    expect(() => ttMatmul(x, cores)).toThrow(
      "'x' passed to 'ttMatmul' must have 6 columns (the product of the input modes [3, 2]), got shape [4, 5]",
    );
    tf.tidy(() => {
      expect(() => ttMatmulRebuilt(tf.zeros([6]), cores)).toThrow(
        /'x' passed to 'ttMatmulRebuilt' must be a rank-2 tensor/,
      );
      expect(() => ttFull([tf.zeros([2, 2, 2])])).toThrow(/'cores\[0\]' passed to 'ttFull' must be a rank-4 tensor/);
    });
    const bad = [tf.zeros([1, 2, 3, 2]), tf.zeros([3, 2, 2, 1])];
    expect(() => ttFull(bad)).toThrow("'cores[1]' passed to 'ttFull' has left rank 3 but cores[0] has right rank 2");
    expect(() => ttFull([])).toThrow(/'cores' passed to 'ttFull' must be a non-empty array/);
    tf.dispose([...cores, x, ...bad]);
  });
});

describe('ttMatmulCost', () => {
  it('counts FLOPs of the contraction and the rebuild', () => {
    const s: TTMatrixShape = { inModes: [4, 7], outModes: [32, 32], ranks: [1, 2, 1] };
    const c = ttMatmulCost(s, 128);
    // core 0: 2·128·7·(1·4)·(32·2); core 1: 2·(128·32)·1·(2·7)·(32·1)
    expect(c.contract.flops).toBe(2 * 128 * 7 * 4 * 64 + 2 * 128 * 32 * 14 * 32);
    expect(c.denseProduct.flops).toBe(2 * 128 * 28 * 1024);
    // rebuild: one step, 2·(4·32)·(2·32·7·1)
    expect(c.rebuild.flops).toBe(2 * 4 * 32 * 2 * 32 * 7);
    // The contraction grows with the rank, the dense product does not.
    const c8 = ttMatmulCost({ ...s, ranks: [1, 8, 1] }, 128);
    expect(c8.contract.flops).toBeGreaterThan(3 * c.contract.flops);
    expect(c8.denseProduct.flops).toBe(c.denseProduct.flops);
  });
});

describe('TTMatrix', () => {
  it('reports its size and owns its cores', async () => {
    const m = new TTMatrix([tf.ones([1, 2, 3, 2]), tf.ones([2, 5, 2, 1])]);
    expect([m.rows, m.cols, m.paramCount]).toEqual([6, 10, 12 + 20]);
    const w = m.full();
    // All-ones cores: every entry is the rank, 2.
    expect(Array.from(await w.data()).every((v) => v === 2)).toBe(true);
    w.dispose();
    m.dispose();
  });
});
