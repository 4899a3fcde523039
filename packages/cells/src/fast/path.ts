/**
 * The one place where a recurrent layer's path is chosen:
 * - 'kernel': the whole sequence as one op of the WebAssembly kernels (kernel_op.ts), on every core;
 * - 'webgpu': the whole sequence as one op of WGSL programs, one dispatch per step (webgpu/sequence_op.ts);
 * - 'plain': the cell's equations in tfjs ops, step by step (lstm_cell.ts, gru_cell.ts), the
 *   reference and the path on every other backend (cpu, webgl, tensorflow).
 */
import * as tf from '@tensorflow/tfjs-core';
import { kernelsAvailable } from '@ttrnn/kernels';
import { Linear } from '../linear.js';
import type { ProductMode } from '../linear_map.js';
import type { RecurrentCell } from '../recurrent_cell.js';

export type RecurrentPath = 'kernel' | 'webgpu' | 'plain';
/** 'auto' (the default) chooses by backend and mode; 'kernel' and 'plain' force a path (tests, benchmarks). */
export type PathChoice = 'auto' | RecurrentPath;
export const PATH_CHOICES: readonly PathChoice[] = ['auto', 'kernel', 'webgpu', 'plain'];

/**
 * 'auto': the kernel when the wasm backend is active (the kernels read and write its tensors with
 * plain copies, and are faster than its per-step ops), unless the layer's recurrent map is a TT
 * matrix asked to contract its cores at every step (mode 'per-step'): the kernel multiplies by W,
 * rebuilt from the cores once per pass; and only where the kernels can be created (`kernelsAvailable`).
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
  return mode === 'per-step' && !(cell.hiddenWeights instanceof Linear) ? 'plain' : 'kernel';
}
