import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from './adam.js';

/** PyTorch's Adam for one scalar parameter, in float64. */
function adamByHand(p0: number, grads: number[], lr: number): number {
  let p = p0;
  let m = 0;
  let v = 0;
  grads.forEach((g, i) => {
    const t = i + 1;
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    const denom = Math.sqrt(v) / Math.sqrt(1 - 0.999 ** t) + 1e-8;
    p -= (lr / (1 - 0.9 ** t)) * (m / denom);
  });
  return p;
}

describe('Adam', () => {
  it('follows PyTorch’s update rule', () => {
    const variable = tf.tidy(() => tf.variable(tf.scalar(0.5)));
    const adam = new Adam([{ name: 'p', variable }]);
    const grads = [0.3, -1.2, 0.05, 2];
    for (const g of grads) {
      const gt = tf.scalar(g);
      adam.apply([gt], 0.01);
      gt.dispose();
    }
    expect(variable.dataSync()[0]).toBeCloseTo(adamByHand(0.5, grads, 0.01), 6);
    expect(adam.step).toBe(4);
    adam.dispose();
    variable.dispose();
  });
  it('continues bit-identically from a restored state', async () => {
    const make = (): { v: tf.Variable; adam: Adam } => {
      const v = tf.tidy(() => tf.variable(tf.tensor1d([0.1, -0.2, 0.3])));
      return { v, adam: new Adam([{ name: 'w', variable: v }]) };
    };
    const g = [tf.tensor1d([0.5, -0.1, 2]), tf.tensor1d([-0.3, 0.2, 0.1]), tf.tensor1d([1, 1, -1])];
    const a = make();
    for (const x of g) a.adam.apply([x], 0.05);
    const b = make();
    b.adam.apply([g[0]!], 0.05);
    const c = make();
    c.v.assign(b.v);
    c.adam.setState(await b.adam.getState());
    for (const x of g.slice(1)) c.adam.apply([x], 0.05);
    expect(Array.from(c.v.dataSync())).toEqual(Array.from(a.v.dataSync()));
    expect(() =>
      c.adam.setState({ step: 1, slots: [{ name: 'x', shape: [3], m: new Float32Array(3), v: new Float32Array(3) }] }),
    ).toThrow(/slot 0 is 'x'/);
    for (const s of [a, b, c]) {
      s.adam.dispose();
      s.v.dispose();
    }
    tf.dispose(g);
  });
});
