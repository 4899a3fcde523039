import { packageTestConfig } from '@ttrnn/test-utils/vitest-config';

// The page's own tfjs runs in Chromium; the Node-side tests need no backend set-up.
export default packageTestConfig({ setup: false });
