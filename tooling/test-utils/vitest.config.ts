import { packageTestConfig } from './vitest-config.js';

export default packageTestConfig({ include: ['src/**/*.test.ts'] });
