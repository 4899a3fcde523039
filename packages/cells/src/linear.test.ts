import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { glorotTTStd, ttMatmul, ttMatrixShape } from '@ttrnn/tt';
import { Linear } from './linear.js';
import { NaiveTTLinear } from './naive_tt_linear.js';
import { TTLinear, TT_BIAS_INIT, preparedContraction } from './tt_linear.js';
import { maxAbsDiff, randomTensor } from './test_util/random.js';

describe('weight maps', () => {
  it('Linear.init draws W and b from U(±1/√N), seeded', () => {
    const a = Linear.init({ inputSize: 64, outputSize: 200 }, 3);
    const b = Linear.init({ inputSize: 64, outputSize: 200 }, 3);
    const w = a.weight.dataSync();
    const bound = 1 / 8;
    expect(Math.max(...Array.from(w).map(Math.abs))).toBeLessThanOrEqual(bound);
    const variance = Array.from(w).reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeGreaterThan((0.9 * (bound * bound)) / 3);
    expect(variance).toBeLessThan((1.1 * (bound * bound)) / 3);
    expect(Math.max(...Array.from(a.bias!.dataSync()).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(maxAbsDiff(a.weight, b.weight)).toBe(0);
    expect(a.paramCount()).toBe(64 * 200 + 200);
    a.dispose();
    b.dispose();
  });

  it('TTLinear.init: TT-Glorot cores, bias 1e-3; contraction and rebuilt product agree', () => {
    const shape = ttMatrixShape(24, 30, 3, 4);
    const layer = TTLinear.init(shape, 5);
    expect(Array.from(layer.bias!.dataSync()).every((v) => Math.abs(v - TT_BIAS_INIT) < 1e-9)).toBe(true);
    const entries = layer.cores.flatMap((c) => Array.from(c.dataSync()));
    const std = Math.sqrt(entries.reduce((s, v) => s + v * v, 0) / entries.length);
    expect(std / glorotTTStd(shape)).toBeGreaterThan(0.8);
    expect(std / glorotTTStd(shape)).toBeLessThan(1.2);
    const x = randomTensor([5, 24], 1) as tf.Tensor2D;
    const y1 = layer.apply(x, 'per-step');
    const y2 = layer.apply(x, 'rebuilt');
    expect(maxAbsDiff(y1, y2)).toBeLessThan(1e-5);
    expect(layer.namedWeights().map((w) => w.name)).toEqual(['bias', 'parameters.0', 'parameters.1', 'parameters.2']);
    tf.dispose([x, y1, y2]);
    layer.dispose();
  });

  it.each([
    [12, 20, 1, 3],
    [12, 20, 2, 3],
    [24, 30, 3, 2],
    [48, 36, 4, 3],
  ])('the prepared contraction equals ttMatmul (%i×%i, %i cores, rank %i)', (n, m, d, r) => {
    const layer = TTLinear.init(ttMatrixShape(n, m, d, r), n + d);
    const x = randomTensor([3, n], d) as tf.Tensor2D;
    const y = tf.tidy(() => preparedContraction(layer.cores, layer.shape)(x));
    const ref = ttMatmul(x, layer.cores);
    expect(maxAbsDiff(y, ref)).toBeLessThan(1e-6);
    tf.dispose([x, y, ref]);
    layer.dispose();
  });

  it('NaiveTTLinear concatenates the gates gate-major', () => {
    const shape = ttMatrixShape(6, 8, 2, 2);
    const naive = NaiveTTLinear.init(shape, 3, 7, true);
    const x = randomTensor([4, 6], 2) as tf.Tensor2D;
    const y = naive.apply(x, 'per-step');
    const parts = naive.gates.map((g) => g.apply(x));
    const cat = tf.concat(parts, 1);
    expect(maxAbsDiff(y, cat)).toBeLessThan(1e-6);
    const yr = naive.apply(x, 'rebuilt');
    expect(maxAbsDiff(yr, cat)).toBeLessThan(1e-5);
    expect(
      naive
        .namedWeights()
        .map((w) => w.name)
        .slice(0, 4),
    ).toEqual(['gate0.bias', 'gate0.parameters.0', 'gate0.parameters.1', 'gate1.bias']);
    tf.dispose([x, y, yr, cat, ...parts]);
    naive.dispose();
  });

  it('rejects mismatched shapes', () => {
    const w = tf.zeros([3, 4]) as tf.Tensor2D;
    const b = tf.zeros([5]) as tf.Tensor1D;
    expect(() => new Linear(w, b)).toThrow(/'bias' passed to 'Linear' must have shape \[4\], got \[5\]/);
    const l = Linear.init({ inputSize: 3, outputSize: 4 }, 1);
    const x = tf.zeros([2, 5]) as tf.Tensor2D;
    expect(() => l.apply(x)).toThrow(
      /'x' passed to 'Linear.apply' must be a rank-2 tensor \[rows, 3\], got shape \[2, 5\]/,
    );
    expect(() => Linear.init({ inputSize: 0, outputSize: 4 }, 1)).toThrow(/'inputSize' passed to 'Linear.init'/);
    const a = TTLinear.init(ttMatrixShape(6, 8, 2, 2), 1, true);
    const c = TTLinear.init(ttMatrixShape(6, 9, 2, 2), 1, true);
    expect(() => new NaiveTTLinear([a, c])).toThrow(/'gates\[1\]' passed to 'NaiveTTLinear' is 6×9, expected 6×8/);
    tf.dispose([w, b, x]);
    for (const m of [l, a, c]) m.dispose();
  });
});
