/**
 * A whole recurrent layer's sequence as one tfjs op, computed by the WebAssembly kernels of
 * `@ttrnn/kernels` (forward and backward through time in one call each, on every core).
 *
 * Inputs (all differentiable): the input projection (`KernelInput`): x [steps·batch, N] and wx
 * [N, G·H], multiplied by the kernel on every core, or xp = x·Wx of every step without bias (a tfjs
 * product outside the op); bx, bh [G·H]; h0 (and c0 for LSTM)
 * [batch, H]; the recurrent map (`KernelMap`): w [H, G·H] (a variable, or W rebuilt from TT cores by
 * tfjs, so the cores get their gradient through tfjs's autodiff of the rebuild), or the TT cores,
 * which the kernel contracts at every step, returning their gradient or dW. The equations are the cells'
 * (lstm_cell.ts, gru_cell.ts); tests compare both paths' outputs and gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { KERNEL_GATES, recurrentKernels } from '@ttrnn/kernels';
import type { KernelCell, RecurrentMap } from '@ttrnn/kernels';
import type { TTMatrixShape } from '@ttrnn/tt';

export interface KernelSequenceResult {
  /** Every hidden state, time-major [steps·batch, H]. */
  readonly hs: tf.Tensor2D;
  /** The last hidden state [batch, H]. */
  readonly h: tf.Tensor2D;
  /** The last cell state [batch, H] (LSTM), null for GRU. */
  readonly c: tf.Tensor2D | null;
}

/**
 * The recurrent map given to the kernel: a dense W; TT cores contracted at every step, whose
 * gradient the kernel accumulates; or both, W = ttFull(cores): the kernel contracts the cores and
 * returns dW as W's gradient, which tfjs's autodiff of the rebuild takes to the cores.
 */
export type KernelMap =
  | { readonly w: tf.Tensor2D; readonly cores?: undefined }
  | { readonly cores: readonly tf.Tensor4D[]; readonly shape: TTMatrixShape; readonly w?: tf.Tensor2D };

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

/**
 * Whether tfjs is recording ops for a gradient here (inside `tf.grad`, `variableGrads`, …). When it
 * is not, the op keeps nothing for a backward: copying the saved activations out costs milliseconds.
 */
export function recordingGradients(): boolean {
  return tf.engine().isTapeOn();
}

/**
 * The input projection given to the kernel: xp = x·Wx (formed by tfjs), or x [steps·batch, N] and
 * wx [N, G·H], from which the kernel forms xp on every core (and returns dx, dwx).
 */
export type KernelInput = { readonly xp: tf.Tensor2D } | { readonly x: tf.Tensor2D; readonly wx: tf.Tensor2D };

