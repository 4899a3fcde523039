// Builds dist/register_gradients.node.js: tfjs-core's gradient list for Node.
//
// tfjs-core's Node entry (CommonJS) registers no gradients, and its ES module files
// (dist/register_all_gradients.js and the files it imports) cannot be loaded by Node:
// no "type": "module" and extension-less imports. The union package and tfjs-layers solve
// this by bundling those files into their Node builds; this does the same, without the
// rest of the union. The bundle registers into tfjs-core's global registry, so it serves
// whichever tfjs-core copy the application loaded.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const core = dirname(require.resolve('@tensorflow/tfjs-core/package.json'));
await build({
  entryPoints: [join(core, 'dist/register_all_gradients.js')],
  outfile: join(here, '../dist/register_gradients.node.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'eof',
  banner: {
    js: '// tfjs-core 4.22 gradient registrations (Apache-2.0, Google LLC), bundled for Node by @ttrnn/backend.',
  },
  logLevel: 'warning',
});
