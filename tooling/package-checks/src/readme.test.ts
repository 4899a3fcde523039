import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS_DIR, annotatedOutputs, outputMismatches, readmeBlocks } from './harness.js';

// Each ```ts block of the READMEs runs as written, as a module of its own, in a fresh Node process (tsx,
// from the packages' sources), and prints what its `console.log(…) // value` comments say. A block marked
// ```ts no-test says in its README why it cannot run here (a browser API, hours of work).
const dir = join(CHECKS_DIR, '.readme-examples');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tsx = join(CHECKS_DIR, 'node_modules/.bin/tsx');

function run(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      tsx,
      ['--conditions=source', file],
      { cwd: CHECKS_DIR, timeout: 240_000, env: { ...process.env, TTRNN_BACKEND: '' } },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
      },
    );
  });
}

describe('README examples run as written in Node', () => {
  const blocks = readmeBlocks();
  it('reads the values the examples say they print, and catches a different one', () => {
    const code =
      "console.log(await f());   // 'wasm' (or TTRNN_BACKEND)\nconst y = 1;\nconsole.log(y);\nconsole.log(z); // 1: bit-identical\n";
    expect(annotatedOutputs(code)).toEqual(['wasm', null, '1']);
    expect(outputMismatches(code, ['wasm', 'anything', '1'])).toEqual([]);
    expect(outputMismatches(code, ['cpu', 'anything', '1'])).toEqual([
      "console.log #1: printed 'cpu', the README says 'wasm'",
    ]);
    expect(outputMismatches(code, ['wasm'])).toEqual(['printed 1 lines, the example has 3 console.log calls']);
  });
  it('finds the examples', () => {
    expect(blocks.filter((b) => b.file === 'README.md').length).toBeGreaterThan(0);
    expect(new Set(blocks.map((b) => b.file)).size).toBeGreaterThan(5);
  });
  for (const block of blocks.filter((b) => !b.flags.includes('no-test'))) {
    it.concurrent(
      `${block.file}:${block.line}`,
      async () => {
        const file = join(dir, `${block.file.replace(/[/.]/g, '_')}_${block.line}.ts`);
        writeFileSync(file, block.code);
        const { code, stdout, stderr } = await run(file);
        expect(code, `${block.file}:${block.line} exited with ${code}:\n${stderr.slice(-3000)}`).toBe(0);
        expect(
          outputMismatches(
            block.code,
            stdout.split('\n').filter((l) => l !== ''),
          ),
          `${block.file}:${block.line}`,
        ).toEqual([]);
      },
      300_000,
    );
  }
});
