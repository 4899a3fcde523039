/**
 * A cell's layer over a sequence through a whole-sequence op: the cell's maps and biases, fed to
 * `kernelSequence` (wasm) or another op that multiplies by a dense W (`webgpuSequence`, webgpu/sequence_op.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ProductMode } from '../linear_map.js';
import { GATES } from '../recurrent_cell.js';
import type { RecurrentCell } from '../recurrent_cell.js';
import { TTLinear } from '../tt_linear.js';
import { kernelSequence, recordingGradients } from './kernel_op.js';
import type { KernelMap, KernelSequenceResult } from './kernel_op.js';
import { kernelProduct } from './path.js';
import type { webgpuSequence } from './webgpu/sequence_op.js';

/** A whole-sequence op that takes the recurrent map as a dense W [H, G·H] (the signature of `webgpuSequence`). */
export type DenseSequenceOp = typeof webgpuSequence;

/**
 * xs time-major [steps·batch, N] → every h (time-major), the last h and (LSTM) c, from `state`
 * ([h0] or [h0, c0]; zeros when absent). The input projection of all steps is one product: in the
 * kernel with Wx (rebuilt once for a TT map), or for `sequence` in tfjs by the method `mode` chooses;
 * the recurrent map is the dense variable, the TT cores (contracted
 * by the kernel at every step) or W rebuilt from them once, as `kernelProduct` chooses; `sequence`
 * (webgpu) always gets W. Call inside tf.tidy.
 */
export function runKernelLayer(
  cell: RecurrentCell,
  xs: tf.Tensor2D,
  steps: number,
  batch: number,
  mode: ProductMode,
  state?: readonly tf.Tensor2D[],
  sequence?: DenseSequenceOp,
): KernelSequenceResult {
  const H = cell.hiddenSize;
  const G = GATES[cell.kind] * H;
  const bx = cell.inputWeights.biasVector() ?? (tf.zeros([G]) as tf.Tensor1D);
  const bh = cell.hiddenWeights.biasVector() ?? (tf.zeros([G]) as tf.Tensor1D);
  const h0 = state?.[0] ?? (tf.zeros([batch, H]) as tf.Tensor2D);
  const c0 = cell.kind === 'lstm' ? (state?.[1] ?? (tf.zeros([batch, H]) as tf.Tensor2D)) : null;
  const wh = cell.hiddenWeights;
  if (sequence !== undefined) {
    const xp = cell.inputWeights.product(xs, cell.inputWeights.chooseMethod(steps * batch, 1, mode));
    return sequence(cell.kind, xp, bx, wh.full(), bh, h0, c0, steps, batch);
  }
  const training = recordingGradients();
  const how = kernelProduct(cell, batch, mode, training);
  // W is formed only where it is multiplied by, or where its gradient dW is the way to the cores.
  const map: KernelMap =
    how.method !== 'per-step' || !(wh instanceof TTLinear)
      ? { w: wh.full() }
      : how.ttGradient === 'cores' || !training
        ? { cores: wh.cores, shape: wh.shape }
        : { cores: wh.cores, shape: wh.shape, w: wh.full() };
  // The input projection too runs in the kernel, on every core, with Wx (a TT input map: rebuilt once).
  return kernelSequence(cell.kind, { x: xs, wx: cell.inputWeights.full() }, bx, map, bh, h0, c0, steps, batch);
}
