// Compiles assembly/recurrent.ts with the AssemblyScript compiler from npm, in-process (no system
// toolchain). Used by build_wasm.mjs (writes src/generated/) and by the test that checks the
// committed binaries are what the source compiles to.
import asc from 'assemblyscript/asc';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SOURCE = fileURLToPath(new URL('../assembly/recurrent.ts', import.meta.url));

/**
 * @param {boolean} shared import a shared memory (threads) rather than a plain one
 * @returns {Promise<Uint8Array>}
 */
export async function compileRecurrent(shared) {
  const source = readFileSync(SOURCE, 'utf8');
  const flags = [
    'recurrent.ts',
    '--outFile',
    'recurrent.wasm',
    '--optimizeLevel',
    '3',
    '--shrinkLevel',
    '0',
    '--noAssert',
    '--runtime',
    'stub',
    '--enable',
    shared ? 'simd,threads' : 'simd',
    '--importMemory',
    '--initialMemory',
    '1',
    ...(shared ? ['--sharedMemory', '--maximumMemory', '65536'] : []),
    '--use',
    'abort=',
  ];
  let binary = null;
  const stderr = [];
  const { error } = await asc.main(flags, {
    readFile: (name) => (name === 'recurrent.ts' ? source : null),
    writeFile: (name, contents) => {
      if (name === 'recurrent.wasm') binary = contents;
    },
    listFiles: () => [],
    stderr: { write: (s) => stderr.push(String(s)) },
    stdout: { write: () => {} },
  });
  if (error || binary === null)
    throw new Error(`compiling ${SOURCE} failed: ${error?.message ?? ''}\n${stderr.join('')}`);
  return binary;
}
