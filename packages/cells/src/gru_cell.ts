/**
 * The GRU cell of the original, reset applied AFTER the recurrent product:
 * r = σ(ax_r + ah_r), z = σ(ax_z + ah_z), n = tanh(ax_n + r⊙ah_n),
 * h' = (1−z)⊙n + z⊙h, with ax = x·Wx + bx and ah = h·Wh + bh in gate blocks
 * [r | z | n].
 *
 * Porting note: h' is computed as n + z⊙(h − n), one op fewer; it differs
 * from the original's expression only by float rounding.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LinearMap, ProductMode } from './linear_map.js';
import { TwoMapCell } from './recurrent_cell.js';
import type { SequenceResult } from './recurrent_cell.js';

export class GRUCell extends TwoMapCell {
  readonly kind = 'gru' as const;

  /** Takes ownership of both maps (N → 3H and H → 3H). */
  constructor(inputWeights: LinearMap, hiddenWeights: LinearMap) {
    super(inputWeights, hiddenWeights, 3, 'GRUCell');
  }

  runSequence(xs: tf.Tensor2D, steps: number, batch: number, mode: ProductMode): SequenceResult {
    const H = this.hiddenSize;
    const inMethod = this.inputWeights.chooseMethod(steps * batch, 1, mode);
    const hidMethod = this.hiddenWeights.chooseMethod(batch, steps - 1, mode);
    const xw = this.inputWeights.apply(xs, inMethod);
    const [xrz, xn] = tf.split(xw, [2 * H, H], 1) as [tf.Tensor2D, tf.Tensor2D];
    const xrzSteps = steps === 1 ? [xrz] : (tf.split(xrz, steps, 0) as tf.Tensor2D[]);
    const xnSteps = steps === 1 ? [xn] : (tf.split(xn, steps, 0) as tf.Tensor2D[]);

    // bh_n must stay inside r⊙(h·Wh_n + bh_n), so the hidden bias is added per step.
    const bh = this.hiddenWeights.biasVector();
    const hidden = steps > 1 ? this.hiddenWeights.prepare(hidMethod) : null;
    const [bhrz, bhn] = bh === null ? [null, null] : (tf.split(bh, [2 * H, H], 0) as [tf.Tensor1D, tf.Tensor1D]);

    const hs: tf.Tensor2D[] = [];
    let h: tf.Tensor2D | null = null;
    for (let t = 0; t < steps; t++) {
      let ahrz: tf.Tensor | null;
      let ahn: tf.Tensor | null;
      if (h === null) {
        // h0 = 0: the recurrent pre-activation is the bias alone.
        ahrz = bhrz;
        ahn = bhn;
      } else {
        let ah = hidden!(h);
        if (bh !== null) ah = tf.add(ah, bh);
        const parts = tf.split(ah, [2 * H, H], 1);
        ahrz = parts[0]!;
        ahn = parts[1]!;
      }
      const rzIn: tf.Tensor2D = ahrz === null ? xrzSteps[t]! : tf.add(xrzSteps[t]!, ahrz);
      const [r, z] = tf.split(tf.sigmoid(rzIn), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      const nIn: tf.Tensor2D = ahn === null ? xnSteps[t]! : tf.add(xnSteps[t]!, tf.mul(r, ahn));
      const n: tf.Tensor2D = tf.tanh(nIn);
      h = (h === null ? tf.sub(n, tf.mul(z, n)) : tf.add(n, tf.mul(z, tf.sub(h, n)))) as tf.Tensor2D;
      hs.push(h);
    }
    return { hs, c: null };
  }
}
