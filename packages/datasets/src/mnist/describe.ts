/**
 * A JSON-able summary of a split data set, for `pnpm run exp data --dataset mnist|fashion-mnist`.
 */
import { FASHION_MNIST_CLASSES, MNIST_NUM_CLASSES } from './mnist_types.js';
import type { MnistDatasetName } from './mnist_types.js';
import { labelCounts } from './split.js';
import type { MnistSplits } from './split.js';

/** Size and per-class counts of one split. */
export interface MnistSplitSummary {
  readonly size: number;
  /** `labelCounts[k]` = examples of class k. */
  readonly labelCounts: number[];
}

/** What `describeMnist` returns: plain numbers, strings and arrays only. */
export interface MnistSummary {
  readonly dataset: MnistDatasetName;
  readonly directory: string;
  /** `[rows, cols]` of each image. */
  readonly imageShape: [number, number];
  readonly numClasses: number;
  /** Class names by label (digits for MNIST). */
  readonly classNames: string[];
  /** Seed of the train/validation split. */
  readonly splitSeed: number;
  /** Examples in the training and test files before splitting and limits. */
  readonly files: { readonly train: number; readonly test: number };
  readonly splits: {
    readonly train: MnistSplitSummary;
    readonly validation: MnistSplitSummary;
    readonly test: MnistSplitSummary;
  };
}

/** Summarises the splits: sizes and label counts of train, validation and test. */
export function describeMnist(splits: MnistSplits): MnistSummary {
  const { data } = splits;
  const summary = (s: MnistSplits['train']): MnistSplitSummary => ({
    size: s.indices.length,
    labelCounts: labelCounts(s, MNIST_NUM_CLASSES),
  });
  return {
    dataset: data.dataset,
    directory: data.directory,
    imageShape: [data.train.rows, data.train.cols],
    numClasses: MNIST_NUM_CLASSES,
    classNames:
      data.dataset === 'fashion-mnist'
        ? [...FASHION_MNIST_CLASSES]
        : Array.from({ length: MNIST_NUM_CLASSES }, (_, k) => String(k)),
    splitSeed: splits.seed,
    files: { train: data.train.count, test: data.test.count },
    splits: {
      train: summary(splits.train),
      validation: summary(splits.validation),
      test: summary(splits.test),
    },
  };
}
