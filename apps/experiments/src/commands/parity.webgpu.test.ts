/**
 * The parity suite on the webgpu backend: every case of the reference vectors of the original, with the same
 * tolerances as on wasm (outputs 1e-5, gradients 1e-4; float32 GPU arithmetic stays below 1e-6 here). Runs
 * through SwiftShader (Vulkan on the CPU) where the machine has no GPU, and is skipped, saying what to
 * install, where no Vulkan driver is found. One test per case: SwiftShader takes seconds per case.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendFromEnv, initBackend, webgpuProblem } from '@ttrnn/backend';
import { runParity } from './parity.js';

const REFERENCE = fileURLToPath(new URL('../../../../reference/ttrnn-reference-vectors.json', import.meta.url));
const doc = JSON.parse(readFileSync(REFERENCE, 'utf8')) as Record<string, unknown>;
const PROBLEM = await webgpuProblem();
if (PROBLEM !== null) console.warn(`skipping the parity suite on webgpu: ${PROBLEM}`);

describe.skipIf(PROBLEM !== null)('parity with the original on webgpu', () => {
  beforeAll(async () => {
    await initBackend('webgpu');
  });
  afterAll(async () => {
    await initBackend(backendFromEnv());
  });

  for (const name of Object.keys(doc).filter((k) => k !== 'meta')) {
    it(name, { timeout: 300_000 }, async () => {
      const [r] = await runParity({ [name]: doc[name] });
      expect(r!.message ?? '').not.toMatch(/^cannot check/);
      expect(r!.ok, JSON.stringify(r)).toBe(true);
    });
  }
});
