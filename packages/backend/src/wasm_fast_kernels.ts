/**
 * Two more speed defects of tfjs-backend-wasm 4.22.0 that every RNN step meets, fixed by
 * re-registering kernels (in the spirit of @ttrnn/backend's wasm_matmul_fix.ts; measured in
 * apps/experiments/bench/README.md, "Speed changes and what each bought"):
 *
 * 1. `Slice` (and `SplitV` / `Unpack`, which call it) starts with `backend.readSync(x)`, which
 *    COPIES the whole input out of the wasm heap before taking the slice. Unstacking a
 *    [steps, batch, 4H] projection therefore costs steps × its full size (most of a row-MNIST
 *    forward), and splitting the [batch, 4H] gates into four costs four copies. We read
 *    the input through a view of the heap instead (`typedArrayFromHeap`): the same bytes move,
 *    the results are identical, the cost becomes the size of the output.
 * 2. `Tanh` uses the scalar libm tanh (many times slower per element than XNNPACK's sigmoid). We compute
 *    tanh(x) = 2·σ(2x) − 1 with the wasm Sigmoid kernel; the absolute difference is below 2.5e-7
 *    (float32 rounding of the two affine steps). Gradients are unaffected: tfjs differentiates
 *    Tanh from its output y as dy·(1 − y²).
 *
 * Installed by `initBackend('wasm')` unless `{ fastKernels: false }` (benchmarks use that for
 * before/after figures). The kernels have no setup function, so they may be registered before
 * or after the backend initialises.
 */
import * as tf from '@tensorflow/tfjs-core';
import { wasmKernel } from './wasm_kernel.js';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

type Backend = Parameters<KernelFunc>[0]['backend'];

/** The parts of BackendWasm used here (it is not exported as a type by tfjs-core). */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object): boolean;
}

export interface WasmFastKernelOptions {
  /** Slice / SplitV / Unpack through heap views (default true). */
  readonly slice?: boolean;
  /** Tanh through the wasm Sigmoid kernel (default true). */
  readonly tanh?: boolean;
}

const installed = new Set<string>();

const kernel = (name: string): KernelConfig => wasmKernel(name, 'installWasmFastKernels');

/** Copies x[begin : begin + size] into a new output, reading x through a heap view. */
function sliceView(x: TensorInfo, begin: number[], size: number[], backend: WasmBackend): TensorInfo {
  const rank = x.shape.length;
  const out = backend.makeOutput(size, x.dtype);
  const n = tf.util.sizeFromShape(size);
  if (n === 0) return out;
  // Views are taken after makeOutput: allocating may grow (and so detach) the heap buffer.
  const xv = backend.typedArrayFromHeap(x);
  const ov = backend.typedArrayFromHeap(out);
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const off = tf.slice_util.computeFlatOffset(begin, strides);
    ov.set(xv.subarray(off, off + n));
    return out;
  }
  // Merge trailing axes taken whole into one contiguous run.
  let inner = 1;
  let last = rank - 1;
  while (last > 0 && begin[last] === 0 && size[last] === x.shape[last]) {
    inner *= size[last]!;
    last--;
  }
  const run = size[last]! * inner;
  const outer = n / run;
  const idx = new Array<number>(last).fill(0);
  let o = 0;
  for (let r = 0; r < outer; r++) {
    // computeStrides leaves out the last axis, whose stride is 1.
    let off = begin[last]! * (strides[last] ?? 1);
    for (let a = 0; a < last; a++) off += (begin[a]! + idx[a]!) * strides[a]!;
    ov.set(xv.subarray(off, off + run), o);
    o += run;
    for (let a = last - 1; a >= 0; a--) {
      if (++idx[a]! < size[a]!) break;
      idx[a] = 0;
    }
  }
  return out;
}

/** Re-registers the wasm kernels named in the options (idempotent per kernel). */
export function installWasmFastKernels(options: WasmFastKernelOptions = {}): void {
  if (options.slice ?? true) installSlice();
  if (options.tanh ?? true) installTanh();
}

