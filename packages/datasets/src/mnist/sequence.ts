/**
 * Sequence views of an image: how a `rows × cols` picture becomes a `[steps, features]` sequence.
 *
 * - `row`: one step per image row, `rows` steps of `cols` features (28 × 28 for MNIST), as in the paper.
 * - `pixel`: one pixel per step in raster order, `rows·cols` steps of 1 feature (784 × 1).
 * - `permuted`: like `pixel`, but step t shows pixel `permutation[t]` (a gather), with one fixed
 *   permutation `new Rng(seed).permutation(rows·cols)` shared by every image and split.
 *
 * Row and pixel views hold the same numbers in the same order; only the shape differs.
 */
import { Rng } from '@ttrnn/random';

/** How an image is read as a sequence. */
export type SequenceView = 'row' | 'pixel' | 'permuted';

/** The normalisation of the original: (x/255 − 0.1307) / 0.3081, MNIST's training mean and std. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

const VIEWS: readonly SequenceView[] = ['row', 'pixel', 'permuted'];

/** Checks a view name at a public boundary. */
export function assertSequenceView(view: unknown, fn: string): asserts view is SequenceView {
  if (!VIEWS.includes(view as SequenceView)) {
    throw new Error(
      `'view' passed to '${fn}' must be one of ${VIEWS.map((v) => `'${v}'`).join(', ')}, got '${String(view)}'`,
    );
  }
}

/** `[steps, features]` of a view of a `rows × cols` image. */
export function sequenceShape(view: SequenceView, rows: number, cols: number): [number, number] {
  assertSequenceView(view, 'sequenceShape');
  return view === 'row' ? [rows, cols] : [rows * cols, 1];
}

/**
 * The fixed pixel permutation of the permuted view: step t reads pixel `p[t]` (raster index).
 * `new Rng(seed).permutation(n)`, so it depends on the seed only.
 */
export function pixelPermutation(seed: number, n = 784): Int32Array {
  if (!Number.isFinite(seed)) {
    throw new Error(`'seed' passed to 'pixelPermutation' must be a finite number, got ${seed}`);
  }
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(`'n' passed to 'pixelPermutation' must be a positive integer, got ${n}`);
  }
  return Int32Array.from(new Rng(seed).permutation(n));
}

/**
 * A 256-entry lookup table from pixel byte to normalised value, `(v/255 − mean)/std`, computed in float64
 * and rounded once to float32. With `mean = 0, std = 1` it gives the plain scaling v/255.
 */
export function normalizationTable(mean = MNIST_MEAN, std = MNIST_STD): Float32Array {
  if (!Number.isFinite(mean)) {
    throw new Error(`'mean' passed to 'normalizationTable' must be a finite number, got ${mean}`);
  }
  if (!Number.isFinite(std) || std <= 0) {
    throw new Error(`'std' passed to 'normalizationTable' must be a positive number, got ${std}`);
  }
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = (v / 255 - mean) / std;
  return table;
}

/**
 * Writes one image as a sequence into `out` at `offset` (`rows·cols` values, `[steps, features]`
 * row-major), mapping bytes through `table`.
 *
 * @param image the image's `rows·cols` bytes in raster order.
 * @param permutation the gather order for the permuted view, or null for row and pixel views.
 */
export function writeSequence(
  image: Uint8Array,
  permutation: Int32Array | null,
  table: Float32Array,
  out: Float32Array,
  offset: number,
): void {
  const n = image.length;
  if (permutation === null) {
    for (let i = 0; i < n; i++) out[offset + i] = table[image[i] as number] as number;
  } else {
    for (let t = 0; t < n; t++) out[offset + t] = table[image[permutation[t] as number] as number] as number;
  }
}
