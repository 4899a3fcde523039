/**
 * A whole recurrent layer's sequence as one tfjs op, computed by the WebAssembly kernels of
 * `@ttrnn/kernels` (forward and backward through time in one call each, on every core).
 *
 * Inputs (all differentiable): xp [steps·batch, G·H], the input projection x·Wx of every step
 * without bias (one batched tfjs product, outside the op); bx, bh [G·H]; w [H, G·H], the recurrent
 * matrix (a variable, or W rebuilt from TT cores by tfjs, so the cores get their gradient through
 * tfjs's autodiff of the rebuild); h0 (and c0 for LSTM) [batch, H]. The equations are the cells'
 * (lstm_cell.ts, gru_cell.ts); tests compare both paths' outputs and gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { KERNEL_GATES, recurrentKernels } from '@ttrnn/kernels';
import type { KernelCell } from '@ttrnn/kernels';

export interface KernelSequenceResult {
  /** Every hidden state, time-major [steps·batch, H]. */
  readonly hs: tf.Tensor2D;
  /** The last hidden state [batch, H]. */
  readonly h: tf.Tensor2D;
  /** The last cell state [batch, H] (LSTM), null for GRU. */
  readonly c: tf.Tensor2D | null;
}

/** The part of tfjs-backend-wasm's backend used here (its class is not exported as a type). */
interface WasmHeapReader {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/**
 * A tensor's values: on the wasm backend a view of its heap (no copy; valid until tfjs allocates
 * again, and the kernels copy their inputs in before anything else happens), else `dataSync()`.
 */
function read(t: tf.Tensor): Float32Array {
  const backend = tf.backend() as unknown as Partial<WasmHeapReader>;
  if (tf.getBackend() === 'wasm' && typeof backend.typedArrayFromHeap === 'function')
    return backend.typedArrayFromHeap(t);
  return t.dataSync() as Float32Array;
}

/** A tensor holding a copy of `a` (the kernels' arrays are views of their memory, reused by the next call). */
function tensorOf(a: Float32Array, shape: number[]): tf.Tensor {
  // The wasm backend copies the values into its heap at once; the cpu backend keeps the array.
  return tf.tensor(tf.getBackend() === 'wasm' ? a : a.slice(), shape, 'float32');
}

export function kernelSequence(
  cell: KernelCell,
  xp: tf.Tensor2D,
  bx: tf.Tensor1D,
  w: tf.Tensor2D,
  bh: tf.Tensor1D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D | null,
  steps: number,
  batch: number,
): KernelSequenceResult {
  const fn = 'kernelSequence';
  const H = w.shape[0];
  const G = KERNEL_GATES[cell] * H;
  if (w.shape[1] !== G)
    throw new Error(`'w' passed to '${fn}' must be [H, ${KERNEL_GATES[cell]}·H], got [${w.shape.join(', ')}]`);
  if (xp.shape[0] !== steps * batch || xp.shape[1] !== G) {
    throw new Error(
      `'xp' passed to '${fn}' must be [steps·batch = ${steps * batch}, ${G}], got [${xp.shape.join(', ')}]`,
    );
  }
  const lstm = cell === 'lstm';
  if (lstm !== (c0 !== null)) throw new Error(`'c0' passed to '${fn}' must be given for an LSTM and null for a GRU`);
  const shape = { steps, batch, hidden: H };
  const rows = (lstm ? steps + 1 : steps) * batch;

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xpI, bxI, wI, bhI, h0I, c0I] = args.slice(0, -1) as tf.Tensor[];
    const kernels = recurrentKernels();
    const f = kernels.forward(cell, shape, {
      xp: read(xpI!),
      bx: read(bxI!),
      w: read(wI!),
      bh: read(bhI!),
      h0: read(h0I!),
      ...(c0I === undefined ? {} : { c0: read(c0I) }),
    });
    const out = tensorOf(f.out, [rows, H]);
    const acts = tensorOf(f.acts, [steps * batch, 4 * H]);
    const cc = f.cc === null ? null : tensorOf(f.cc, [(steps + 1) * batch, H]);
    save(cc === null ? [wI!, h0I!, out, acts] : [wI!, h0I!, out, acts, cc]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [ws, h0s, outs, actss, ccs] = saved;
      const g = recurrentKernels().backward(cell, shape, {
        w: read(ws!),
        h0: read(h0s!),
        out: read(outs!),
        cc: ccs === undefined ? null : read(ccs),
        acts: read(actss!),
        dOut: read(dy),
      });
      const grads = [
        tensorOf(g.dxp, [steps * batch, G]),
        tensorOf(g.dbx, [G]),
        tensorOf(g.dw, [H, G]),
        tensorOf(g.dbh, [G]),
        tensorOf(g.dh0, [batch, H]),
      ];
      if (g.dc0 !== null) grads.push(tensorOf(g.dc0, [batch, H]));
      return grads;
    };
    return { value: out, gradFunc };
  });

  const out = (c0 === null ? op(xp, bx, w, bh, h0) : op(xp, bx, w, bh, h0, c0)) as tf.Tensor2D;
  const hs = lstm ? (tf.slice(out, [0, 0], [steps * batch, H]) as tf.Tensor2D) : out;
  const h = steps === 1 && !lstm ? hs : (tf.slice(out, [(steps - 1) * batch, 0], [batch, H]) as tf.Tensor2D);
  const c = lstm ? (tf.slice(out, [steps * batch, 0], [batch, H]) as tf.Tensor2D) : null;
  return { hs, h, c };
}
