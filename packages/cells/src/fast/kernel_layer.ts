/**
 * A cell's layer over a sequence through a whole-sequence op: the cell's maps and biases, fed to
 * `kernelSequence` (wasm) or another op with its signature (`webgpuSequence`, webgpu/sequence_op.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ProductMode } from '../linear_map.js';
import { GATES } from '../recurrent_cell.js';
import type { RecurrentCell } from '../recurrent_cell.js';
import { kernelSequence } from './kernel_op.js';
import type { KernelSequenceResult } from './kernel_op.js';

/**
 * xs time-major [steps·batch, N] → every h (time-major), the last h and (LSTM) c, from `state`
 * ([h0] or [h0, c0]; zeros when absent). The input projection of all steps is one product (TT:
 * by the method `mode` chooses); W_h is the dense variable or rebuilt from the TT cores once (its
 * gradient reaches the cores through tfjs's autodiff of the rebuild). Call inside tf.tidy.
 */
export function runKernelLayer(
  cell: RecurrentCell,
  xs: tf.Tensor2D,
  steps: number,
  batch: number,
  mode: ProductMode,
  state?: readonly tf.Tensor2D[],
  sequence: typeof kernelSequence = kernelSequence,
): KernelSequenceResult {
  const H = cell.hiddenSize;
  const G = GATES[cell.kind] * H;
  const xp = cell.inputWeights.product(xs, cell.inputWeights.chooseMethod(steps * batch, 1, mode));
  const bx = cell.inputWeights.biasVector() ?? (tf.zeros([G]) as tf.Tensor1D);
  const bh = cell.hiddenWeights.biasVector() ?? (tf.zeros([G]) as tf.Tensor1D);
  const h0 = state?.[0] ?? (tf.zeros([batch, H]) as tf.Tensor2D);
  const c0 = cell.kind === 'lstm' ? (state?.[1] ?? (tf.zeros([batch, H]) as tf.Tensor2D)) : null;
  return sequence(cell.kind, xp, bx, cell.hiddenWeights.full(), bh, h0, c0, steps, batch);
}
