// Public names of the MNIST half of @ttrnn/datasets, Node included (re-exported by src/node.ts).
export { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, encodeIdx, isGzip, parseIdx } from '../idx.js';
export { readIdxFile } from '../idx_file.js';
export type { IdxArray } from '../idx.js';
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DEFAULT_DIR,
  MNIST_FILE_NAMES,
  MNIST_NUM_CLASSES,
  findMnistFiles,
  loadMnist,
  mnistDataPackageDir,
  mnistFileCandidates,
  loadMnistSplits,
} from './load.js';
export type { LoadMnistOptions, MnistData, MnistDatasetName, MnistImages } from './load.js';
export { MNIST_VALIDATION_SIZE, labelCounts, splitMnist } from './split.js';
export type { MnistSplitOptions, MnistSplits, MnistSubset } from './split.js';
export { MNIST_MEAN, MNIST_STD, normalizationTable, pixelPermutation, sequenceShape } from './sequence.js';
export type { SequenceView } from './sequence.js';
export { SequenceBatches } from './batches.js';
export type { SequenceBatch, SequenceBatchesOptions } from './batches.js';
export { describeMnist } from './describe.js';
export type { MnistSplitSummary, MnistSummary } from './describe.js';
