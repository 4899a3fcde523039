import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ttrnn-ckpt-'));
  dirs.push(d);
  return d;
}

const contents = {
  meta: { step: 7, rng: { words: [1, 2, 3, 4294967295], spare: null }, best: { value: 0.25 } },
  arrays: [
    { name: 'a', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-30, -0]) },
    { name: 'b', shape: [1], data: Float32Array.from([NaN]) },
  ],
};

describe('checkpoint files', () => {
  it('round-trip metadata and arrays bit-exactly, leaving no temp file', () => {
    const dir = tempDir();
    const path = join(dir, 'state.ckpt');
    writeCheckpoint(path, contents);
    expect(readdirSync(dir)).toEqual(['state.ckpt']);
    const back = readCheckpoint(path);
    expect(back.meta).toEqual(contents.meta);
    expect(back.arrays.map((a) => a.name)).toEqual(['a', 'b']);
    expect(new Uint8Array(back.arrays[0]!.data.buffer)).toEqual(new Uint8Array(contents.arrays[0]!.data.buffer));
    expect(Number.isNaN(back.arrays[1]!.data[0])).toBe(true);
  });
  it('detects truncation, corruption and foreign files with the file named', () => {
    const bytes = encodeCheckpoint(contents);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 3), 'x.ckpt')).toThrow(/x.ckpt: truncated/);
    const flipped = Uint8Array.from(bytes);
    flipped[flipped.length - 2] = (flipped[flipped.length - 2] as number) ^ 0x10;
    expect(() => decodeCheckpoint(flipped, 'x.ckpt')).toThrow(/x.ckpt: corrupt checkpoint/);
    expect(() => decodeCheckpoint(Buffer.from('hello world, not a checkpoint'), 'x.ckpt')).toThrow(
      /not a ttrnn checkpoint/,
    );
    const dir = tempDir();
    writeFileSync(join(dir, 'short.ckpt'), bytes.subarray(0, 10));
    expect(() => readCheckpoint(join(dir, 'short.ckpt'))).toThrow(/short.ckpt/);
    expect(() => readCheckpoint(join(dir, 'missing.ckpt'))).toThrow(/missing.ckpt: cannot read/);
  });
  it('replaces an existing checkpoint atomically', () => {
    const dir = tempDir();
    const path = join(dir, 'state.ckpt');
    writeCheckpoint(path, contents);
    writeCheckpoint(path, { meta: { step: 8 }, arrays: [] });
    expect(readCheckpoint(path).meta).toEqual({ step: 8 });
    expect(readFileSync(path).length).toBeGreaterThan(28);
  });
});