export function kernelSequence(
  cell: KernelCell,
  input: KernelInput,
  bx: tf.Tensor1D,
  map: KernelMap,
  bh: tf.Tensor1D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D | null,
  steps: number,
  batch: number,
): KernelSequenceResult {
  const fn = 'kernelSequence';
  // The kernels read their inputs synchronously; webgpu tensors cannot be read so (tfjs fails deep inside, in
  // Node with "OffscreenCanvas is not defined"). webgl reads synchronously, slowly, and is left to work.
  if (tf.getBackend() === 'webgpu')
    throw new Error(
      `'${fn}' (path 'kernel') cannot read webgpu tensors synchronously; on webgpu use path 'auto' or 'plain'`,
    );
  const H = h0.shape[1];
  const G = KERNEL_GATES[cell] * H;
  if (map.w !== undefined && (map.w.shape[0] !== H || map.w.shape[1] !== G))
    throw new Error(
      `'w' passed to '${fn}' must be [H, ${KERNEL_GATES[cell]}·H] = [${H}, ${G}], got [${map.w.shape.join(', ')}]`,
    );
  const inputTensors = 'xp' in input ? [input.xp] : [input.x, input.wx];
  const [in0, wxIn] = inputTensors as [tf.Tensor2D, tf.Tensor2D | undefined];
  const N = wxIn === undefined ? 0 : wxIn.shape[0];
  if (wxIn !== undefined && wxIn.shape[1] !== G)
    throw new Error(`'wx' passed to '${fn}' must be [N, ${G}], got [${wxIn.shape.join(', ')}]`);
  const width = wxIn === undefined ? G : N;
  if (in0.shape[0] !== steps * batch || in0.shape[1] !== width) {
    const name = wxIn === undefined ? 'xp' : 'x';
    throw new Error(
      `'${name}' passed to '${fn}' must be [steps·batch = ${steps * batch}, ${width}], got [${in0.shape.join(', ')}]`,
    );
  }
  const nIn = inputTensors.length;
  const lstm = cell === 'lstm';
  if (lstm !== (c0 !== null)) throw new Error(`'c0' passed to '${fn}' must be given for an LSTM and null for a GRU`);
  const shape = { steps, batch, hidden: H };
  const rows = (lstm ? steps + 1 : steps) * batch;
  // The op's differentiable map inputs: W (dense, or rebuilt for a dW gradient) or the cores.
  const mapTensors: tf.Tensor[] = map.w !== undefined ? [map.w] : [...(map.cores ?? [])];
  const states = c0 === null ? [h0] : [h0, c0];
  const nState = states.length;
  const tt = map.cores === undefined ? null : map;
  const ttGradient = map.w === undefined ? 'cores' : 'w';
  const kernelMap = (ts: tf.Tensor[]): RecurrentMap =>
    tt === null
      ? { w: read(ts[0]!) }
      : {
          tt: {
            inModes: tt.shape.inModes,
            outModes: tt.shape.outModes,
            ranks: tt.shape.ranks,
            // With a dW gradient the cores are no op inputs: read from the map (variables, unchanged until the update).
            cores: (ttGradient === 'cores' ? ts : tt.cores).map((c) => read(c)),
          },
        };
  const training = recordingGradients();

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs = args.slice(0, -1) as tf.Tensor[];
    const inI = inputs.slice(0, nIn);
    const [bxI, bhI] = inputs.slice(nIn, nIn + 2);
    const stateI = inputs.slice(nIn + 2, nIn + 2 + nState);
    const mapI = inputs.slice(nIn + 2 + nState);
    const projection = (ts: tf.Tensor[]) => (nIn === 1 ? { xp: read(ts[0]!) } : { x: read(ts[0]!), wx: read(ts[1]!) });
    const f = recurrentKernels().forward(cell, shape, {
      ...projection(inI),
      bx: read(bxI!),
      bh: read(bhI!),
      h0: read(stateI[0]!),
      ...(nState === 2 ? { c0: read(stateI[1]!) } : {}),
      ...kernelMap(mapI),
    });
    const out = tensorOf(f.out, [rows, H]);
    if (training) {
      const acts = tensorOf(f.acts, [steps * batch, 4 * H]);
      const cc = f.cc === null ? [] : [tensorOf(f.cc, [(steps + 1) * batch, H])];
      save([stateI[0]!, out, acts, ...cc, ...(nIn === 1 ? [] : inI), ...mapI]);
    }
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [h0s, outs, actss] = saved;
      const ccs = lstm ? saved[3]! : null;
      const rest = saved.slice(lstm ? 4 : 3);
      const g = recurrentKernels().backward(cell, shape, {
        ...(nIn === 1 ? {} : projection(rest.slice(0, 2))),
        h0: read(h0s!),
        out: read(outs!),
        cc: ccs === null ? null : read(ccs),
        acts: read(actss!),
        dOut: read(dy),
        ...kernelMap(rest.slice(nIn === 1 ? 0 : 2)),
        ...(tt === null ? {} : { ttGradient }),
      });
      const grads = [
        ...(nIn === 1
          ? [tensorOf(g.dxp, [steps * batch, G])]
          : [tensorOf(g.dx!, [steps * batch, N]), tensorOf(g.dwx!, [N, G])]),
        tensorOf(g.dbx, [G]),
        tensorOf(g.dbh, [G]),
        tensorOf(g.dh0, [batch, H]),
      ];
      if (g.dc0 !== null) grads.push(tensorOf(g.dc0, [batch, H]));
      if (g.dw !== null) grads.push(tensorOf(g.dw, [H, G]));
      else g.dcores!.forEach((d, k) => grads.push(tensorOf(d, mapTensors[k]!.shape)));
      return grads;
    };
    return { value: out, gradFunc };
  });

  const out = op(...inputTensors, bx, bh, ...states, ...mapTensors) as tf.Tensor2D;
  const hs = lstm ? (tf.slice(out, [0, 0], [steps * batch, H]) as tf.Tensor2D) : out;
  const h = steps === 1 && !lstm ? hs : (tf.slice(out, [(steps - 1) * batch, 0], [batch, H]) as tf.Tensor2D);
  const c = lstm ? (tf.slice(out, [steps * batch, 0], [batch, H]) as tf.Tensor2D) : null;
  return { hs, h, c };
}
