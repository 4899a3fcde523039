import { defineConfig, defaultClientConditions } from 'vite';

// 'source' resolves the workspace packages to their TypeScript sources (no package build needed);
// base './' makes the built site work from any folder or URL path.
export default defineConfig({
  base: './',
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: { outDir: 'dist', chunkSizeWarningLimit: 2000 },
});
