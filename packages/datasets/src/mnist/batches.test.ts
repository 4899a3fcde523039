import { Rng, deriveSeed } from '@ttrnn/random';
import { describe, expect, it } from 'vitest';
import { SequenceBatches } from './batches.js';
import type { MnistImages } from './load.js';
import type { MnistSubset } from './split.js';

const ROWS = 3;
const COLS = 4;
const PIXELS = ROWS * COLS;

/** `count` distinct 3×4 images (pixel (i, r, c) = (7i + 4r + c) mod 256) with labels i mod 10. */
function fakeImages(count: number): MnistImages {
  const images = new Uint8Array(count * PIXELS);
  for (let i = 0; i < count; i++)
    for (let r = 0; r < ROWS; r++)
      for (let c = 0; c < COLS; c++) images[i * PIXELS + r * COLS + c] = (7 * i + 4 * r + c) % 256;
  return { count, rows: ROWS, cols: COLS, images, labels: Uint8Array.from({ length: count }, (_, i) => i % 10) };
}

function subset(count: number, indices?: number[]): MnistSubset {
  return { source: fakeImages(count), indices: Int32Array.from(indices ?? Array.from({ length: count }, (_, i) => i)) };
}

/** Plain scaling so that x·255 gives back the bytes. */
const RAW = { mean: 0, std: 1 } as const;
const bytes = (x: Float32Array): number[] => Array.from(x, (v) => Math.round(v * 255));

describe('SequenceBatches views', () => {
  const s = subset(5);

  it('row view: step t of an example is row t of its image', () => {
    const b = new SequenceBatches(s, { batchSize: 5, ...RAW }).batch(0, 0);
    expect(b.shape).toEqual([5, ROWS, COLS]);
    expect(b.x.length).toBe(5 * PIXELS);
    const x = bytes(b.x);
    for (let i = 0; i < 5; i++)
      for (let t = 0; t < ROWS; t++)
        for (let f = 0; f < COLS; f++) expect(x[(i * ROWS + t) * COLS + f]).toBe((7 * i + 4 * t + f) % 256);
    expect(Array.from(b.y)).toEqual([0, 1, 2, 3, 4]);
  });

  it('pixel view: one pixel per step in raster order, same numbers as the row view', () => {
    const row = new SequenceBatches(s, { batchSize: 5 }).batch(0, 0);
    const pix = new SequenceBatches(s, { batchSize: 5, view: 'pixel' }).batch(0, 0);
    expect(pix.shape).toEqual([5, PIXELS, 1]);
    expect(pix.x).toEqual(row.x);
  });

  it('permuted view: step t reads pixel permutation[t], the same for every example', () => {
    const pix = new SequenceBatches(s, { batchSize: 5, view: 'pixel' }).batch(0, 0);
    const perm = new SequenceBatches(s, { batchSize: 5, view: 'permuted', permutationSeed: 11 });
    const p = perm.permutation as Int32Array;
    expect(Array.from(p)).toEqual(new Rng(11).permutation(PIXELS));
    const b = perm.batch(0, 0);
    expect(b.shape).toEqual([5, PIXELS, 1]);
    for (let i = 0; i < 5; i++)
      for (let t = 0; t < PIXELS; t++) expect(b.x[i * PIXELS + t]).toBe(pix.x[i * PIXELS + (p[t] as number)]);
    expect(b.x).not.toEqual(pix.x);
    const other = new SequenceBatches(s, { batchSize: 5, view: 'permuted', permutationSeed: 12 });
    expect(other.permutation).not.toEqual(p);
  });

  it('normalises per batch with (x/255 − 0.1307)/0.3081 by default', () => {
    const b = new SequenceBatches(s, { batchSize: 2 }).batch(0, 1);
    const img = s.source.images;
    for (let k = 0; k < 2 * PIXELS; k++) {
      const v = img[2 * PIXELS + k] as number;
      expect(b.x[k]).toBeCloseTo((v / 255 - 0.1307) / 0.3081, 6);
    }
  });
});

