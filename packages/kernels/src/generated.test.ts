import { describe, expect, it } from 'vitest';
import { compileRecurrent } from '../scripts/compile_wasm.mjs';
import { RECURRENT_WASM_PLAIN, RECURRENT_WASM_SHARED } from './generated/recurrent_wasm.js';

describe('src/generated/recurrent_wasm.ts', () => {
  it('is what assembly/recurrent.ts compiles to (else run `pnpm --filter @ttrnn/kernels build:wasm`)', async () => {
    const [shared, plain] = [await compileRecurrent(true), await compileRecurrent(false)];
    expect(Buffer.from(shared).toString('base64')).toBe(RECURRENT_WASM_SHARED);
    expect(Buffer.from(plain).toString('base64')).toBe(RECURRENT_WASM_PLAIN);
  });
});
