import type { UserConfig } from 'vitest/config';

/** The vitest configuration of a workspace package (see vitest-config.js). */
export declare function packageTestConfig(options?: { include?: string[]; setup?: boolean }): UserConfig;
