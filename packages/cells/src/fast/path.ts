/**
 * The one place where a recurrent layer's path, and the kernel's recurrent product, are chosen:
 * - 'kernel': the whole sequence as one op of the WebAssembly kernels (kernel_op.ts), on every core;
 * - 'webgpu': the whole sequence as one op of WGSL programs, one dispatch per step (webgpu/sequence_op.ts);
 * - 'plain': the cell's equations in tfjs ops, step by step (lstm_cell.ts, gru_cell.ts), the
 *   reference and the path on every other backend (cpu, webgl, tensorflow).
 */
import * as tf from '@tensorflow/tfjs-core';
import { kernelsAvailable } from '@ttrnn/kernels';
import { Linear } from '../linear.js';
import type { ProductMethod, ProductMode } from '../linear_map.js';
import { chooseKernelTTMethod } from '../product_cost.js';
import type { RecurrentCell } from '../recurrent_cell.js';
import { TTLinear } from '../tt_linear.js';

export type RecurrentPath = 'kernel' | 'webgpu' | 'plain';
/** 'auto' (the default) chooses by backend and mode; 'kernel', 'webgpu' and 'plain' force a path (tests, benchmarks). */
export type PathChoice = 'auto' | RecurrentPath;
export const PATH_CHOICES: readonly PathChoice[] = ['auto', 'kernel', 'webgpu', 'plain'];

/**
 * 'auto': the kernel when the wasm backend is active (the kernels read and write its tensors with
 * plain copies, and are faster than its per-step ops) and the kernels can be created here
 * (`kernelsAvailable`). The kernel contracts a TT map's cores at every step itself, or multiplies by
 * W rebuilt once per pass (`kernelProduct`); the one layout it cannot contract, one TT matrix per
 * gate (naive), takes the plain path when asked to contract per step.
 */
export function chooseRecurrentPath(
  cell: RecurrentCell,
  mode: ProductMode,
  choice: PathChoice = 'auto',
): RecurrentPath {
  if (choice !== 'auto') return choice;
  // webgpu: the WGSL op multiplies by W too (rebuilt once per pass), so the same rule as the wasm kernel.
  if (tf.getBackend() === 'webgpu')
    return mode === 'per-step' && !(cell.hiddenWeights instanceof Linear) ? 'plain' : 'webgpu';
  if (tf.getBackend() !== 'wasm' || !kernelsAvailable()) return 'plain';
  const w = cell.hiddenWeights;
  return mode === 'per-step' && !(w instanceof Linear) && !(w instanceof TTLinear) ? 'plain' : 'kernel';
}

/**
 * How the kernel multiplies by the recurrent map: 'dense' (a dense W), or for a TT map 'per-step'
 * (the kernel contracts the cores at every step) or 'rebuilt' (tfjs forms W once per pass, the kernel
 * multiplies by it, and autodiff of the rebuild takes dW to the cores); with 'per-step', `ttGradient`
 * says whether the kernel accumulates the cores' gradient itself ('cores') or returns dW ('w'). Under
 * mode 'auto' the kernels' FLOP model decides (`chooseKernelTTMethod`), for a training pass
 * (`training`: the backward repeats the contraction) or an inference pass.
 */
export function kernelProduct(
  cell: RecurrentCell,
  batch: number,
  mode: ProductMode,
  training: boolean,
): { readonly method: 'dense' | ProductMethod; readonly ttGradient: 'cores' | 'w' } {
  const w = cell.hiddenWeights;
  if (w instanceof Linear) return { method: 'dense', ttGradient: 'w' };
  if (!(w instanceof TTLinear)) return { method: 'rebuilt', ttGradient: 'w' };
  return chooseKernelTTMethod(w.shape, batch, mode, training);
}
