/** The MNIST family's names, sizes and in-memory shapes (browser-safe; loading from disk is load.ts). */

/** Names of the data sets this loader knows. */
export type MnistDatasetName = 'mnist' | 'fashion-mnist';

/** The standard file names (without `.gz`) of the four IDX files. */
export const MNIST_FILE_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Class names of Fashion-MNIST, by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Number of classes in MNIST and Fashion-MNIST; labels outside 0..9 are rejected. */
export const MNIST_NUM_CLASSES = 10;

/** Images and labels of one IDX pair, pixels kept as bytes. */
export interface MnistImages {
  /** Number of examples. */
  readonly count: number;
  /** Image height (28 for MNIST). */
  readonly rows: number;
  /** Image width (28 for MNIST). */
  readonly cols: number;
  /** Pixels 0..255, `[count, rows, cols]` row-major. */
  readonly images: Uint8Array;
  /** Labels 0..9, `[count]`. */
  readonly labels: Uint8Array;
}

/** A loaded data set: the 60k training and 10k test images for MNIST. */
export interface MnistData {
  readonly dataset: MnistDatasetName;
  /** The directory the files were read from. */
  readonly directory: string;
  /** The training files (`train-*`). */
  readonly train: MnistImages;
  /** The test files (`t10k-*`). */
  readonly test: MnistImages;
}
