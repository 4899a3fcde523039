import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ttrnn/backend';
import { createModel, saveModel } from '@ttrnn/cells/node';
import type { ModelConfig } from '@ttrnn/cells';
import {
  CHECKS_DIR,
  CHROMIUM_ARGS,
  CHROMIUM_GPU_ARGS,
  HAVE_CHROMIUM,
  NO_CHROMIUM_MESSAGE,
  PAGE_HTML,
  bundleForBrowser,
  outputMismatches,
  pageEntry,
  readmeBlocks,
  runInChromium,
  serveDirectory,
} from './harness.js';

// The packages as a web page gets them: bundled by esbuild for the browser (no externals, from the
// workspace sources here; `pnpm run pack-check` does the same from packed tarballs), run in Debian's
// headless Chromium. tfjs-backend-wasm's .wasm files are served beside the page, as a site would.
const root = join(CHECKS_DIR, '.readme-examples', 'browser');
rmSync(root, { recursive: true, force: true });
mkdirSync(root, { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

function site(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), PAGE_HTML);
  const wasmDir = join(CHECKS_DIR, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(dir, f));
  return dir;
}

/** Values that are exact in float32, so Node and the page start from the same input bit for bit. */
function input(shape: [number, number, number]): Float32Array {
  return Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, (_, i) => (((i * 37) % 201) - 100) / 100);
}

describe.skipIf(!HAVE_CHROMIUM)('in headless Chromium', () => {
  it("the root README's example runs as written and prints what it says", async () => {
    const block = readmeBlocks().find((b) => b.file === 'README.md' && !b.flags.includes('no-test'))!;
    const dir = site('readme');
    writeFileSync(join(dir, 'example.ts'), block.code);
    writeFileSync(join(dir, 'entry.ts'), pageEntry('./example.ts'));
    await bundleForBrowser(join(dir, 'entry.ts'), join(dir, 'app.js'), { conditions: ['source'] });
    const server = await serveDirectory(dir);
    try {
      const run = await runInChromium(server.url);
      expect(run.errors).toEqual([]);
      expect(run.done).toBe(true);
      expect(outputMismatches(block.code, run.logs)).toEqual([]);
    } finally {
      await server.close();
    }
  }, 240_000);

  // The same model and input on every browser backend: wasm runs the same kernels as Node (equal to
  // float32 rounding); webgl and webgpu run their shaders on SwiftShader (CHROMIUM_GPU_ARGS), whose
  // float32 arithmetic and transcendental functions differ from the CPU's in the last bits.
  it.each([
    ['wasm', 1e-6, CHROMIUM_ARGS],
    ['webgl', 1e-5, CHROMIUM_GPU_ARGS],
    ['webgpu', 1e-5, CHROMIUM_GPU_ARGS],
  ] as const)(
    'a model saved in Node with file:// loads in the page from http:// and gives the same outputs on %s',
    async (backend, tolerance, args) => {
      await initBackend('wasm');
      const config: ModelConfig = {
        task: 'classifier',
        cell: 'gru',
        tt: { cores: 2, rank: 2, extraCore: 'first', naive: false },
        inputSize: 6,
        hiddenSize: 8,
        layers: 1,
        outputSize: 3,
      };
      const model = createModel(config, 7);
      const shape: [number, number, number] = [2, 5, 6];
      const expected = tf.tidy(() => Array.from(model.apply(tf.tensor3d(input(shape), shape)).dataSync()));
      const dir = site(`model-${backend}`);
      await saveModel(model, `file://${join(dir, 'model')}`);
      model.dispose();
      writeFileSync(
        join(dir, 'example.ts'),
        [
          "import * as tf from '@tensorflow/tfjs-core';",
          "import { initBackend } from '@ttrnn/backend';",
          "import { chooseRecurrentPath, loadModel } from '@ttrnn/cells';",
          `await initBackend('${backend}');`,
          'console.log(tf.getBackend());',
          "const model = await loadModel(new URL('./model/model.json', location.href).href);",
          "console.log(chooseRecurrentPath(model.rnn.cells[0], 'auto'));",
          `const x = tf.tensor3d(Float32Array.from({ length: ${shape[0] * shape[1] * shape[2]} }, (_, i) => (((i * 37) % 201) - 100) / 100), [${shape.join(', ')}]);`,
          'console.log(JSON.stringify(Array.from(await model.apply(x).data())));',
          '',
        ].join('\n'),
      );
      writeFileSync(join(dir, 'entry.ts'), pageEntry('./example.ts'));
      await bundleForBrowser(join(dir, 'entry.ts'), join(dir, 'app.js'), { conditions: ['source'] });
      const server = await serveDirectory(dir);
      try {
        const run = await runInChromium(server.url, 120_000, args);
        expect(run.errors).toEqual([]);
        expect(run.done).toBe(true);
        expect(run.logs[0]).toBe(backend); // the backend asked for, not a fallback
        // The layer's path in the page: on wasm the fused WebAssembly kernels (compiled on the page's main thread).
        expect(run.logs[1]).toBe({ wasm: 'kernel', webgl: 'plain', webgpu: 'webgpu' }[backend]);
        const actual = JSON.parse(run.logs[2]!) as number[];
        expect(actual).toHaveLength(expected.length);
        actual.forEach((a, i) =>
          expect(Math.abs(a - expected[i]!), `output ${i}: page ${a}, Node ${expected[i]}`).toBeLessThanOrEqual(
            tolerance,
          ),
        );
      } finally {
        await server.close();
      }
    },
    240_000,
  );
});

if (!HAVE_CHROMIUM) {
  describe('in headless Chromium', () => {
    it.skip(`skipped: ${NO_CHROMIUM_MESSAGE}`, () => {});
  });
}