describe('SequenceBatches batching', () => {
  it('keeps or drops the last partial batch', () => {
    const s = subset(10);
    const keep = new SequenceBatches(s, { batchSize: 4 });
    expect(keep.numBatches).toBe(3);
    expect(keep.batch(0, 2).shape).toEqual([2, ROWS, COLS]);
    expect(Array.from(keep.batch(0, 2).y)).toEqual([8, 9]);
    const drop = new SequenceBatches(s, { batchSize: 4, lastBatch: 'drop' });
    expect(drop.numBatches).toBe(2);
    expect(() => drop.batch(0, 2)).toThrow(
      "'index' passed to 'SequenceBatches.batch' must be an integer in [0, 2), got 2",
    );
    expect(new SequenceBatches(s, { batchSize: 5, lastBatch: 'drop' }).numBatches).toBe(2);
  });

  it('visits the subset members, not the whole file', () => {
    const s = subset(20, [3, 7, 11]);
    const b = new SequenceBatches(s, { batchSize: 8, ...RAW }).batch(0, 0);
    expect(Array.from(b.y)).toEqual([3, 7, 1]);
    expect(bytes(b.x).slice(0, PIXELS)).toEqual(Array.from(s.source.images.subarray(3 * PIXELS, 4 * PIXELS)));
  });

  it('iterates the same batches as random access', () => {
    const bs = new SequenceBatches(subset(23), { batchSize: 5, shuffleSeed: 4 });
    const all = [...bs.batches(2)];
    expect(all.length).toBe(5);
    all.forEach((b, k) => {
      const direct = bs.batch(2, k);
      expect(b.x).toEqual(direct.x);
      expect(b.y).toEqual(direct.y);
    });
    const labels = all.flatMap((b) => Array.from(b.y)).sort((a, b) => a - b);
    expect(labels).toEqual(Array.from({ length: 23 }, (_, i) => i % 10).sort((a, b) => a - b));
  });

  it('validates its options', () => {
    const s = subset(4);
    expect(() => new SequenceBatches(s, { batchSize: 0 })).toThrow(
      "'batchSize' passed to 'SequenceBatches' must be a positive integer, got 0",
    );
    expect(() => new SequenceBatches(s, { batchSize: 2, view: 'permuted' })).toThrow(
      "'permutationSeed' passed to 'SequenceBatches' is required for the 'permuted' view",
    );
    expect(() => new SequenceBatches(s, { batchSize: 2, permutationSeed: 1 })).toThrow('applies only to the');
    expect(() => new SequenceBatches(s, { batchSize: 2, lastBatch: 'pad' as 'keep' })).toThrow("'lastBatch'");
    expect(() => new SequenceBatches(s, { batchSize: 2 }).order(-1)).toThrow(
      "'epoch' passed to 'SequenceBatches.order'",
    );
  });
});

describe('SequenceBatches epoch shuffling', () => {
  const s = subset(
    200,
    Array.from({ length: 100 }, (_, i) => 2 * i),
  );

  it('without a seed, every epoch visits the subset in its order', () => {
    const bs = new SequenceBatches(s, { batchSize: 10 });
    expect(bs.order(0)).toEqual(s.indices);
    expect(bs.order(5)).toEqual(s.indices);
  });

  it('each epoch is a permutation of the subset, different per epoch', () => {
    const bs = new SequenceBatches(s, { batchSize: 10, shuffleSeed: 9 });
    const o0 = Array.from(bs.order(0));
    const o1 = Array.from(bs.order(1));
    expect([...o0].sort((a, b) => a - b)).toEqual(Array.from(s.indices));
    expect([...o1].sort((a, b) => a - b)).toEqual(Array.from(s.indices));
    expect(o0).not.toEqual(o1);
    expect(o0).not.toEqual(Array.from(s.indices));
  });

  it('is a pure function of (seed, epoch): a fresh instance (a resumed run) reproduces any epoch', () => {
    const a = new SequenceBatches(s, { batchSize: 10, shuffleSeed: 9 });
    const epoch3 = Array.from(a.order(3));
    a.order(0);
    a.order(1);
    const resumed = new SequenceBatches(s, { batchSize: 10, shuffleSeed: 9 });
    expect(Array.from(resumed.order(3))).toEqual(epoch3);
    expect(resumed.batch(3, 4).y).toEqual(a.batch(3, 4).y);
    // The documented formula.
    const perm = new Rng(deriveSeed(9, 3)).permutation(100);
    expect(epoch3).toEqual(perm.map((k) => s.indices[k]));
    const otherSeed = new SequenceBatches(s, { batchSize: 10, shuffleSeed: 10 });
    expect(Array.from(otherSeed.order(3))).not.toEqual(epoch3);
  });
});
