/**
 * The LSTM cell of the original: a = x·Wx + bx + h·Wh + bh with gate blocks
 * [i | f | g | o] (contiguous H-wide slices of the G·H pre-activation, whatever
 * the TT layout); i, f, o = σ, g = tanh; c' = f⊙c + i⊙g, h' = o⊙tanh(c').
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LinearMap, NamedVariable, ProductMode } from './linear_map.js';
import { cellNamedWeights, checkCellMaps } from './recurrent_cell.js';
import type { RecurrentCell, SequenceResult } from './recurrent_cell.js';
import { addRowVector } from './row_vector.js';

export class LSTMCell implements RecurrentCell {
  readonly kind = 'lstm' as const;
  readonly inputSize: number;
  readonly hiddenSize: number;

  /** Takes ownership of both maps (N → 4H and H → 4H). */
  constructor(
    readonly inputWeights: LinearMap,
    readonly hiddenWeights: LinearMap,
  ) {
    this.hiddenSize = checkCellMaps(inputWeights, hiddenWeights, 4, 'LSTMCell');
    this.inputSize = inputWeights.inputSize;
  }

  runSequence(xs: tf.Tensor2D, steps: number, batch: number, mode: ProductMode): SequenceResult {
    const H = this.hiddenSize;
    const inMethod = this.inputWeights.chooseMethod(steps * batch, 1, mode);
    const hidMethod = this.hiddenWeights.chooseMethod(batch, steps - 1, mode);
    // Both biases are constant over time: add them once, to the whole sequence.
    let xw = this.inputWeights.product(xs, inMethod);
    const bx = this.inputWeights.biasVector();
    const bh = this.hiddenWeights.biasVector();
    const bias = bx !== null && bh !== null ? (tf.add(bx, bh) as tf.Tensor1D) : (bx ?? bh);
    if (bias !== null) xw = addRowVector(xw, bias);

    // When W_h is a matrix, reorder its columns (and xw's) once to [i|f|o|g] so
    // that each step needs one sigmoid for the three sigmoid gates. The
    // per-step contraction produces the original order; it keeps four activations, inside one
    // op per step with a hand-written gradient (lstmStep).
    let hidden: ((h: tf.Tensor2D) => tf.Tensor2D) | null = null;
    const ifog = hidMethod === 'rebuild' || steps === 1;
    if (ifog) {
      xw = toIFOG(xw);
      if (steps > 1) {
        const wh = toIFOG(this.hiddenWeights.full());
        hidden = (h) => tf.matMul(h, wh);
      }
    } else {
      hidden = this.hiddenWeights.prepare('contract');
    }
    const xSteps = steps === 1 ? [xw] : (tf.split(xw, steps, 0) as tf.Tensor2D[]);
    const recording = (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();

    const hs: tf.Tensor2D[] = [];
    let h: tf.Tensor2D | null = null;
    let c: tf.Tensor2D | null = null;
    for (let t = 0; t < steps; t++) {
      let a = xSteps[t]!;
      // h0 = 0: the recurrent product of step 0 is zero (its bias is already in xw).
      if (h !== null) a = tf.add(a, hidden!(h));
      let i: tf.Tensor2D, f: tf.Tensor2D, g: tf.Tensor2D, o: tf.Tensor2D;
      if (ifog) {
        const [sfo, gp] = tf.split(a, [3 * H, H], 1) as [tf.Tensor2D, tf.Tensor2D];
        [i, f, o] = tf.split(tf.sigmoid(sfo), 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        g = tf.tanh(gp);
      } else if (c !== null && recording) {
        // Per-step contraction under a gradient tape: the step's elementwise part as one op with a
        // hand-written gradient (without a tape the plain ops below skip its concat and split).
        const [hn, cn] = lstmStep(a, c);
        c = cn;
        h = hn;
        hs.push(hn);
        continue;
      } else {
        const [ip, fp, gp, op] = tf.split(a, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        i = tf.sigmoid(ip);
        f = tf.sigmoid(fp);
        g = tf.tanh(gp);
        o = tf.sigmoid(op);
      }
      const cNext: tf.Tensor2D = c === null ? tf.mul(i, g) : tf.add(tf.mul(f, c), tf.mul(i, g));
      c = cNext;
      const hNext: tf.Tensor2D = tf.mul(o, tf.tanh(cNext));
      h = hNext;
      hs.push(hNext);
    }
    return { hs, c };
  }

  preActivations(x: tf.Tensor2D, h: tf.Tensor2D): { input: tf.Tensor2D; hidden: tf.Tensor2D } {
    return { input: this.inputWeights.apply(x, 'contract'), hidden: this.hiddenWeights.apply(h, 'contract') };
  }

  namedWeights(): NamedVariable[] {
    return cellNamedWeights(this.inputWeights, this.hiddenWeights);
  }

  paramCount(): number {
    return this.inputWeights.paramCount() + this.hiddenWeights.paramCount();
  }

  dispose(): void {
    this.inputWeights.dispose();
    this.hiddenWeights.dispose();
  }
}

/** Columns [i|f|g|o] → [i|f|o|g]. */
function toIFOG(w: tf.Tensor2D): tf.Tensor2D {
  const [i, f, g, o] = tf.split(w, 4, 1);
  return tf.concat([i!, f!, o!, g!], 1) as tf.Tensor2D;
}

/**
 * One LSTM step's elementwise part, a [B, 4H] (gate blocks [i|f|g|o]) and c [B, H] → (h', c'),
 * as one op with a hand-written gradient; the recurrent product stays on tfjs's tape, so the TT
 * cores still get their gradient per step (no dense dW, unlike the fused sequence op). A row-MNIST
 * rank-2 training step issues 2592 kernels instead of 2861 (Identity copies 744 → 555); measured
 * −3% (row-MNIST) to −6% (the original's shape) per TT-LSTM rank-2 training step (README.md).
 */
function lstmStep(a: tf.Tensor2D, c: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  const B = c.shape[0];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[2] as tf.GradSaveFunc;
    const [aIn, cIn] = args as [tf.Tensor2D, tf.Tensor2D];
    const [ip, fp, gp, op2] = tf.split(aIn, 4, 1) as tf.Tensor2D[];
    const i = tf.sigmoid(ip!);
    const f = tf.sigmoid(fp!);
    const g = tf.tanh(gp!);
    const o = tf.sigmoid(op2!);
    const cn = tf.add(tf.mul(f, cIn), tf.mul(i, g));
    const tc = tf.tanh(cn);
    const hn = tf.mul(o, tc);
    save([i, f, g, o, tc, cIn]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [si, sf, sg, so, stc, sc] = saved as tf.Tensor2D[];
      const [dh, dcOut] = tf.split(dy, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
      const dc = tf.add(dcOut, tf.mul(tf.mul(dh, so!), tf.sub(1, tf.square(stc!))));
      const sig = (d: tf.Tensor, y: tf.Tensor) => tf.mul(d, tf.mul(y, tf.sub(1, y)));
      const da = tf.concat(
        [sig(tf.mul(dc, sg!), si!), sig(tf.mul(dc, sc!), sf!), tf.mul(tf.mul(dc, si!), tf.sub(1, tf.square(sg!))), sig(tf.mul(dh, stc!), so!)],
        1,
      );
      return [da, tf.mul(dc, sf!)];
    };
    return { value: tf.concat([hn, cn], 0), gradFunc };
  });
  const out = op(a, c);
  const [h, cNext] = tf.split(out, [B, B], 0) as [tf.Tensor2D, tf.Tensor2D];
  return [h, cNext];
}
