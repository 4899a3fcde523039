/**
 * A whole recurrent layer's sequence as one tfjs op on the webgpu backend: the forward is one WGSL dispatch
 * per step (programs.ts), the backward one dispatch per step back through time, then dW = H_prevᵀ·dA, the bias
 * sums and dh0 as one tfjs product or sum each over all steps. Same inputs and results as the wasm kernel op
 * (kernel_op.ts), so `runKernelLayer` feeds either.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CellKind } from '../../recurrent_cell.js';
import type { KernelSequenceResult } from '../kernel_op.js';
import type { WgslProgram, WgslShape } from './programs.js';
import { backwardStepProgram, forwardStepProgram, gradLayout, stateLayout } from './programs.js';

/** The part of tfjs-backend-webgpu's `WebGPUBackend` used here (the class is not imported: see programs.ts). */
interface WebGPURunner {
  runWebGPUProgram(
    program: WgslProgram,
    inputs: tf.TensorInfo[],
    outputDtype: 'float32',
    uniforms?: { type: 'int32'; data: number[] }[],
    output?: tf.TensorInfo,
  ): tf.TensorInfo;
}

function webgpuRunner(fn: string): WebGPURunner {
  const backend = tf.backend() as unknown as Partial<WebGPURunner>;
  if (tf.getBackend() !== 'webgpu' || typeof backend.runWebGPUProgram !== 'function') {
    throw new Error(`'${fn}' runs on the webgpu backend only; the active backend is '${tf.getBackend()}'`);
  }
  return backend as WebGPURunner;
}

/**
 * The state and gradient buffers hold about 6·steps·batch·H floats (LSTM); a GPU binds at most
 * `maxStorageBufferBindingSize` bytes (128 MiB where the adapter says no more). Refuses, saying what to change,
 * rather than let the dispatch fail inside the driver.
 */
function checkBufferSize(floats: number, shape: WgslShape, fn: string): void {
  const device = (tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } }).device;
  const limit = device?.limits?.maxStorageBufferBindingSize;
  if (limit === undefined || 4 * floats <= limit) return;
  throw new Error(
    `'${fn}': ${shape.steps} steps × batch ${shape.batch} × hidden ${shape.hidden} need a ${Math.ceil((4 * floats) / 2 ** 20)} MiB ` +
      `buffer, above this GPU's maxStorageBufferBindingSize (${Math.floor(limit / 2 ** 20)} MiB); run the layers in ` +
      `checkpointed chunks (option checkpoint: steps per chunk) or with a smaller batch`,
  );
}

/** Runs `make(t)` for every step t in `order`, all writing into one output buffer; returns it as a tensor. */
function runSteps(runner: WebGPURunner, make: () => WgslProgram, inputs: tf.Tensor[], order: number[]): tf.Tensor1D {
  let out: tf.TensorInfo | undefined;
  for (const t of order) out = runner.runWebGPUProgram(make(), inputs, 'float32', [{ type: 'int32', data: [t] }], out);
  return tf.engine().makeTensorFromTensorInfo(out!) as tf.Tensor1D;
}

/** A slice of a flat buffer as a matrix [rows, cols]. */
function part(flat: tf.Tensor1D, offset: number, rows: number, cols: number): tf.Tensor2D {
  return tf.reshape(tf.slice(flat, [offset], [rows * cols]), [rows, cols]);
}

/**
 * xp [steps·batch, G·H] (x·Wx without bias), bx, bh [G·H], w [H, G·H], h0 [batch, H], c0 [batch, H] (LSTM)
 * or null (GRU) → every h, the last h and (LSTM) c. All inputs are differentiable.
 */
export function webgpuSequence(
  cell: CellKind,
  xp: tf.Tensor2D,
  bx: tf.Tensor1D,
  w: tf.Tensor2D,
  bh: tf.Tensor1D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D | null,
  steps: number,
  batch: number,
): KernelSequenceResult {
  const fn = 'webgpuSequence';
  const runner = webgpuRunner(fn);
  const H = w.shape[0];
  const lstm = cell === 'lstm';
  if (lstm !== (c0 !== null)) throw new Error(`'c0' passed to '${fn}' must be given for an LSTM and null for a GRU`);
  const shape: WgslShape = { steps, batch, hidden: H };
  const st = stateLayout(cell, shape);
  const gl = gradLayout(cell, shape);
  checkBufferSize(Math.max(st.size, gl.size), { steps, batch, hidden: H }, fn);
  const forward = Array.from({ length: steps }, (_, t) => t);
  const backward = forward.slice().reverse();

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xpI, bxI, wI, bhI, h0I, c0I] = args.slice(0, -1) as tf.Tensor[];
    const inputs = [xpI!, bxI!, bhI!, wI!, h0I!, ...(c0I === undefined ? [] : [c0I])];
    const state = runSteps(runner, () => forwardStepProgram(cell, shape), inputs, forward);
    save([wI!, h0I!, state]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [ws, h0s, states] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
      const wt = tf.transpose(ws);
      const bInputs = [wt, states, dy, ...(lstm ? [] : [h0s])];
      const grad = runSteps(runner, () => backwardStepProgram(cell, shape), bInputs, backward);
      const G = ws.shape[1];
      const dax = part(grad, gl.dax, steps * batch, G);
      const dah = lstm ? dax : part(grad, gl.dah, steps * batch, G);
      const carry = part(grad, gl.carry, batch, H);
      // h_{t−1} of every step: h0, then every h but the last.
      const hPrev = steps === 1 ? h0s : tf.concat([h0s, part(states, st.hs, (steps - 1) * batch, H)], 0);
      const dh0FromW = tf.matMul(tf.slice(dah, [0, 0], [batch, G]), ws, false, true);
      const grads = [
        dax,
        tf.sum(dax, 0),
        tf.matMul(hPrev, dah, true, false),
        tf.sum(dah, 0),
        lstm ? dh0FromW : tf.add(dh0FromW, carry),
      ];
      if (lstm) grads.push(carry);
      return grads;
    };
    return { value: state, gradFunc };
  });

  const state = (c0 === null ? op(xp, bx, w, bh, h0) : op(xp, bx, w, bh, h0, c0)) as tf.Tensor1D;
  const hs = part(state, st.hs, steps * batch, H);
  const h = part(state, st.hs + (steps - 1) * batch * H, batch, H);
  const c = lstm ? part(state, st.cc + steps * batch * H, batch, H) : null;
  return { hs, h, c };
}
