/**
 * Works around two defects of tfjs-backend-wasm 4.22.0's matrix product
 * (figures in apps/experiments/bench/README.md, "Figures behind the code's choices"):
 *
 * 1. With `transposeA` or `transposeB` set, XNNPACK is bypassed for a slow
 *    reference loop, many times slower than the fast kernel. Every matMul
 *    gradient sets those flags, so training ran several times too slow.
 *    We transpose explicitly with the wasm Transpose kernel, then call the fast
 *    un-transposed kernel. The arithmetic is the same, so results are identical.
 * 2. `_FusedMatMul` with a bias on rank-3 (batched) input gives wrong results.
 *    For batched input we run the plain product and add the bias and the
 *    activation with separate kernels.
 *
 * The replacement kernels keep the original `setupFunc`, so they must be
 * registered before the wasm backend is initialised (`installWasmMatMulFix`
 * is called by `initBackend` before `tf.setBackend('wasm')`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { wasmKernel } from './wasm_kernel.js';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

type AnyArgs = Parameters<KernelFunc>[0];

let installed = false;

const kernel = (name: string): KernelConfig => wasmKernel(name, 'installWasmMatMulFix');

function transposeLast2(x: TensorInfo, backend: AnyArgs['backend']): TensorInfo {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  const t = kernel(tf.Transpose).kernelFunc({ inputs: { x }, backend, attrs: { perm } });
  return t as TensorInfo;
}

/** Re-registers the wasm BatchMatMul and _FusedMatMul kernels (idempotent). */
export function installWasmMatMulFix(): void {
  if (installed) return;
  const batch = kernel(tf.BatchMatMul);
  const fused = kernel(tf._FusedMatMul);
  const add = kernel(tf.Add);
  const activations: Record<string, KernelConfig | undefined> = {
    relu: tf.getKernel(tf.Relu, 'wasm'),
    relu6: tf.getKernel(tf.Relu6, 'wasm'),
    elu: tf.getKernel(tf.Elu, 'wasm'),
    sigmoid: tf.getKernel(tf.Sigmoid, 'wasm'),
    tanh: tf.getKernel(tf.Tanh, 'wasm'),
  };

  // Transposes the operands that the attributes ask for and returns them with
  // the temporaries to dispose once the product is computed.
  const untranspose = (args: AnyArgs) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
    const temps: TensorInfo[] = [];
    let a2 = a;
    let b2 = b;
    if (attrs.transposeA) {
      a2 = transposeLast2(a, args.backend);
      temps.push(a2);
    }
    if (attrs.transposeB) {
      b2 = transposeLast2(b, args.backend);
      temps.push(b2);
    }
    return { a: a2, b: b2, temps };
  };
  const dispose = (backend: AnyArgs['backend'], temps: TensorInfo[]) => {
    for (const t of temps) (backend as KernelBackend).disposeData(t.dataId);
  };

  const fastBatchMatMul: KernelFunc = (args) => {
    const { a, b, temps } = untranspose(args);
    const out = batch.kernelFunc({
      inputs: { a, b },
      backend: args.backend,
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    });
    dispose(args.backend, temps);
    return out;
  };

  const fastFusedMatMul: KernelFunc = (args) => {
    const { a, b, temps } = untranspose(args);
    const inputs = args.inputs as { a: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    const attrs = args.attrs as { activation?: string };
    const batched = a.shape.length > 2 || b.shape.length > 2;
    if (!batched || inputs.bias === undefined) {
      const out = fused.kernelFunc({
        inputs: { ...inputs, a, b },
        backend: args.backend,
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
      dispose(args.backend, temps);
      return out;
    }
    const activation = attrs.activation ?? 'linear';
    const act = activations[activation];
    if (activation !== 'linear' && act === undefined) {
      dispose(args.backend, temps);
      throw new Error(
        `wasm _FusedMatMul: activation '${activation}' with a bias on batched input is not supported by the ttrnn workaround; use an unfused matMul`,
      );
    }
    const prod = batch.kernelFunc({
      inputs: { a, b },
      backend: args.backend,
      attrs: { transposeA: false, transposeB: false },
    }) as TensorInfo;
    temps.push(prod);
    let out = add.kernelFunc({ inputs: { a: prod, b: inputs.bias }, backend: args.backend, attrs: {} }) as TensorInfo;
    if (act !== undefined) {
      temps.push(out);
      out = act.kernelFunc({ inputs: { x: out }, backend: args.backend, attrs: {} }) as TensorInfo;
    }
    dispose(args.backend, temps);
    return out;
  };

  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({ ...batch, kernelFunc: fastBatchMatMul });
  tf.unregisterKernel(tf._FusedMatMul, 'wasm');
  tf.registerKernel({ ...fused, kernelFunc: fastFusedMatMul });
  installed = true;
}
