import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { addRowVector } from './row_vector.js';
import { maxAbsDiff, randomTensor } from './test_util/random.js';

describe('addRowVector', () => {
  it('equals tf.add in value and in the gradients for x and b', () => {
    const x = randomTensor([7, 5], 1) as tf.Tensor2D;
    const b = randomTensor([5], 2) as tf.Tensor1D;
    const R = randomTensor([7, 5], 3);
    const loss = (add: (x: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D) => (xi: tf.Tensor, bi: tf.Tensor) =>
      tf.sum(tf.mul(tf.square(add(xi as tf.Tensor2D, bi as tf.Tensor1D)), R));
    const ours = tf.grads(loss(addRowVector))([x, b]);
    const ref = tf.grads(loss((p, q) => tf.add(p, q)))([x, b]);
    const v = addRowVector(x, b);
    const vr = tf.add(x, b);
    expect(maxAbsDiff(v, vr)).toBe(0);
    ours.forEach((g, i) => expect(maxAbsDiff(g, ref[i]!)).toBeLessThan(1e-5));
    expect(tf.tidy(() => tf.max(tf.abs(ours[1]!)).dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose([x, b, R, v, vr, ...ours, ...ref]);
  });
});
