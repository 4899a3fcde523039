/**
 * A whole LSTM sequence as one differentiable op with a hand-written backward through time.
 *
 * tfjs's autodiff of the per-step code records ~60 kernels per step and, for the recurrent
 * weights, one gradient product per step (plus, for TT cores, a full backward contraction per
 * step). Here the forward runs the same equations as LSTMCell and saves the gate activations;
 * the backward walks the steps once with ~15 elementwise kernels and ONE product per step
 * (dh_{t−1} = da_t·W_hᵀ, for TT matrices a contraction with the transposed cores), and forms
 * the weight gradient once for the whole sequence: dW_h = H_prevᵀ·dA (a single [H, steps·batch]
 * × [steps·batch, 4H] product, or one batched contraction of all steps for TT cores).
 *
 * Numbers are those of LSTMCell (outputs to float rounding; tests compare the gradients with
 * tfjs's autodiff of the per-step code).
 */
import * as tf from '@tensorflow/tfjs-core';
import { shapeOfCores, ttFull } from '@ttrnn/tt';
import type { TTMatrixShape } from '@ttrnn/tt';
import type { ProductMode } from './linear_map.js';
import type { RecurrentCell } from './recurrent_cell.js';
import { Linear } from './linear.js';
import { nestedGrads } from './nested_grads.js';
import { addRowVector } from './row_vector.js';
import { TTLinear, preparedContraction } from './tt_linear.js';

/**
 * The hidden-to-hidden product h ↦ h·W in the three forms the backward needs. `params` are
 * the op's differentiable inputs (W itself, or the TT cores); every function receives them.
 */
export interface HiddenProduct {
  readonly params: readonly tf.Tensor[];
  /**
   * Returns h [B, H] ↦ h·W [B, G·H]; called once per forward, so it can prepare W (or the
   * reshaped cores) for all the steps.
   */
  forward(params: readonly tf.Tensor[]): (h: tf.Tensor2D) => tf.Tensor2D;
  /**
   * Returns da ↦ da·Wᵀ [B, H]; called once per backward, so it can prepare Wᵀ (or the
   * transposed cores) for all the steps.
   */
  transposed(params: readonly tf.Tensor[]): (da: tf.Tensor2D) => tf.Tensor2D;
  /** Gradients of Σ_rows (hPrev·W) ⊙ dA with respect to every param: hPrev [R, H], dA [R, G·H]. */
  paramGrads(hPrev: tf.Tensor2D, dA: tf.Tensor2D, params: readonly tf.Tensor[]): tf.Tensor[];
}

/** h·W for a matrix W [H, G·H] (dense, or rebuilt from TT cores outside the op). */
export function denseHiddenProduct(w: tf.Tensor2D): HiddenProduct {
  return {
    params: [w],
    forward: (p) => (h) => tf.matMul(h, p[0] as tf.Tensor2D),
    transposed: (p) => {
      const wt = tf.transpose(p[0] as tf.Tensor2D);
      return (da) => tf.matMul(da, wt);
    },
    paramGrads: (hPrev, dA) => [tf.matMul(tf.transpose(hPrev), dA)],
  };
}

/**
 * h·W contracted against TT cores [r_k, m_k, n_k, r_{k+1}] at every step (no W formed); the
 * cores are transposed and reshaped once per pass (`preparedContraction`), forward and backward.
 * The cores' gradient goes through a dense dW = H_prevᵀ·dA (2·H·G·H FLOPs per row), then back
 * through `ttFull`: a contraction of all steps' rows against the cores is 1.4–3.5× slower on
 * wasm (its GEMMs have an inner dimension of rows·modes, e.g. 110592; bench/README.md), and
 * tfjs's gradient of the per-step contractions was no faster at either measured shape.
 */
export function ttHiddenProduct(cores: readonly tf.Tensor[]): HiddenProduct {
  const shape = shapeOfCores(cores, 'ttHiddenProduct');
  const shapeT: TTMatrixShape = { inModes: shape.outModes, outModes: shape.inModes, ranks: shape.ranks };
  return {
    params: cores,
    forward: (p) => preparedContraction(p as tf.Tensor4D[], shape),
    transposed: (p) => {
      // Wᵀ is the TT matrix whose cores swap the output and input modes.
      const coresT = p.map((c) => tf.transpose(c, [0, 2, 1, 3]) as tf.Tensor4D);
      return preparedContraction(coresT, shapeT);
    },
    paramGrads: (hPrev, dA, p) => nestedGrads((...cs) => ttFull(cs), [...p], tf.matMul(tf.transpose(hPrev), dA)),
  };
}

/**
 * Whether the hidden product of `cell` over `steps` steps is a plain matrix product under `mode`:
 * a dense map, or a TT map (fused or naive layout) whose chosen method rebuilds W (the choice
 * LSTMCell makes).
 */
