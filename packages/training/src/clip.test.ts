import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { clipByGlobalNorm, clipCoefficient, globalNorm } from './clip.js';

describe('clipByGlobalNorm', () => {
  it('returns the pre-clip norm and scales by maxNorm / (norm + 1e-6) when above', async () => {
    const a = tf.tensor1d([3, 0]);
    const b = tf.tensor2d([[0, 4]]);
    const { grads, norm, coefficient } = await clipByGlobalNorm([a, b], 1);
    expect(norm).toBeCloseTo(5, 6);
    expect(coefficient).toBeCloseTo(1 / (5 + 1e-6), 9);
    expect(await globalNorm(grads)).toBeCloseTo(1, 5);
    expect(Array.from(grads[0]!.dataSync())[0]).toBeCloseTo(0.6, 5);
    tf.dispose([a, b, ...grads]);
  });
  it('leaves gradients below the threshold unchanged, and never clips with null', async () => {
    const a = tf.tensor1d([0.3, 0.4]);
    const r = await clipByGlobalNorm([a], 3);
    expect(r.coefficient).toBe(1);
    expect(Array.from(r.grads[0]!.dataSync())).toEqual(Array.from(a.dataSync()));
    const big = tf.tensor1d([300, 400]);
    const s = await clipByGlobalNorm([big], null);
    expect(s.norm).toBeCloseTo(500, 3);
    expect(s.coefficient).toBe(1);
    tf.dispose([a, big, ...r.grads, ...s.grads]);
  });
  it('rejects a non-positive maxNorm and does not clip with a non-finite norm', async () => {
    await expect(clipByGlobalNorm([], 0)).rejects.toThrow(/'maxNorm' passed to 'clipByGlobalNorm'/);
    expect(clipCoefficient(NaN, 1)).toBe(1);
  });
});
