import { describe, expect, it } from 'vitest';
import type { MnistData, MnistImages } from './load.js';
import { labelCounts, splitMnist } from './split.js';

/** A synthetic data set of `n` 2×3 images whose first pixel is the index mod 256. */
function fakeData(n: number, testCount: number): MnistData {
  const part = (count: number): MnistImages => ({
    count,
    rows: 2,
    cols: 3,
    images: Uint8Array.from({ length: count * 6 }, (_, k) => (k % 6 === 0 ? Math.floor(k / 6) % 256 : 0)),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
  });
  return { dataset: 'mnist', directory: '/fake', train: part(n), test: part(testCount) };
}

describe('splitMnist', () => {
  const data = fakeData(600, 100);

  it('splits the training files into disjoint train and validation sets covering all of them', () => {
    const s = splitMnist(data, { seed: 1, validationSize: 100 });
    expect(s.train.indices.length).toBe(500);
    expect(s.validation.indices.length).toBe(100);
    expect(s.train.source).toBe(data.train);
    expect(s.validation.source).toBe(data.train);
    const all = new Set([...s.train.indices, ...s.validation.indices]);
    expect(all.size).toBe(600);
    expect(Math.min(...all)).toBe(0);
    expect(Math.max(...all)).toBe(599);
    // Both in file order.
    for (const idx of [s.train.indices, s.validation.indices]) {
      for (let i = 1; i < idx.length; i++) expect(idx[i]).toBeGreaterThan(idx[i - 1] as number);
    }
    // The held-out set is spread over the file, not a block at either end.
    expect(s.validation.indices[0]).toBeLessThan(60);
    expect(s.validation.indices[99]).toBeGreaterThan(540);
    expect(Array.from(s.test.indices)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(s.test.source).toBe(data.test);
  });

  it('is a function of the seed', () => {
    const a = splitMnist(data, { seed: 1, validationSize: 100 });
    const b = splitMnist(data, { seed: 1, validationSize: 100 });
    const c = splitMnist(data, { seed: 2, validationSize: 100 });
    expect(a.validation.indices).toEqual(b.validation.indices);
    expect(a.validation.indices).not.toEqual(c.validation.indices);
  });

  it('keeps the first N examples of each split with limits, and all when N is larger', () => {
    const full = splitMnist(data, { seed: 5, validationSize: 100 });
    const s = splitMnist(data, { seed: 5, validationSize: 100, trainLimit: 10, validationLimit: 3, testLimit: 1000 });
    expect(Array.from(s.train.indices)).toEqual(Array.from(full.train.indices.subarray(0, 10)));
    expect(Array.from(s.validation.indices)).toEqual(Array.from(full.validation.indices.subarray(0, 3)));
    expect(s.test.indices.length).toBe(100);
  });

  it('defaults to 10,000 validation examples (the original 50k/10k split)', () => {
    const big = fakeData(12_000, 10);
    const s = splitMnist(big, { seed: 0 });
    expect(s.validation.indices.length).toBe(10_000);
    expect(s.train.indices.length).toBe(2_000);
  });

  it('validates its options', () => {
    expect(() => splitMnist(data, { seed: 0 })).toThrow(
      "'validationSize' passed to 'splitMnist' must be an integer in [0, 600) for 600 training examples, got 10000",
    );
    expect(() => splitMnist(data, { seed: Number.NaN, validationSize: 1 })).toThrow("'seed' passed to 'splitMnist'");
    expect(() => splitMnist(data, { seed: 0, validationSize: 1, trainLimit: -1 })).toThrow(
      "'trainLimit' passed to 'splitMnist' must be a non-negative integer, got -1",
    );
  });

  it('allows an empty validation set', () => {
    const s = splitMnist(data, { seed: 0, validationSize: 0 });
    expect(s.train.indices.length).toBe(600);
    expect(s.validation.indices.length).toBe(0);
  });
});

describe('labelCounts', () => {
  it('counts the labels of the subset members only', () => {
    const data = fakeData(30, 1);
    expect(labelCounts({ source: data.train, indices: Int32Array.from([0, 10, 20, 3, 13]) })).toEqual([
      3, 0, 0, 2, 0, 0, 0, 0, 0, 0,
    ]);
  });
});
