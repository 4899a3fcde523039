// The shared configuration, by path: @ttrnn/test-utils depends on this package, so
// declaring it back as a dependency would make a cycle in the workspace graph.
import { packageTestConfig } from '../../tooling/test-utils/vitest-config.js';

export default packageTestConfig({ include: ['src/**/*.test.ts'] });
