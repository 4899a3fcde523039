export { BACKEND_NAMES, DEFAULT_BACKEND, backendFromEnv, describeBackend, initBackend, isBackendName, webgpuProblem } from './backend.js';
export type { BackendName, InitBackendOptions } from './backend.js';
export { installWasmFastKernels } from './wasm_fast_kernels.js';
export type { WasmFastKernelOptions } from './wasm_fast_kernels.js';
export { installWasmMatMulFix } from './wasm_matmul_fix.js';
