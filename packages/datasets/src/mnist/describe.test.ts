import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeMnist } from './describe.js';
import { FASHION_MNIST_CLASSES, loadMnist } from './load.js';
import { loadMnistSplits } from './load.js';
import { splitMnist } from './split.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/mnist/', import.meta.url));

describe('describeMnist', () => {
  it('summarises the fixture splits as plain JSON', async () => {
    const data = await loadMnist({ dataDir: join(FIXTURES, 'plain') });
    const splits = splitMnist(data, { seed: 3, validationSize: 2 });
    const s = describeMnist(splits);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s.imageShape).toEqual([3, 4]);
    expect(s.files).toEqual({ train: 6, test: 3 });
    expect(s.splitSeed).toBe(3);
    expect(s.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(s.splits.train.size).toBe(4);
    expect(s.splits.validation.size).toBe(2);
    // Train labels 3,1,4,1,5,9 spread over train and validation; test labels 2,6,5.
    const merged = s.splits.train.labelCounts.map((c, k) => c + (s.splits.validation.labelCounts[k] as number));
    expect(merged).toEqual([0, 2, 0, 1, 1, 1, 0, 0, 0, 1]);
    expect(s.splits.test).toEqual({ size: 3, labelCounts: [0, 0, 1, 0, 0, 1, 1, 0, 0, 0] });
  });

  it('names the Fashion-MNIST classes', async () => {
    const data = await loadMnist({ dataset: 'fashion-mnist', dataDir: join(FIXTURES, 'gzip') });
    const s = describeMnist(splitMnist(data, { seed: 0, validationSize: 1 }));
    expect(s.dataset).toBe('fashion-mnist');
    expect(s.classNames).toEqual([...FASHION_MNIST_CLASSES]);
    expect(s.classNames[9]).toBe('Ankle boot');
  });
});

describe('loadMnistSplits', () => {
  it('loads and splits in one call, passing the split options through', async () => {
    const dataDir = join(FIXTURES, 'dotted');
    const s = await loadMnistSplits({ dataset: 'fashion-mnist', dataDir, seed: 3, validationSize: 2, testLimit: 1 });
    const ref = splitMnist(await loadMnist({ dataDir }), { seed: 3, validationSize: 2, testLimit: 1 });
    expect(s.data.dataset).toBe('fashion-mnist');
    expect(s.train.indices).toEqual(ref.train.indices);
    expect(s.validation.indices).toEqual(ref.validation.indices);
    expect(s.test.indices.length).toBe(1);
  });
});
