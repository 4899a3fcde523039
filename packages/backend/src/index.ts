export {
  BACKEND_NAMES,
  DEFAULT_BACKEND,
  backendFromEnv,
  describeBackend,
  initBackend,
  isBackendName,
  webgpuProblem,
} from './backend.js';
export type { BackendName, InitBackendOptions } from './backend.js';
