import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../idx.js';
import { FASHION_MNIST_DEFAULT_DIR, loadMnist, loadMnistSplits, mnistFileCandidates } from './load.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/mnist/', import.meta.url));
const dir = (name: string): string => join(FIXTURES, name);

describe('mnistFileCandidates', () => {
  it('tries the standard name, its .gz, and the dotted variant', () => {
    expect(mnistFileCandidates('train-images-idx3-ubyte')).toEqual([
      'train-images-idx3-ubyte',
      'train-images-idx3-ubyte.gz',
      'train-images.idx3-ubyte',
      'train-images.idx3-ubyte.gz',
    ]);
  });
});

describe('loadMnist on fixtures', () => {
  it('reads plain files: counts, image size, labels', async () => {
    const data = await loadMnist({ dataDir: dir('plain') });
    expect(data.dataset).toBe('mnist');
    expect(data.directory).toBe(dir('plain'));
    expect([data.train.count, data.train.rows, data.train.cols]).toEqual([6, 3, 4]);
    expect([data.test.count, data.test.rows, data.test.cols]).toEqual([3, 3, 4]);
    expect(Array.from(data.train.labels)).toEqual([3, 1, 4, 1, 5, 9]);
    expect(Array.from(data.test.labels)).toEqual([2, 6, 5]);
    expect(data.train.images.length).toBe(6 * 12);
    // Pixel (1, 2, 3) is the fixture's single 255; test image 0 is fixture image 6, pixel (0,0,1) = 6·61·7+35 mod 256.
    expect(data.train.images[1 * 12 + 2 * 4 + 3]).toBe(255);
    expect(data.test.images[1]).toBe((6 * 61 * 7 + 5 * 7) % 256);
  });

  it('reads gzip files and dotted names to the same bytes', async () => {
    const plain = await loadMnist({ dataDir: dir('plain') });
    for (const variant of ['gzip', 'dotted']) {
      const data = await loadMnist({ dataDir: dir(variant), dataset: 'fashion-mnist' });
      expect(data.dataset).toBe('fashion-mnist');
      expect(data.train.images).toEqual(plain.train.images);
      expect(data.train.labels).toEqual(plain.train.labels);
      expect(data.test.images).toEqual(plain.test.images);
      expect(data.test.labels).toEqual(plain.test.labels);
    }
  });

  it('rejects a wrong magic number, naming the file', async () => {
    await expect(loadMnist({ dataDir: dir('wrong-magic') })).rejects.toThrow(
      'train-images-idx3-ubyte: expected magic 2051, got 2049',
    );
  });

  it('rejects a truncated file with expected and actual sizes', async () => {
    await expect(loadMnist({ dataDir: dir('truncated') })).rejects.toThrow(
      'train-images-idx3-ubyte: truncated file, expected 88 bytes got 83',
    );
  });

  it('rejects different image and label counts', async () => {
    await expect(loadMnist({ dataDir: dir('count-mismatch') })).rejects.toThrow(
      'train-images-idx3-ubyte holds 6 images but train-labels-idx1-ubyte holds 5 labels',
    );
  });

  it('rejects labels outside 0..9', async () => {
    await expect(loadMnist({ dataDir: dir('bad-label') })).rejects.toThrow(
      't10k-labels-idx1-ubyte: expected labels 0..9, got 10 at index 1',
    );
  });

  it('names the missing file, every name looked for, and the directory', async () => {
    const err = await loadMnist({ dataDir: dir('missing') }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain(`MNIST files missing in ${dir('missing')}`);
    expect(msg).toContain(
      't10k-labels-idx1-ubyte (looked for t10k-labels-idx1-ubyte, t10k-labels-idx1-ubyte.gz, t10k-labels.idx1-ubyte, t10k-labels.idx1-ubyte.gz)',
    );
    expect(msg).not.toContain('train-images');
  });

  it('reports a missing directory with every file looked for', async () => {
    await expect(loadMnist({ dataDir: dir('no-such-dir') })).rejects.toThrow(
      /missing in .*no-such-dir: train-images-idx3-ubyte/,
    );
  });

  it('tells how to install Fashion-MNIST when its default directory is absent', async ({ skip }) => {
    const present = await loadMnist({ dataset: 'fashion-mnist' }).then(
      () => true,
      (e: unknown) => {
        const msg = (e as Error).message;
        expect(msg).toContain(FASHION_MNIST_DEFAULT_DIR);
        expect(msg).toContain('apt-get install dataset-fashion-mnist');
        expect(msg).toContain('--data-dir');
        return false;
      },
    );
    if (present) skip('Fashion-MNIST is installed here');
  });

  it('rejects an unknown data set name', async () => {
    await expect(loadMnist({ dataset: 'cifar' as 'mnist' })).rejects.toThrow(
      "'dataset' passed to 'loadMnist' must be 'mnist' or 'fashion-mnist', got 'cifar'",
    );
  });

  // Runs where the Debian package dataset-fashion-mnist is installed (checked once by hand on its files).
  it.skipIf(!existsSync(FASHION_MNIST_DEFAULT_DIR))(
    'reads the installed Fashion-MNIST: 60k/10k, 6,000 per class',
    async () => {
      const data = await loadMnist({ dataset: 'fashion-mnist' });
      expect([data.train.count, data.test.count, data.train.rows, data.train.cols]).toEqual([60_000, 10_000, 28, 28]);
      const counts = new Array<number>(10).fill(0);
      for (const y of data.train.labels) counts[y] = (counts[y] as number) + 1;
      expect(counts).toEqual(new Array<number>(10).fill(6000));
    },
  );
});

describe('degenerate MNIST directories', () => {
  /** Writes the four files: `train` images of rows×cols (or a directory where the training images go). */
  function writeSet(train: number, rows: number, cols: number, imagesAsDirectory = false): string {
    const d = mkdtempSync(join(tmpdir(), 'ttrnn-idx-'));
    const images = (n: number): Uint8Array => encodeIdx([n, rows, cols], new Uint8Array(n * rows * cols));
    const labels = (n: number): Uint8Array => encodeIdx([n], new Uint8Array(n));
    if (imagesAsDirectory) mkdirSync(join(d, 'train-images-idx3-ubyte'));
    else writeFileSync(join(d, 'train-images-idx3-ubyte'), images(train));
    writeFileSync(join(d, 'train-labels-idx1-ubyte'), labels(train));
    writeFileSync(join(d, 't10k-images-idx3-ubyte'), images(2));
    writeFileSync(join(d, 't10k-labels-idx1-ubyte'), labels(2));
    return d;
  }
  const CASES: [string, () => string, (d: string) => Promise<unknown>, (d: string) => string | RegExp][] = [
    [
      'an IDX path that is a directory (EISDIR)',
      () => writeSet(4, 2, 2, true),
      (d) => loadMnist({ dataDir: d }),
      (d) => `${join(d, 'train-images-idx3-ubyte')}: cannot read: it is a directory, expected an IDX file`,
    ],
    [
      '0×0 images',
      () => writeSet(4, 0, 0),
      (d) => loadMnist({ dataDir: d }),
      () => 'train-images-idx3-ubyte: expected images of at least 1×1 pixels, got 0×0',
    ],
    [
      'no images',
      () => writeSet(0, 2, 2),
      (d) => loadMnist({ dataDir: d }),
      () => 'train-images-idx3-ubyte: holds no images, expected at least one',
    ],
    [
      '600 images and the default 10k validation split',
      () => writeSet(600, 1, 1),
      (d) => loadMnistSplits({ dataDir: d, seed: 1 }),
      (d) => `got 10000 (the training images in ${d} number 600; hold out fewer for validation)`,
    ],
  ];
  it.each(CASES)('refuses %s, naming the file', async (_what, make, load, message) => {
    const d = make();
    try {
      await expect(load(d)).rejects.toThrow(message(d));
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
  it('splits 600 images once fewer are held out for validation', async () => {
    const d = writeSet(600, 1, 1);
    try {
      const s = await loadMnistSplits({ dataDir: d, seed: 1, validationSize: 100 });
      expect([s.train.indices.length, s.validation.indices.length]).toEqual([500, 100]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
