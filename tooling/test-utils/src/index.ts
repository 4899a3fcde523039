export { assertClose, firstMismatch, maxAbsError } from './tolerance.js';
export type { Tolerance } from './tolerance.js';
export { onWebGPU, webgpuSkipReason } from './webgpu.js';