export function hiddenIsMatrix(cell: RecurrentCell, batch: number, steps: number, mode: ProductMode): boolean {
  return cell.hiddenWeights instanceof Linear || cell.hiddenWeights.chooseMethod(batch, Math.max(1, steps - 1), mode) === 'rebuild';
}

/** How a fused LSTM op forms its hidden product: 'matrix' (W formed once) or 'contract' (per-step TT contraction). */
export type FusedForm = 'matrix' | 'contract';

/**
 * Whether `RNN.run` (backward 'fused') runs an LSTM layer as the fused op, and in which form:
 * 'matrix' when the recurrent product is a matrix under `mode` (dense, or TT rebuilt); null
 * (autodiff of the per-step code) for a per-step TT contraction. The fused op with a per-step
 * contraction (`runLstmFused(…, 'contract')`) was measured no faster than autodiff at row-MNIST
 * (2 cores, rank 2, hidden 256: 160–166 vs 159–160 ms, A/B interleaved) and slower at hidden 512
 * (its dense dW = H_prevᵀ·dA costs 2·H·4H FLOPs per row), and its forward is slower for inference;
 * see README.md, "Measured".
 */
export function fusedForm(cell: RecurrentCell, batch: number, steps: number, mode: ProductMode): FusedForm | null {
  return cell.kind === 'lstm' && hiddenIsMatrix(cell, batch, steps, mode) ? 'matrix' : null;
}

/**
 * The hidden product a cell uses under `mode` (the choice LSTMCell makes); `form` 'matrix'
 * forces W to be formed, 'contract' forces the per-step contraction of TT cores (both used
 * when the choice was made once for a whole sequence).
 */
export function cellHiddenProduct(
  cell: RecurrentCell,
  batch: number,
  steps: number,
  mode: ProductMode,
  form: 'auto' | FusedForm = 'auto',
): HiddenProduct {
  const w = cell.hiddenWeights;
  if (w instanceof TTLinear && (form === 'contract' || (form === 'auto' && !hiddenIsMatrix(cell, batch, steps, mode)))) {
    return ttHiddenProduct(w.cores);
  }
  return denseHiddenProduct(cell.hiddenWeights.full());
}

export interface FusedLstmResult {
  /** Every hidden state, time-major [steps·batch, H]. */
  readonly hs: tf.Tensor2D;
  readonly h: tf.Tensor2D;
  readonly c: tf.Tensor2D;
}

/**
 * Runs the LSTM recurrence over pre-computed input pre-activations `xw` [steps·batch, 4H]
 * (x·Wx + bx + bh, time-major, gate blocks [i | f | g | o]) from the state (h0, c0), with a
 * fused backward. Differentiable with respect to xw, h0, c0 and `hidden.params`.
 */
