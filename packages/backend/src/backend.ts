/**
 * The one place where a TensorFlow.js backend is chosen.
 *
 * Library packages import `@tensorflow/tfjs-core` only; entry points (the CLI,
 * benchmarks, test set-up) call `initBackend` once. Importing the union
 * `@tensorflow/tfjs` here registers the gradients and the cpu backend on the
 * same tfjs-core instance that the libraries use.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installWasmFastKernels } from './wasm_fast_kernels.js';
import { installWasmMatMulFix } from './wasm_matmul_fix.js';

export const BACKEND_NAMES = ['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The backend used when neither the caller nor `TTRNN_BACKEND` chooses one: it installs anywhere. */
export const DEFAULT_BACKEND: BackendName = 'wasm';

/** The optional native packages, loaded only when asked for. */
const NATIVE_PACKAGES: Record<'tensorflow' | 'tensorflow-gpu', string> = {
  tensorflow: '@tensorflow/tfjs-node',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
};

export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

/** The backend named by `TTRNN_BACKEND`, or the default. */
export function backendFromEnv(env: NodeJS.ProcessEnv = process.env): BackendName {
  const name = env['TTRNN_BACKEND'];
  if (name === undefined || name === '') return DEFAULT_BACKEND;
  if (!isBackendName(name)) {
    throw new Error(`TTRNN_BACKEND must be one of ${BACKEND_NAMES.join(', ')}, got '${name}'`);
  }
  return name;
}

async function loadNative(name: 'tensorflow' | 'tensorflow-gpu'): Promise<void> {
  const pkg = NATIVE_PACKAGES[name];
  try {
    // A variable specifier keeps bundlers and tsc from requiring the package.
    await import(/* @vite-ignore */ pkg);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(
        `Backend '${name}' needs the optional package ${pkg}@4.22.0, which is not installed. ` +
          `Install it with \`pnpm add ${pkg}@4.22.0\` (its install script downloads libtensorflow, so it needs internet` +
          (name === 'tensorflow-gpu' ? ', and CUDA 11.2 with cuDNN 8.1' : '') +
          `), or choose --backend wasm or cpu.`,
      );
    }
    throw new Error(`Backend '${name}': loading ${pkg} failed: ${(err as Error).message}`);
  }
}

export interface InitBackendOptions {
  /**
   * wasm only: also replace tfjs-backend-wasm's Slice/SplitV/Unpack and Tanh kernels with faster
   * equivalents (wasm_fast_kernels.ts). Default true; `false` keeps the stock kernels, for
   * before/after benchmarks. Once installed they stay for the life of the process.
   */
  readonly fastKernels?: boolean;
}

/**
 * Selects and initialises a backend; resolves to its name.
 * `wasm` gets the matMul fix (see wasm_matmul_fix.ts) before it initialises, and the fast
 * Slice/Tanh kernels (see wasm_fast_kernels.ts) unless `fastKernels` is false.
 */
export async function initBackend(
  name: BackendName | string = backendFromEnv(),
  options: InitBackendOptions = {},
): Promise<BackendName> {
  if (!isBackendName(name)) {
    throw new Error(`'backend' passed to 'initBackend' must be one of ${BACKEND_NAMES.join(', ')}, got '${name}'`);
  }
  if (name === 'wasm') {
    installWasmMatMulFix();
    if (options.fastKernels !== false) installWasmFastKernels();
  }
  if (name === 'tensorflow' || name === 'tensorflow-gpu') await loadNative(name);
  // tfjs-node registers its backend as 'tensorflow' for both builds.
  const tfName = name === 'tensorflow-gpu' ? 'tensorflow' : name;
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`initBackend: the '${name}' backend failed to initialise`);
  await tf.ready();
  return name;
}

/** A short description of the active backend for reports. */
export function describeBackend(): { backend: string; tfjsVersion: string } {
  return { backend: tf.getBackend(), tfjsVersion: tf.version_core };
}
