import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { installWasmFastKernels } from './wasm_fast_kernels.js';

/** Row-major values 0, 1, 2, … so every element is distinguishable. */
function iota(shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, (_, i) => i),
    shape,
  );
}

/** The slice computed index by index in JS. */
function sliceRef(values: Float32Array, shape: number[], begin: number[], size: number[]): number[] {
  const out: number[] = [];
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const idx = new Array<number>(size.length).fill(0);
  const n = size.reduce((a, b) => a * b, 1);
  for (let k = 0; k < n; k++) {
    out.push(values[idx.reduce((off, v, a) => off + (begin[a]! + v) * strides[a]!, 0)]!);
    for (let a = size.length - 1; a >= 0; a--) {
      if (++idx[a]! < size[a]!) break;
      idx[a] = 0;
    }
  }
  return out;
}

describe('installWasmFastKernels', () => {
  installWasmFastKernels();
  const cases: [number[], number[], number[]][] = [
    [[6], [2], [3]],
    [
      [4, 5],
      [1, 2],
      [2, 3],
    ],
    [
      [4, 5],
      [1, 0],
      [2, 5],
    ],
    [
      [3, 4, 5],
      [1, 0, 2],
      [2, 4, 2],
    ],
    [
      [3, 4, 5],
      [0, 1, 0],
      [3, 2, 5],
    ],
    [
      [2, 3, 4, 5],
      [1, 1, 0, 1],
      [1, 2, 4, 3],
    ],
    [
      [2, 3, 4, 5, 2],
      [0, 1, 1, 2, 0],
      [2, 1, 2, 3, 2],
    ],
  ];
  it.each(cases)('slices %j from %j size %j like index arithmetic', (shape, begin, size) => {
    const x = iota(shape);
    const y = tf.slice(x, begin, size);
    expect(y.shape).toEqual(size);
    expect(Array.from(y.dataSync())).toEqual(sliceRef(x.dataSync() as Float32Array, shape, begin, size));
    tf.dispose([x, y]);
  });

  it('unstacks and splits like slices', () => {
    const x = iota([3, 4, 6]);
    const parts = tf.unstack(x, 1);
    parts.forEach((p, i) => {
      expect(p.shape).toEqual([3, 6]);
      expect(Array.from(p.dataSync())).toEqual(sliceRef(x.dataSync() as Float32Array, [3, 4, 6], [0, i, 0], [3, 1, 6]));
    });
    const split = tf.split(x, [2, 4], 2);
    expect(Array.from(split[1]!.dataSync())).toEqual(
      sliceRef(x.dataSync() as Float32Array, [3, 4, 6], [0, 0, 2], [3, 4, 4]),
    );
    tf.dispose([x, ...parts, ...split]);
  });

  it('computes tanh within 2.5e-7 of Math.tanh, saturating at ±1', () => {
    const xs = Float32Array.from({ length: 2001 }, (_, i) => (i - 1000) / 50);
    const x = tf.tensor1d([...xs, 1e-30, -1e-30, 100, -100, 0]);
    const t = tf.tanh(x);
    const y = t.dataSync();
    const all = x.dataSync();
    let worst = 0;
    all.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(y[i]! - Math.tanh(v)));
    });
    expect(worst).toBeLessThan(2.5e-7);
    expect(y[all.length - 3]).toBe(1);
    expect(y[all.length - 2]).toBe(-1);
    tf.dispose([x, t]);
  });
});