export function fusedLstmSequence(
  xw: tf.Tensor2D,
  steps: number,
  batch: number,
  hidden: HiddenProduct,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D,
): FusedLstmResult {
  const fn = 'fusedLstmSequence';
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`'steps' passed to '${fn}' must be a positive integer, got ${steps}`);
  if (xw.rank !== 2 || xw.shape[0] !== steps * batch || xw.shape[1] % 4 !== 0) {
    throw new Error(`'xw' passed to '${fn}' must be [steps·batch = ${steps * batch}, 4H], got [${xw.shape.join(', ')}]`);
  }
  const H = xw.shape[1] / 4;
  if (h0.shape[0] !== batch || h0.shape[1] !== H || c0.shape[0] !== batch || c0.shape[1] !== H) {
    throw new Error(`'h0' and 'c0' passed to '${fn}' must be [${batch}, ${H}], got [${h0.shape.join(', ')}] and [${c0.shape.join(', ')}]`);
  }
  const nP = hidden.params.length;
  const split = (t: tf.Tensor2D): tf.Tensor2D[] => (steps === 1 ? [t] : (tf.split(t, steps, 0) as tf.Tensor2D[]));

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xwIn, hIn, cIn, ...ps] = args.slice(0, -1) as tf.Tensor2D[];
    const acts: tf.Tensor2D[] = [];
    const cs: tf.Tensor2D[] = [];
    const hs: tf.Tensor2D[] = [];
    let h = hIn!;
    let c = cIn!;
    const fwd = hidden.forward(ps);
    for (const xt of split(xwIn!)) {
      const a = tf.add(xt, fwd(h));
      const [ip, fp, gp, op] = tf.split(a, 4, 1) as tf.Tensor2D[];
      const i = tf.sigmoid(ip!);
      const f = tf.sigmoid(fp!);
      const g = tf.tanh(gp!);
      const o = tf.sigmoid(op!);
      c = tf.add(tf.mul(f, c), tf.mul(i, g));
      h = tf.mul(o, tf.tanh(c));
      acts.push(tf.concat([i, f, g, o], 1) as tf.Tensor2D);
      cs.push(c);
      hs.push(h);
    }
    const hsAll = tf.concat(hs, 0) as tf.Tensor2D;
    const actsAll = tf.concat(acts, 0) as tf.Tensor2D;
    const csAll = tf.concat(cs, 0) as tf.Tensor2D;
    save([actsAll, csAll, hsAll, hIn!, cIn!, ...ps]);
    const value = tf.concat([hsAll, c], 0);

    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [actsS, csS, hsS, h0S, c0S, ...psS] = saved as tf.Tensor2D[];
      const [dhs, dcLast] = tf.split(dy, [steps * batch, batch], 0) as [tf.Tensor2D, tf.Tensor2D];
      // σ'(a) = a(1 − a) for i, f, o and tanh'(a) = 1 − g² for g, for all steps at once.
      const [ia, fa, ga, oa] = tf.split(actsS!, 4, 1) as tf.Tensor2D[];
      const sig = (t: tf.Tensor2D) => tf.mul(t, tf.sub(1, t));
      const deriv = tf.concat([sig(ia!), sig(fa!), tf.sub(1, tf.square(ga!)), sig(oa!)], 1) as tf.Tensor2D;
      const tcAll = tf.tanh(csS!);
      const actSteps = split(actsS!);
      const derivSteps = split(deriv);
      const tcSteps = split(tcAll);
      const cSteps = split(csS!);
      const dhSteps = split(dhs);
      const back = hidden.transposed(psS);
      const dPre: tf.Tensor2D[] = new Array<tf.Tensor2D>(steps);
      let dhNext: tf.Tensor2D | null = null;
      let dc: tf.Tensor2D = dcLast;
      for (let t = steps - 1; t >= 0; t--) {
        const [i, f, g, o] = tf.split(actSteps[t]!, 4, 1) as tf.Tensor2D[];
        const dh: tf.Tensor2D = dhNext === null ? dhSteps[t]! : tf.add(dhSteps[t]!, dhNext);
        const tc = tcSteps[t]!;
        dc = tf.add(dc, tf.mul(tf.mul(dh, o!), tf.sub(1, tf.square(tc)))) as tf.Tensor2D;
        const cPrev = t > 0 ? cSteps[t - 1]! : c0S!;
        const dActs = tf.concat([tf.mul(dc, g!), tf.mul(dc, cPrev), tf.mul(dc, i!), tf.mul(dh, tc)], 1) as tf.Tensor2D;
        const d: tf.Tensor2D = tf.mul(dActs, derivSteps[t]!);
        dPre[t] = d;
        dc = tf.mul(dc, f!) as tf.Tensor2D;
        dhNext = back(d);
      }
      const dXw = tf.concat(dPre, 0) as tf.Tensor2D;
      // h_{t−1} for every step: h0, then the first steps − 1 outputs.
      const hPrev = steps === 1 ? h0S! : (tf.concat([h0S!, tf.slice(hsS!, [0, 0], [(steps - 1) * batch, H])], 0) as tf.Tensor2D);
      const dParams = hidden.paramGrads(hPrev, dXw, psS);
      return [dXw, dhNext!, dc, ...dParams];
    };
    return { value, gradFunc };
  });

  const out = op(xw, h0, c0, ...hidden.params);
  const [hs, c] = tf.split(out, [steps * batch, batch], 0) as [tf.Tensor2D, tf.Tensor2D];
  const h = steps === 1 ? hs : (tf.slice(hs, [(steps - 1) * batch, 0], [batch, H]) as tf.Tensor2D);
  void nP;
  return { hs, h, c };
}

/**
 * LSTMCell.runSequence with the fused backward, from h0 = c0 = 0 (or a given state): xs
 * time-major [steps·batch, N]. `form` 'matrix' forms W_h whatever `mode` chooses, 'contract'
 * contracts TT cores at every step (RNN.run decides once per sequence, `fusedForm`, and keeps that
 * choice inside checkpointed chunks). Call inside tf.tidy.
 */
export function runLstmFused(
  cell: RecurrentCell,
  xs: tf.Tensor2D,
  steps: number,
  batch: number,
  mode: ProductMode = 'auto',
  state?: { readonly h: tf.Tensor2D; readonly c: tf.Tensor2D },
  form: 'auto' | FusedForm = 'auto',
): FusedLstmResult {
  if (cell.kind !== 'lstm') throw new Error(`'cell' passed to 'runLstmFused' must be an LSTM cell, got a ${cell.kind} cell`);
  const H = cell.hiddenSize;
  let xw = cell.inputWeights.product(xs, cell.inputWeights.chooseMethod(steps * batch, 1, mode));
  const biases = [cell.inputWeights.biasVector(), cell.hiddenWeights.biasVector()].filter((b) => b !== null);
  if (biases.length > 0) xw = addRowVector(xw, biases.length === 1 ? biases[0]! : tf.add(biases[0]!, biases[1]!));
  const h0 = state?.h ?? (tf.zeros([batch, H]) as tf.Tensor2D);
  const c0 = state?.c ?? (tf.zeros([batch, H]) as tf.Tensor2D);
  return fusedLstmSequence(xw, steps, batch, cellHiddenProduct(cell, batch, steps, mode, form), h0, c0);
}
