import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { glorotTTCores, glorotTTStd } from './tt_init.js';
import { ttFull } from './tt_matrix.js';
import { fusedGateShape } from './tt_shape.js';

describe('glorotTTCores', () => {
  it('gives full-matrix entries of variance 2/(N+M) (statistically, over many draws)', async () => {
    for (const [cores, rank] of [
      [2, 2],
      [3, 4],
    ] as const) {
      const shape = fusedGateShape({ inputSize: 12, hiddenSize: 8, gates: 4, cores, rank });
      const n = 12,
        m = 32;
      let sum = 0,
        sum2 = 0,
        count = 0;
      for (let seed = 0; seed < 60; seed++) {
        const cs = glorotTTCores(shape, seed);
        const w = ttFull(cs);
        for (const v of await w.data()) {
          sum += v;
          sum2 += v * v;
          count++;
        }
        tf.dispose([...cs, w]);
      }
      const variance = sum2 / count - (sum / count) ** 2;
      const target = 2 / (n + m);
      // Entries within one draw are correlated; 60 independent draws keep the
      // estimate within ~10% of the target. A wrong exponent in σ misses by far more.
      expect(Math.abs(variance / target - 1), `cores ${cores} rank ${rank}: variance ${variance}`).toBeLessThan(0.15);
    }
  });

  it('is reproducible for a seed and has the documented σ', async () => {
    const shape = { inModes: [2, 3], outModes: [4, 2], ranks: [1, 3, 1] };
    const a = glorotTTCores(shape, 5),
      b = glorotTTCores(shape, 5),
      c = glorotTTCores(shape, 6);
    expect(Array.from(await a[1]!.data())).toEqual(Array.from(await b[1]!.data()));
    expect(Array.from(await a[1]!.data())).not.toEqual(Array.from(await c[1]!.data()));
    expect(a.map((t) => t.shape)).toEqual([
      [1, 4, 2, 3],
      [3, 2, 3, 1],
    ]);
    expect(glorotTTStd(shape)).toBeCloseTo(Math.pow(2 / 14, 1 / 4) * Math.pow(3, -1 / 4), 12);
    tf.dispose([...a, ...b, ...c]);
  });
});
