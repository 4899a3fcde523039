import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { randomTensor } from '../test_util/random.js';
import { kernelSequence } from './kernel_op.js';

describe('kernelSequence', () => {
  it('keeps the activations for a backward only while gradients are recorded', () => {
    const steps = 3;
    const batch = 2;
    const H = 4;
    const xp = randomTensor([steps * batch, 4 * H], 1) as tf.Tensor2D;
    const w0 = randomTensor([H, 4 * H], 2, 0.5);
    const w = tf.variable(w0) as tf.Variable<tf.Rank.R2>;
    w0.dispose();
    const b = tf.zeros([4 * H]) as tf.Tensor1D;
    const h0 = tf.zeros([batch, H]) as tf.Tensor2D;
    const c0 = tf.zeros([batch, H]) as tf.Tensor2D;
    const bh = tf.zeros([4 * H]) as tf.Tensor1D;
    /** Tensors the op leaves (besides its result) and the sum of every h. */
    const run = () => {
      const before = tf.memory().numTensors;
      const r = kernelSequence('lstm', xp, b, { w }, bh, h0, c0, steps, batch);
      return { made: tf.memory().numTensors - before, loss: tf.sum(r.hs) as tf.Scalar };
    };
    const plain = tf.tidy(() => {
      const r = run();
      return { made: r.made, loss: r.loss.dataSync()[0]! };
    });
    let taped = { made: 0, loss: 0 };
    tf.tidy(() => {
      tf.variableGrads(() => {
        const r = run();
        taped = { made: r.made, loss: r.loss.dataSync()[0]! };
        return r.loss;
      }, [w]);
    });
    // Not recorded: `out` and its three slices (every h, the last h, the last c) only; recorded, the
    // activations and the cell states too (and tfjs's own bookkeeping of the gradient).
    expect(plain.made).toBe(4);
    expect(taped.made).toBeGreaterThanOrEqual(plain.made + 2);
    expect(taped.loss).toBe(plain.loss);
    tf.dispose([xp, w, b, bh, h0, c0]);
  });
});
