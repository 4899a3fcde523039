import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { countCorrect, nllLoss } from './nll.js';

describe('nllLoss', () => {
  it('is the mean of −logp at the labels', async () => {
    const lp = tf.tensor2d([
      [Math.log(0.7), Math.log(0.3)],
      [Math.log(0.2), Math.log(0.8)],
    ]);
    const y = tf.tensor1d([0, 0], 'int32');
    const loss = nllLoss(lp, y);
    expect(loss.dataSync()[0]).toBeCloseTo(-(Math.log(0.7) + Math.log(0.2)) / 2, 5);
    expect(await countCorrect(lp, y)).toBe(1);
    tf.dispose([lp, y, loss]);
  });
  it('names the argument on shape errors', () => {
    const lp = tf.zeros([2, 3]) as tf.Tensor2D;
    const y = tf.tensor1d([0, 1, 2], 'int32');
    expect(() => nllLoss(lp, y)).toThrow(/'labels' passed to 'nllLoss'/);
    tf.dispose([lp, y]);
  });
});
