/**
 * Sequence batches built on demand from uint8 pixels: nothing but the current batch is ever held as floats.
 *
 * Epoch order is a pure function of `(shuffleSeed, epoch)`: `new Rng(deriveSeed(shuffleSeed, epoch))
 * .permutation(size)`, so a resumed run reproduces every later epoch without stored generator state, and
 * `batch(epoch, index)` gives the same batch whether reached by iteration or directly.
 */
import { Rng, deriveSeed } from '@ttrnn/random';
import type { MnistSubset } from './split.js';
import {
  MNIST_MEAN,
  MNIST_STD,
  assertSequenceView,
  normalizationTable,
  pixelPermutation,
  sequenceShape,
  writeSequence,
} from './sequence.js';
import type { SequenceView } from './sequence.js';

/** One batch: `x` is `[batch, steps, features]` row-major, `y` the labels `[batch]`. */
export interface SequenceBatch {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly shape: [batch: number, steps: number, features: number];
}

/** Options of `SequenceBatches`. */
export interface SequenceBatchesOptions {
  /** Examples per batch. */
  readonly batchSize: number;
  /** Sequence view; default `'row'` (28 steps × 28 features), the paper's setting. */
  readonly view?: SequenceView;
  /** Seed of the fixed pixel permutation; required for the `'permuted'` view, rejected otherwise. */
  readonly permutationSeed?: number;
  /** When given, each epoch visits the examples in a seeded order; otherwise in the subset's order. */
  readonly shuffleSeed?: number;
  /** What to do with a last, smaller batch: `'keep'` it (default, like PyTorch's DataLoader) or `'drop'` it. */
  readonly lastBatch?: 'keep' | 'drop';
  /** Normalisation `(x/255 − mean)/std`; defaults are MNIST's 0.1307 and 0.3081. mean 0, std 1 gives x/255. */
  readonly mean?: number;
  readonly std?: number;
}

/** Batches of one subset (train, validation or test) in one sequence view. */
export class SequenceBatches {
  /** Examples in the subset. */
  readonly size: number;
  readonly batchSize: number;
  /** Batches per epoch (after dropping or keeping the last partial one). */
  readonly numBatches: number;
  readonly view: SequenceView;
  readonly steps: number;
  readonly features: number;
  /** The pixel permutation of the permuted view (step t reads pixel `permutation[t]`), or null. */
  readonly permutation: Int32Array | null;
  private readonly subset: MnistSubset;
  private readonly shuffleSeed: number | undefined;
  private readonly table: Float32Array;
  private readonly imageSize: number;
  /** The order of the last epoch asked for: a cache only, recomputed from (seed, epoch) when needed. */
  private cachedEpoch = -1;
  private cachedOrder: Int32Array | null = null;

  constructor(subset: MnistSubset, options: SequenceBatchesOptions) {
    const fn = 'SequenceBatches';
    const { batchSize } = options;
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new Error(`'batchSize' passed to '${fn}' must be a positive integer, got ${batchSize}`);
    }
    const view = options.view ?? 'row';
    assertSequenceView(view, fn);
    if (view === 'permuted' && options.permutationSeed === undefined) {
      throw new Error(`'permutationSeed' passed to '${fn}' is required for the 'permuted' view`);
    }
    if (view !== 'permuted' && options.permutationSeed !== undefined) {
      throw new Error(`'permutationSeed' passed to '${fn}' applies only to the 'permuted' view, got view '${view}'`);
    }
    if (options.shuffleSeed !== undefined && !Number.isFinite(options.shuffleSeed)) {
      throw new Error(`'shuffleSeed' passed to '${fn}' must be a finite number, got ${options.shuffleSeed}`);
    }
    const lastBatch = options.lastBatch ?? 'keep';
    if (lastBatch !== 'keep' && lastBatch !== 'drop') {
      throw new Error(`'lastBatch' passed to '${fn}' must be 'keep' or 'drop', got '${String(lastBatch)}'`);
    }
    const { rows, cols } = subset.source;
    this.subset = subset;
    this.size = subset.indices.length;
    this.batchSize = batchSize;
    this.numBatches = lastBatch === 'drop' ? Math.floor(this.size / batchSize) : Math.ceil(this.size / batchSize);
    this.view = view;
    [this.steps, this.features] = sequenceShape(view, rows, cols);
    this.imageSize = rows * cols;
    this.permutation = view === 'permuted' ? pixelPermutation(options.permutationSeed as number, this.imageSize) : null;
    this.shuffleSeed = options.shuffleSeed;
    this.table = normalizationTable(options.mean ?? MNIST_MEAN, options.std ?? MNIST_STD);
  }

  /** Indices into the source files, in the order epoch `epoch` visits them. */
  order(epoch: number): Int32Array {
    if (!Number.isInteger(epoch) || epoch < 0) {
      throw new Error(`'epoch' passed to 'SequenceBatches.order' must be a non-negative integer, got ${epoch}`);
    }
    if (this.shuffleSeed === undefined) return this.subset.indices;
    if (this.cachedEpoch !== epoch || this.cachedOrder === null) {
      const perm = new Rng(deriveSeed(this.shuffleSeed, epoch)).permutation(this.size);
      const order = new Int32Array(this.size);
      for (let i = 0; i < this.size; i++) order[i] = this.subset.indices[perm[i] as number] as number;
      this.cachedOrder = order;
      this.cachedEpoch = epoch;
    }
    return this.cachedOrder;
  }

  /** Batch `index` (0-based) of epoch `epoch`, normalised. */
  batch(epoch: number, index: number): SequenceBatch {
    if (!Number.isInteger(index) || index < 0 || index >= this.numBatches) {
      throw new Error(
        `'index' passed to 'SequenceBatches.batch' must be an integer in [0, ${this.numBatches}), got ${index}`,
      );
    }
    const order = this.order(epoch);
    const start = index * this.batchSize;
    const b = Math.min(this.batchSize, this.size - start);
    const x = new Float32Array(b * this.imageSize);
    const y = new Int32Array(b);
    const { images, labels } = this.subset.source;
    for (let j = 0; j < b; j++) {
      const i = order[start + j] as number;
      const image = images.subarray(i * this.imageSize, (i + 1) * this.imageSize);
      writeSequence(image, this.permutation, this.table, x, j * this.imageSize);
      y[j] = labels[i] as number;
    }
    return { x, y, shape: [b, this.steps, this.features] };
  }

  /** All batches of epoch `epoch`, in order. */
  *batches(epoch: number): Generator<SequenceBatch, void, undefined> {
    this.order(epoch);
    for (let k = 0; k < this.numBatches; k++) yield this.batch(epoch, k);
  }
}
