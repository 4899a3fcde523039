import { packageTestConfig } from '@ttrnn/test-utils/vitest-config';

// No tfjs in this package's tests: no backend set-up, no tensor-leak guard.
export default packageTestConfig({ setup: false });
