/**
 * Train / validation / test splits as index lists into the loaded files (no pixel is copied).
 *
 * Convention (as in the original, 50k/10k): with `p = new Rng(seed).permutation(60000)`, the validation set
 * is `{p[50000], …, p[59999]}` and the training set the other 50,000; both are then sorted in file order.
 * The test set is the t10k file in file order. A limit keeps the first N examples of a split in that order.
 */
import { Rng } from '@ttrnn/random';
import type { MnistData, MnistImages } from './mnist_types.js';

/** A subset of one IDX pair: `indices` into `source`, in the order a non-shuffled epoch visits them. */
export interface MnistSubset {
  readonly source: MnistImages;
  readonly indices: Int32Array;
}

/** Options of `splitMnist`. */
export interface MnistSplitOptions {
  /** Seed of the train/validation split. */
  readonly seed: number;
  /** Examples of the training files held out for validation; default 10,000 (the original's 50k/10k). */
  readonly validationSize?: number;
  /** Keep only the first N training examples (quick runs); larger values keep all. */
  readonly trainLimit?: number;
  /** Keep only the first N validation examples. */
  readonly validationLimit?: number;
  /** Keep only the first N test examples. */
  readonly testLimit?: number;
}

/** The three splits of a loaded data set. */
export interface MnistSplits {
  readonly data: MnistData;
  readonly seed: number;
  readonly train: MnistSubset;
  readonly validation: MnistSubset;
  readonly test: MnistSubset;
}

/** Default validation size: the original trains on 50k of the 60k training images. */
export const MNIST_VALIDATION_SIZE = 10_000;

function checkLimit(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
    throw new Error(`'${name}' passed to 'splitMnist' must be a non-negative integer, got ${value}`);
  }
}

function limited(indices: Int32Array, limit: number | undefined): Int32Array {
  return limit === undefined || limit >= indices.length ? indices : indices.slice(0, limit);
}

/** Splits the training files into train and validation by a seeded permutation; test = the t10k files. */
export function splitMnist(data: MnistData, options: MnistSplitOptions): MnistSplits {
  const { seed } = options;
  if (!Number.isFinite(seed)) {
    throw new Error(`'seed' passed to 'splitMnist' must be a finite number, got ${seed}`);
  }
  const n = data.train.count;
  const validationSize = options.validationSize ?? MNIST_VALIDATION_SIZE;
  if (!Number.isInteger(validationSize) || validationSize < 0 || validationSize >= n) {
    throw new Error(
      `'validationSize' passed to 'splitMnist' must be an integer in [0, ${n}) for ${n} training examples, got ${validationSize}` +
        ` (the training images in ${data.directory} number ${n}; hold out fewer for validation)`,
    );
  }
  checkLimit('trainLimit', options.trainLimit);
  checkLimit('validationLimit', options.validationLimit);
  checkLimit('testLimit', options.testLimit);

  const perm = new Rng(seed).permutation(n);
  const cut = n - validationSize;
  const train = Int32Array.from(perm.slice(0, cut)).sort();
  const validation = Int32Array.from(perm.slice(cut)).sort();
  const test = Int32Array.from({ length: data.test.count }, (_, i) => i);
  return {
    data,
    seed,
    train: { source: data.train, indices: limited(train, options.trainLimit) },
    validation: { source: data.train, indices: limited(validation, options.validationLimit) },
    test: { source: data.test, indices: limited(test, options.testLimit) },
  };
}

/** Per-class counts of a subset's labels (`counts[k]` = examples of class k). */
export function labelCounts(subset: MnistSubset, numClasses = 10): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  const labels = subset.source.labels;
  for (const i of subset.indices) {
    const y = labels[i] as number;
    counts[y] = (counts[y] as number) + 1;
  }
  return counts;
}
