import { packageTestConfig } from '@ttrnn/test-utils/vitest-config';

// No tfjs in this package: no backend set-up, no tensor-leak guard.
export default packageTestConfig({ setup: false });
