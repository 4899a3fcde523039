import { packageTestConfig } from '@ttrnn/test-utils/vitest-config';

// These tests start their own processes and browsers; none needs the in-process backend set-up.
export default packageTestConfig({ include: ['src/**/*.test.ts'], setup: false });
