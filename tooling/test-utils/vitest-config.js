// @ts-check
// The vitest configuration every workspace package uses (each package has its own
// vitest.config.ts that calls this: inside a package vitest would otherwise climb to the root).
// Plain JavaScript so that vite's config loader can import it from node_modules without a transform.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const setupFile = fileURLToPath(new URL('./src/setup.ts', import.meta.url));

/**
 * @param {{ include?: string[], setup?: boolean }} [options]
 *   include: test file globs (default src and test); setup: run the backend set-up and the
 *   tensor-leak guard before every test file (default true; packages without tfjs turn it off).
 */
export function packageTestConfig({ include = ['src/**/*.test.ts', 'test/**/*.test.ts'], setup = true } = {}) {
  return defineConfig({
    // 'source' resolves sibling workspace packages to their TypeScript sources (see their
    // package.json exports), so tests never depend on a stale dist/. Published manifests drop it.
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: {
      globals: false,
      include,
      // Generous: CI machines are shared and two packages test at once; a hung test still ends the run.
      testTimeout: 120_000,
      // Hooks start browsers and build bundles (the demo's and package checks' browser tests).
      hookTimeout: 120_000,
      setupFiles: setup ? [setupFile] : [],
      reporters: ['default', 'json'],
      outputFile: { json: '.vitest/report.json' },
    },
  });
}
