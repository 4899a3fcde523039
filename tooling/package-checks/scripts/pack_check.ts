/**
 * `pnpm run pack-check`: the packages as a new user gets them. Builds and packs every published package
 * (`pnpm pack`), checks each tarball's contents and manifest, installs the tarballs with npm (and the tfjs
 * peers from the registry) into a fresh project outside the workspace, runs the cells README example there
 * in Node, bundles the root README example and a model-loading page with esbuild for the browser (no
 * externals) and runs both in headless Chromium: the model is the one the Node run saved with file://,
 * served over http://, and must give the same outputs.
 *
 * Not part of `pnpm test`: npm install reaches the registry, and the whole takes minutes. Exits non-zero
 * on the first failure, with what failed. `--keep` leaves the temporary project for inspection.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import {
  HAVE_CHROMIUM,
  NO_CHROMIUM_MESSAGE,
  PAGE_HTML,
  REPO_ROOT,
  outputMismatches,
  pageEntry,
  publishedPackages,
  readmeBlocks,
  runInChromium,
  serveDirectory,
} from '../src/harness.js';

const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'ttrnn-pack-check-'));
const tarballs = join(work, 'tarballs');
const app = join(work, 'app');
mkdirSync(tarballs);
mkdirSync(app);
const started = performance.now();
const problems: string[] = [];

function step(what: string): void {
  console.error(`\n[pack-check ${((performance.now() - started) / 1000).toFixed(0)} s] ${what}`);
}
// pnpm's own settings (npm_config_*) would leak into npm and into the user-like project: drop them.
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_config_')),
);
function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
    env: cmd === 'npm' || cmd === 'node' ? cleanEnv : process.env,
  });
}
function check(ok: boolean, message: string): void {
  if (!ok) problems.push(message);
  console.error(`  ${ok ? 'ok  ' : 'FAIL'} ${message}`);
}

try {
  const packages = publishedPackages();
  step(`building ${packages.map((p) => p.name).join(', ')}`);
  sh('pnpm', ['exec', 'turbo', 'run', 'build', ...packages.map((p) => `--filter=${p.name}`)], REPO_ROOT);

  step('packing');
  for (const p of packages) sh('pnpm', ['pack', '--pack-destination', tarballs], p.dir);
  const files = readdirSync(tarballs)
    .filter((f) => f.endsWith('.tgz'))
    .sort();
  check(files.length === packages.length, `${files.length} tarballs for ${packages.length} packages`);
  for (const f of files) {
    const path = join(tarballs, f);
    const listing = sh('tar', ['tzf', path], work).split('\n').filter(Boolean);
    const manifest = sh('tar', ['xzf', path, '-O', 'package/package.json'], work);
    const m = JSON.parse(manifest) as Record<string, Record<string, unknown> | undefined>;
    const kb = (statSync(path).size / 1024).toFixed(1);
    check(
      listing.includes('package/dist/index.js') &&
        listing.includes('package/LICENSE') &&
        listing.includes('package/README.md'),
      `${f} (${kb} KiB): dist/index.js, LICENSE, README.md`,
    );
    check(
      !listing.some(
        (l) => /^package\/(src|test|assembly)\//.test(l) || l.includes('test_util') || /\.test\.[jt]s$/.test(l),
      ),
      `${f}: no sources, tests or test utilities`,
    );
    check(
      !manifest.includes('"source"') && !manifest.includes('catalog:') && !manifest.includes('workspace:'),
      `${f}: no source condition, catalog: or workspace: in package.json`,
    );
    const peers = { ...(m['peerDependencies'] ?? {}), ...(m['dependencies'] ?? {}) } as Record<string, string>;
    check(!('vitest' in peers), `${f}: no vitest dependency or peer`);
    for (const [name, range] of Object.entries(peers))
      if (name.startsWith('@tensorflow/')) check(range === '^4.22.0', `${f}: ${name} ${range}`);
    check(
      typeof m['types'] === 'string' &&
        typeof (m['engines'] as Record<string, string> | undefined)?.['node'] === 'string',
      `${f}: types and engines.node`,
    );
  }

  step(`npm install of the tarballs into ${app}`);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'ttrnn-pack-check-app', private: true, type: 'module' }, null, 2),
  );
  sh(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      ...files.map((f) => join(tarballs, f)),
      '@tensorflow/tfjs-core@^4.22.0',
      '@tensorflow/tfjs-layers@^4.22.0',
      'esbuild@0.28.2',
    ],
    app,
  );
  const cores = sh('npm', ['ls', '--all', '--parseable', '@tensorflow/tfjs-core'], app)
    .split('\n')
    .filter((l) => l.endsWith('tfjs-core'));
  check(cores.length === 1, `one @tensorflow/tfjs-core installed (${cores.length})`);

  step('Node: the cells README example, and a model saved with file:// for the browser');
  const cellsBlock = readmeBlocks().find((b) => b.file === 'packages/cells/README.md' && !b.flags.includes('no-test'))!;
  writeFileSync(join(app, 'readme-cells.ts'), cellsBlock.code);
  const site = join(app, 'site');
  mkdirSync(join(site, 'model'), { recursive: true });
  writeFileSync(
    join(app, 'save-model.ts'),
    [
      "import * as tf from '@tensorflow/tfjs-core';",
      "import { initBackend } from '@ttrnn/backend';",
      "import { createModel, saveModel } from '@ttrnn/cells/node';",
      "import { writeFileSync } from 'node:fs';",
      "await initBackend('wasm');",
      "const model = createModel({ task: 'classifier', cell: 'lstm', tt: { cores: 2, rank: 2, extraCore: 'none', naive: false }, inputSize: 28, hiddenSize: 32, layers: 1, outputSize: 10 }, 3);",
      "await saveModel(model, 'file://site/model');",
      'const x = tf.tensor3d(Float32Array.from({ length: 2 * 28 * 28 }, (_, i) => (((i * 37) % 201) - 100) / 100), [2, 28, 28]);',
      "writeFileSync('site/expected.json', JSON.stringify(Array.from(model.apply(x).dataSync())));",
      '',
    ].join('\n'),
  );
  for (const name of ['readme-cells', 'save-model']) {
    await build({
      entryPoints: [join(app, `${name}.ts`)],
      outfile: join(app, `${name}.mjs`),
      format: 'esm',
      platform: 'node',
      logLevel: 'error',
    });
    const printed = sh('node', [`${name}.mjs`], app)
      .split('\n')
      .filter(Boolean);
    if (name === 'readme-cells') {
      const mismatches = outputMismatches(cellsBlock.code, printed);
      check(
        mismatches.length === 0,
        `cells README example in Node printed ${JSON.stringify(printed)}${mismatches.length ? ': ' + mismatches.join('; ') : ''}`,
      );
    }
  }
  check(
    existsSync(join(site, 'model/model.json')) && existsSync(join(site, 'model/weights.bin')),
    'file:// save wrote model.json and weights.bin',
  );

  if (!HAVE_CHROMIUM) {
    check(false, NO_CHROMIUM_MESSAGE);
  } else {
    step('browser: esbuild --platform=browser bundles (no externals) in headless Chromium');
    const rootBlock = readmeBlocks().find((b) => b.file === 'README.md' && !b.flags.includes('no-test'))!;
    const wasmDir = join(app, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
    for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm')))
      copyFileSync(join(wasmDir, f), join(site, f));
    writeFileSync(join(site, 'index.html'), PAGE_HTML);
    const pages: Array<[string, string, (logs: string[]) => void]> = [
      [
        'readme',
        rootBlock.code,
        (logs) => {
          const mismatches = outputMismatches(rootBlock.code, logs);
          check(
            mismatches.length === 0,
            `root README example in Chromium printed ${JSON.stringify(logs)}${mismatches.length ? ': ' + mismatches.join('; ') : ''}`,
          );
        },
      ],
      [
        'model',
        [
          "import * as tf from '@tensorflow/tfjs-core';",
          "import { initBackend } from '@ttrnn/backend';",
          "import { loadModel } from '@ttrnn/cells';",
          "await initBackend('wasm');",
          "const model = await loadModel(new URL('./model/model.json', location.href).href);",
          'const x = tf.tensor3d(Float32Array.from({ length: 2 * 28 * 28 }, (_, i) => (((i * 37) % 201) - 100) / 100), [2, 28, 28]);',
          'console.log(JSON.stringify(Array.from(model.apply(x).dataSync())));',
          '',
        ].join('\n'),
        (logs) => {
          const expected = JSON.parse(readFileSync(join(site, 'expected.json'), 'utf8')) as number[];
          const actual = logs[0] === undefined ? [] : (JSON.parse(logs[0]) as number[]);
          const maxErr =
            actual.length === expected.length
              ? Math.max(...actual.map((a, i) => Math.abs(a - expected[i]!)))
              : Infinity;
          check(
            maxErr <= 1e-6,
            `model saved by Node (file://), loaded by the page (http://): ${actual.length} outputs, largest difference ${maxErr}`,
          );
        },
      ],
    ];
    const server = await serveDirectory(site);
    try {
      for (const [name, code, verify] of pages) {
        writeFileSync(join(app, `${name}-example.ts`), code);
        writeFileSync(join(app, `${name}-entry.ts`), pageEntry(`./${name}-example.ts`));
        const out = await build({
          entryPoints: [join(app, `${name}-entry.ts`)],
          outfile: join(site, 'app.js'),
          bundle: true,
          platform: 'browser',
          format: 'esm',
          minify: true,
          logLevel: 'error',
          absWorkingDir: app,
          metafile: true,
        });
        const bytes = Object.values(out.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
        console.error(`  ${name}: browser bundle ${(bytes / 1024).toFixed(0)} KiB minified`);
        const run = await runInChromium(server.url);
        check(
          run.errors.length === 0 && run.done,
          `${name} page finished without errors${run.errors.length ? ': ' + run.errors.join(' | ').slice(0, 2000) : run.done ? '' : ' (timed out)'}`,
        );
        verify(run.logs);
      }
    } finally {
      await server.close();
    }
  }
} catch (err) {
  problems.push(`stopped: ${(err as Error).message}`);
  console.error(err);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
  else console.error(`kept ${work}`);
}

step(problems.length === 0 ? 'all checks passed' : `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
process.exit(problems.length === 0 ? 0 : 1);
