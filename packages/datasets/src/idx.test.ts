import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, encodeIdx, isGzip, parseIdx } from './idx.js';
import { readIdxFile } from './idx_file.js';

const FIXTURES = fileURLToPath(new URL('../test/fixtures/mnist/', import.meta.url));

/** The fixture pixel formula of test/fixtures/mnist/make-fixtures.mjs. */
function fixturePixel(i: number, r: number, c: number): number {
  if (i === 1 && r === 2 && c === 3) return 255;
  return ((i * 61 + r * 17 + c * 5) * 7) % 256;
}

describe('parseIdx', () => {
  it('reads hand-written big-endian header bytes', () => {
    // magic 0x00000803, dims 2 × 1 × 3 (each 4 bytes, big-endian), then 6 pixels.
    const bytes = Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 10, 20, 30, 40, 50, 255]);
    const idx = parseIdx(bytes, 'x', IDX_IMAGES_MAGIC);
    expect(idx.magic).toBe(2051);
    expect(idx.dims).toEqual([2, 1, 3]);
    expect(Array.from(idx.data)).toEqual([10, 20, 30, 40, 50, 255]);
  });

  it('reads dimensions above 255 (all four bytes count)', () => {
    const data = new Uint8Array(300).map((_, i) => i % 256);
    const idx = parseIdx(encodeIdx([300], data), 'labels', IDX_LABELS_MAGIC);
    expect(idx.dims).toEqual([300]);
    expect(idx.data).toEqual(data);
  });

  it('rejects a wrong magic number, naming the file and both numbers', () => {
    const labels = encodeIdx([2], Uint8Array.from([1, 2]));
    expect(() => parseIdx(labels, 'train-images-idx3-ubyte', IDX_IMAGES_MAGIC)).toThrow(
      'train-images-idx3-ubyte: expected magic 2051, got 2049',
    );
  });

  it('rejects a truncated file and trailing bytes with the expected and actual byte counts', () => {
    const bytes = encodeIdx([2, 2, 2], new Uint8Array(8));
    expect(() => parseIdx(bytes.subarray(0, 23), 'f')).toThrow('f: truncated file, expected 24 bytes got 23');
    const padded = new Uint8Array(25);
    padded.set(bytes);
    expect(() => parseIdx(padded, 'f')).toThrow('expected 24 bytes got 25');
    expect(() => parseIdx(bytes.subarray(0, 10), 'f')).toThrow('f: truncated header, expected 16 bytes got 10');
    expect(() => parseIdx(bytes.subarray(0, 3), 'f')).toThrow('f: expected an IDX header of at least 4 bytes, got 3');
  });

  it('rejects element types other than unsigned bytes and non-IDX data', () => {
    const floats = Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(() => parseIdx(floats, 'f')).toThrow(
      'f: expected unsigned-byte elements (type 0x08), got type 0x0d (float32)',
    );
    expect(() => parseIdx(Uint8Array.from([1, 2, 8, 1, 0, 0, 0, 0]), 'f')).toThrow('two zero bytes');
  });
});

describe('encodeIdx', () => {
  it('rejects data whose length does not match the dimensions', () => {
    expect(() => encodeIdx([2, 3], new Uint8Array(5))).toThrow("'data' passed to 'encodeIdx' must hold 6 elements");
  });
});

describe('readIdxFile', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ttrnn-idx-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads the committed fixture with the documented pixel values', async () => {
    const idx = await readIdxFile(join(FIXTURES, 'plain/train-images-idx3-ubyte'), IDX_IMAGES_MAGIC);
    expect(idx.dims).toEqual([6, 3, 4]);
    const expected: number[] = [];
    for (let i = 0; i < 6; i++)
      for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) expected.push(fixturePixel(i, r, c));
    expect(Array.from(idx.data)).toEqual(expected);
  });

  it('reads gzip files by their magic bytes, whatever their name', async () => {
    const plain = await readIdxFile(join(FIXTURES, 'plain/t10k-labels-idx1-ubyte'), IDX_LABELS_MAGIC);
    const gz = await readIdxFile(join(FIXTURES, 'gzip/t10k-labels-idx1-ubyte.gz'), IDX_LABELS_MAGIC);
    expect(Array.from(gz.data)).toEqual([2, 6, 5]);
    expect(gz.data).toEqual(plain.data);
    const misnamed = join(tmp, 'labels-without-gz-suffix');
    writeFileSync(misnamed, gzipSync(encodeIdx([2], Uint8Array.from([7, 8]))));
    expect(Array.from((await readIdxFile(misnamed)).data)).toEqual([7, 8]);
  });

  it('checks sizes after decompression and names the file', async () => {
    await expect(readIdxFile(join(FIXTURES, 'truncated-gzip/train-images-idx3-ubyte.gz'))).rejects.toThrow(
      'train-images-idx3-ubyte.gz: truncated file, expected 88 bytes got 83',
    );
  });

  it('reports a corrupt gzip stream with the file name', async () => {
    const path = join(tmp, 'broken.gz');
    const gz = gzipSync(encodeIdx([4], new Uint8Array(4)));
    writeFileSync(path, gz.subarray(0, gz.length - 6));
    await expect(readIdxFile(path)).rejects.toThrow('broken.gz: expected a valid gzip stream');
  });

  it('detects gzip by the two magic bytes only', () => {
    expect(isGzip(Uint8Array.from([0x1f, 0x8b, 8]))).toBe(true);
    expect(isGzip(Uint8Array.from([0x1f]))).toBe(false);
    expect(isGzip(Uint8Array.from([0, 0, 8, 1]))).toBe(false);
  });
});