function installSlice(): void {
  if (installed.has('slice')) return;
  const orig = { slice: kernel(tf.Slice), split: kernel(tf.SplitV), unpack: kernel(tf.Unpack) };
  const isString = (x: TensorInfo) => x.dtype === 'string';

  const slice: KernelFunc = (args) => {
    const x = (args.inputs as { x: TensorInfo }).x;
    if (isString(x)) return orig.slice.kernelFunc(args);
    const attrs = args.attrs as { begin: number | number[]; size: number | number[] };
    const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, attrs.begin, attrs.size);
    return sliceView(x, begin!, size!, args.backend as unknown as WasmBackend);
  };

  const splitV: KernelFunc = (args) => {
    const x = (args.inputs as { x: TensorInfo }).x;
    if (isString(x)) return orig.split.kernelFunc(args);
    const attrs = args.attrs as { numOrSizeSplits: number | number[]; axis: number | number[] };
    const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, attrs.numOrSizeSplits, axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[axis] = s;
      const out = sliceView(x, [...begin], size, args.backend as unknown as WasmBackend);
      begin[axis]! += s;
      return out;
    });
  };

  const unpack: KernelFunc = (args) => {
    const x = (args.inputs as { value: TensorInfo }).value;
    if (isString(x)) return orig.unpack.kernelFunc(args);
    let axis = (args.attrs as { axis: number }).axis;
    if (axis < 0) axis += x.shape.length;
    const outShape = x.shape.filter((_, i) => i !== axis);
    const size = [...x.shape];
    size[axis] = 1;
    const outs: TensorInfo[] = [];
    for (let i = 0; i < x.shape[axis]!; i++) {
      const begin = new Array<number>(x.shape.length).fill(0);
      begin[axis] = i;
      const o = sliceView(x, begin, size, args.backend as unknown as WasmBackend);
      outs.push({ dataId: o.dataId, dtype: o.dtype, shape: outShape });
    }
    return outs;
  };

  for (const [name, k, f] of [
    [tf.Slice, orig.slice, slice],
    [tf.SplitV, orig.split, splitV],
    [tf.Unpack, orig.unpack, unpack],
  ] as const) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...k, kernelFunc: f });
  }
  installed.add('slice');
}

function installTanh(): void {
  if (installed.has('tanh')) return;
  const orig = kernel(tf.Tanh);
  const sigmoid = kernel(tf.Sigmoid);
  const mul = kernel(tf.Multiply);
  const sub = kernel(tf.Sub);

  const scalar = (backend: WasmBackend, v: number): TensorInfo => {
    const s = backend.makeOutput([], 'float32');
    backend.typedArrayFromHeap(s)[0] = v;
    return s;
  };

  const tanh: KernelFunc = (args) => {
    const x = (args.inputs as { x: TensorInfo }).x;
    if (x.dtype !== 'float32') return orig.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackend;
    const b = args.backend as Backend;
    const two = scalar(backend, 2);
    const one = scalar(backend, 1);
    const x2 = mul.kernelFunc({ inputs: { a: x, b: two }, backend: b, attrs: {} }) as TensorInfo;
    const s = sigmoid.kernelFunc({ inputs: { x: x2 }, backend: b, attrs: {} }) as TensorInfo;
    const s2 = mul.kernelFunc({ inputs: { a: s, b: two }, backend: b, attrs: {} }) as TensorInfo;
    const y = sub.kernelFunc({ inputs: { a: s2, b: one }, backend: b, attrs: {} }) as TensorInfo;
    for (const t of [two, one, x2, s, s2]) backend.disposeData(t.dataId);
    return y;
  };

  tf.unregisterKernel(tf.Tanh, 'wasm');
  tf.registerKernel({ ...orig, kernelFunc: tanh });
  installed.add('tanh');
}
