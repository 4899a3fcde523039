/**
 * The LSTM cell of the original: a = x·Wx + bx + h·Wh + bh with gate blocks
 * [i | f | g | o] (contiguous H-wide slices of the G·H pre-activation, whatever
 * the TT layout); i, f, o = σ, g = tanh; c' = f⊙c + i⊙g, h' = o⊙tanh(c').
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LinearMap, ProductMode } from './linear_map.js';
import { TwoMapCell } from './recurrent_cell.js';
import type { SequenceResult } from './recurrent_cell.js';

export class LSTMCell extends TwoMapCell {
  readonly kind = 'lstm' as const;

  /** Takes ownership of both maps (N → 4H and H → 4H). */
  constructor(inputWeights: LinearMap, hiddenWeights: LinearMap) {
    super(inputWeights, hiddenWeights, 4, 'LSTMCell');
  }

  runSequence(xs: tf.Tensor2D, steps: number, batch: number, mode: ProductMode): SequenceResult {
    const inMethod = this.inputWeights.chooseMethod(steps * batch, 1, mode);
    const hidMethod = this.hiddenWeights.chooseMethod(batch, steps - 1, mode);
    // x·Wx + bx + bh for every step at once (both biases are constant over time).
    let xw = this.inputWeights.apply(xs, inMethod);
    const bh = this.hiddenWeights.biasVector();
    if (bh !== null) xw = tf.add(xw, bh);
    const xSteps = steps === 1 ? [xw] : (tf.split(xw, steps, 0) as tf.Tensor2D[]);
    const hidden = steps > 1 ? this.hiddenWeights.prepare(hidMethod) : null;

    const hs: tf.Tensor2D[] = [];
    let h: tf.Tensor2D | null = null;
    let c: tf.Tensor2D | null = null;
    for (let t = 0; t < steps; t++) {
      // h0 = c0 = 0: step 0 has no recurrent product and no f⊙c term.
      const a = h === null ? xSteps[t]! : tf.add(xSteps[t]!, hidden!(h));
      const [ip, fp, gp, op] = tf.split(a, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const i = tf.sigmoid(ip);
      const f = tf.sigmoid(fp);
      const g = tf.tanh(gp);
      const o = tf.sigmoid(op);
      const cNext: tf.Tensor2D = c === null ? tf.mul(i, g) : tf.add(tf.mul(f, c), tf.mul(i, g));
      const hNext: tf.Tensor2D = tf.mul(o, tf.tanh(cNext));
      c = cNext;
      h = hNext;
      hs.push(hNext);
    }
    return { hs, c };
  }
}
