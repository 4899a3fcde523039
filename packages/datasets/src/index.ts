// Public API of @ttrnn/datasets that runs anywhere, a browser included: IDX parsing, the MNIST
// splits, sequence views and batches, and the pure pieces of the speech front end. Reading files,
// the MNIST loader, speaker corpora, the feature cache, the voice-activity detector and the
// synthetic corpus need Node: `@ttrnn/datasets/node` (src/node.ts) has those and everything here.
export { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, encodeIdx, isGzip, parseIdx } from './idx.js';
export type { IdxArray } from './idx.js';
export { FASHION_MNIST_CLASSES, MNIST_FILE_NAMES, MNIST_NUM_CLASSES } from './mnist/mnist_types.js';
export type { MnistData, MnistDatasetName, MnistImages } from './mnist/mnist_types.js';
export { MNIST_VALIDATION_SIZE, labelCounts, splitMnist } from './mnist/split.js';
export type { MnistSplitOptions, MnistSplits, MnistSubset } from './mnist/split.js';
export { MNIST_MEAN, MNIST_STD, normalizationTable, pixelPermutation, sequenceShape } from './mnist/sequence.js';
export type { SequenceView } from './mnist/sequence.js';
export { SequenceBatches } from './mnist/batches.js';
export type { SequenceBatch, SequenceBatchesOptions } from './mnist/batches.js';
export { describeMnist } from './mnist/describe.js';
export type { MnistSplitSummary, MnistSummary } from './mnist/describe.js';
export * from './speech/pure.js';
