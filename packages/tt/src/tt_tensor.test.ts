import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { Rng } from '@ttrnn/random';
import { assertClose } from '@ttrnn/test-utils';
import {
  TTTensor,
  coresToFloat64,
  ttTensorFull,
  ttTensorFull64,
  ttTensorParamCount,
  validateTTTensorShape,
} from './tt_tensor.js';
import { intValues } from './test_util/random.js';
import { ttTensorArb } from './test_util/tt64.js';

/** A[i] = Π_k G_k[:, i_k, :], one entry at a time, i row-major (core 0 most significant). */
function naiveTensorFull(cores: { shape: number[]; data: ArrayLike<number> }[]): Float64Array {
  const modes = cores.map((c) => c.shape[1]!);
  const size = modes.reduce((a, b) => a * b, 1);
  const out = new Float64Array(size);
  for (let idx = 0; idx < size; idx++) {
    const ik: number[] = [];
    let rem = idx;
    for (let k = modes.length - 1; k >= 0; k--) {
      ik[k] = rem % modes[k]!;
      rem = Math.floor(rem / modes[k]!);
    }
    let vec = [1];
    cores.forEach((c, k) => {
      const [r0, n, r1] = c.shape as [number, number, number];
      const next = new Array<number>(r1).fill(0);
      for (let a = 0; a < r0; a++) {
        for (let b = 0; b < r1; b++) next[b]! += vec[a]! * (c.data[(a * n + ik[k]!) * r1 + b] as number);
      }
      vec = next;
    });
    out[idx] = vec[0]!;
  }
  return out;
}

const arb = ttTensorArb(4, 3);

describe('ttTensorFull and ttTensorFull64', () => {
  it('equal the entry-by-entry definition on random shapes and ranks', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async ({ modes, ranks, seed }) => {
        const rng = new Rng(seed);
        const cores = modes.map((n, k) => intValues([ranks[k]!, n, ranks[k + 1]!], rng));
        const oracle = naiveTensorFull(cores.map((c) => ({ shape: c.shape, data: c.dataSync() })));
        const full = ttTensorFull(cores);
        expect(full.shape).toEqual(modes);
        assertClose(await full.data(), oracle, { atol: 1e-5, rtol: 1e-5 }, 'ttTensorFull');
        assertClose(
          ttTensorFull64(await coresToFloat64(cores)),
          oracle,
          { atol: 1e-12, rtol: 1e-12 },
          'ttTensorFull64',
        );
        tf.dispose([...cores, full]);
      }),
      { seed: 47, numRuns: 40 },
    );
  });
});

describe('TTTensor', () => {
  it('reports its size and parameters and owns its cores', async () => {
    const t = new TTTensor([tf.ones([1, 2, 3]), tf.ones([3, 4, 2]), tf.ones([2, 5, 1])]);
    expect(t.shape).toEqual({ modes: [2, 4, 5], ranks: [1, 3, 2, 1] });
    expect([t.size, t.paramCount]).toEqual([40, 6 + 24 + 10]);
    expect(ttTensorParamCount(t.shape)).toBe(t.paramCount);
    const full = t.full();
    // All-ones cores: every entry is the product of the inner ranks, 6.
    expect(Array.from(await full.data()).every((v) => v === 6)).toBe(true);
    expect(Array.from(await t.full64()).every((v) => v === 6)).toBe(true);
    full.dispose();
    t.dispose();
  });

  it('rejects badly chained or shaped cores, naming them', () => {
    const a = tf.zeros([1, 2, 3]);
    const b = tf.zeros([2, 2, 1]);
    const c = tf.zeros([1, 2, 3, 1]);
    expect(() => new TTTensor([a, b])).toThrow(
      "'cores[1]' passed to 'TTTensor' has left rank 2 but cores[0] has right rank 3",
    );
    expect(() => ttTensorFull([c])).toThrow(
      "'cores[0]' passed to 'ttTensorFull' must be a rank-3 core [r_k, n_k, r_k+1], got shape [1, 2, 3, 1]",
    );
    expect(() => ttTensorFull([a])).toThrow("'ranks' passed to 'ttTensorFull' must start and end with 1, got [1, 3]");
    expect(() => validateTTTensorShape({ modes: [2, 2], ranks: [1, 1] })).toThrow(
      "'ranks' passed to 'validateTTTensorShape' must have d + 1 = 3 entries, got 2",
    );
    expect(() => ttTensorFull64([{ data: new Float64Array(3), shape: [1, 2, 1] }])).toThrow(
      "'cores[0]' passed to 'ttTensorFull64' must hold a Float64Array of 2 entries",
    );
    tf.dispose([a, b, c]);
  });
});
