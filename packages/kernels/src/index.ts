export {
  KERNEL_GATES,
  RecurrentKernels,
  availableCores,
  kernelsAvailable,
  recurrentKernels,
  setKernelThreads,
  threadsFromEnv,
} from './kernel.js';
export type {
  BackwardInputs,
  BackwardResult,
  ForwardInputs,
  ForwardResult,
  KernelCell,
  RecurrentMap,
  SequenceShape,
  TTCores,
} from './kernel.js';
export { threadsSupported } from './pool.js';
