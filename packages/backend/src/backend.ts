/**
 * The one place where a TensorFlow.js backend is chosen.
 *
 * Library packages import `@tensorflow/tfjs-core` only; entry points (the CLI,
 * benchmarks, test set-up, a web page) call `initBackend` once. This module
 * registers tfjs-core's gradients (`#register-gradients`, see package.json:
 * tfjs-core's own ES module list in a bundler, the same code pre-bundled for
 * Node, where tfjs-core's CommonJS build has none) and loads a backend package
 * only when it is chosen, so nothing here needs the `@tensorflow/tfjs` union.
 *
 * Browser-safe: no `node:` import, and `process` is only looked at through
 * `globalThis`, where a page has none.
 */
import * as tf from '@tensorflow/tfjs-core';
import '#register-gradients';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { installWasmFastKernels } from './wasm_fast_kernels.js';
import { installWasmMatMulFix } from './wasm_matmul_fix.js';

export const BACKEND_NAMES = ['wasm', 'cpu', 'webgl', 'webgpu', 'tensorflow', 'tensorflow-gpu'] as const;
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

/** The environment variables of the running process, or none in a browser (which has no `process`). */
function processEnv(): Record<string, string | undefined> {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
}

/** The backend named by `TTRNN_BACKEND` (in Node; a browser has no environment), or the default. */
export function backendFromEnv(env: Record<string, string | undefined> = processEnv()): BackendName {
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

/**
 * WebGPU: the browser's `navigator.gpu`, or in Node the npm package `webgpu` (Dawn), set up by
 * webgpu_node.ts, a module of its own so that the browser path imports nothing from Node. The tfjs backend
 * registers itself only if `navigator.gpu` exists when it is first imported, hence the order.
 */
async function loadWebGPU(): Promise<void> {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu === undefined) {
    const { installNodeWebGPU } = await import('./webgpu_node.js');
    webgpuAdapter = (await installNodeWebGPU()).adapter;
  }
  await import('@tensorflow/tfjs-backend-webgpu');
}

/**
 * Why the webgpu backend cannot start here (a message saying what to install), or null. Where
 * `navigator.gpu` exists (a browser) it can; in Node it checks the `webgpu` package, the Vulkan loader and a
 * driver without starting a GPU. For skipping tests, and for tools that offer webgpu only where it works.
 */
export async function webgpuProblem(): Promise<string | null> {
  if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu !== undefined) return null;
  const { nodeWebGPUProblem } = await import('./webgpu_node.js');
  return nodeWebGPUProblem();
}

export interface InitBackendOptions {
  /**
   * wasm only: also replace tfjs-backend-wasm's Slice/SplitV/Unpack and Tanh kernels with faster
   * equivalents (wasm_fast_kernels.ts). Default true; `false` keeps the stock kernels, for
   * before/after benchmarks. Once installed they stay for the life of the process.
   */
  readonly fastKernels?: boolean;
  /**
   * wasm in a browser: the folder URL (ending in `/`) where the page serves tfjs-backend-wasm's `.wasm`
   * files, passed to its `setWasmPaths`. A bundler does not copy them; copy
   * `node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm` next to your page. Node finds them by itself.
   */
  readonly wasmPaths?: string;
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
    if (options.wasmPaths !== undefined) setWasmPaths(options.wasmPaths);
    installWasmMatMulFix();
    if (options.fastKernels !== false) installWasmFastKernels();
  }
  // Loaded on demand: a page that uses wasm does not pay for webgl's shaders, nor Node for either.
  if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  if (name === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
  if (name === 'webgpu') await loadWebGPU();
  if (name === 'tensorflow' || name === 'tensorflow-gpu') await loadNative(name);
  // tfjs-node registers its backend as 'tensorflow' for both builds.
  const tfName = name === 'tensorflow-gpu' ? 'tensorflow' : name;
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`initBackend: the '${name}' backend failed to initialise`);
  await tf.ready();
  return name;
}

/** The WebGPU adapter in use (vendor, architecture, driver), once the webgpu backend has been set up in Node. */
let webgpuAdapter: string | null = null;

/** A short description of the active backend for reports; `adapter` on webgpu (e.g. 'google swiftshader ...'). */
export function describeBackend(): { backend: string; tfjsVersion: string; adapter?: string } {
  const backend = tf.getBackend();
  if (backend !== 'webgpu') return { backend, tfjsVersion: tf.version_core };
  // In a browser the tfjs backend knows the adapter's vendor and architecture only.
  const info = (tf.backend() as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
  const adapter =
    webgpuAdapter ?? [info?.vendor, info?.architecture].filter((x) => x !== undefined && x !== '').join(' ');
  return { backend, tfjsVersion: tf.version_core, adapter: adapter === '' ? 'unknown adapter' : adapter };
}
