import { packageTestConfig } from '@ttrnn/test-utils/vitest-config';

export default packageTestConfig();
