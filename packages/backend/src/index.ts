export { BACKEND_NAMES, DEFAULT_BACKEND, backendFromEnv, describeBackend, initBackend, isBackendName } from './backend.js';
export type { BackendName } from './backend.js';
export { installWasmMatMulFix } from './wasm_matmul_fix.js';
