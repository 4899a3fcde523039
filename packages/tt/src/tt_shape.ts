/**
 * The shape of a TT matrix and the layouts of the fused-gate cells.
 *
 * A TT matrix of size N×M with d cores has input modes n_k (∏ n_k = N), output
 * modes m_k (∏ m_k = M) and ranks r_0..r_d with r_0 = r_d = 1. Core k is stored
 * as `[r_k, m_k, n_k, r_{k+1}]` (output mode before input mode), exactly as the
 * original implementation stores it, so its weights load without reshuffling.
 */
import { autoShape } from './auto_shape.js';
import { assertIntArray, assertPositiveInt, describe, prod } from './validate.js';

export interface TTMatrixShape {
  /** Input modes n_k; their product is the number of rows N of W. */
  readonly inModes: readonly number[];
  /** Output modes m_k; their product is the number of columns M of W. */
  readonly outModes: readonly number[];
  /** TT ranks r_0..r_d, with r_0 = r_d = 1. */
  readonly ranks: readonly number[];
}

/** Where the fused layout puts the gate dimension (reference README, "Gate placement"). */
export type ExtraCore = 'none' | 'first' | 'last';

/** Checks a shape and returns it; errors name `fn` and the offending field. */
export function validateTTShape(shape: TTMatrixShape, fn = 'validateTTShape'): TTMatrixShape {
  if (typeof shape !== 'object' || shape === null) {
    throw new Error(`'shape' passed to '${fn}' must be an object {inModes, outModes, ranks}, got ${describe(shape)}`);
  }
  assertIntArray(shape.inModes, 'inModes', fn);
  assertIntArray(shape.outModes, 'outModes', fn);
  assertIntArray(shape.ranks, 'ranks', fn);
  const d = shape.inModes.length;
  if (shape.outModes.length !== d) {
    throw new Error(
      `'outModes' passed to '${fn}' must have as many modes as inModes (${d}), got ${shape.outModes.length}`,
    );
  }
  if (shape.ranks.length !== d + 1) {
    throw new Error(`'ranks' passed to '${fn}' must have d + 1 = ${d + 1} entries, got ${shape.ranks.length}`);
  }
  if (shape.ranks[0] !== 1 || shape.ranks[d] !== 1) {
    throw new Error(`'ranks' passed to '${fn}' must start and end with 1, got ${describe(shape.ranks)}`);
  }
  return shape;
}

/** Ranks [1, r, …, r, 1] for d cores. */
export function uniformRanks(d: number, rank: number, fn = 'uniformRanks'): number[] {
  assertPositiveInt(d, 'cores', fn);
  assertPositiveInt(rank, 'rank', fn);
  return [1, ...Array<number>(d - 1).fill(rank), 1];
}

/** Shape of core k: [r_k, m_k, n_k, r_{k+1}]. */
export function coreShape(shape: TTMatrixShape, k: number): [number, number, number, number] {
  return [shape.ranks[k]!, shape.outModes[k]!, shape.inModes[k]!, shape.ranks[k + 1]!];
}

export function numRows(shape: TTMatrixShape): number {
  return prod(shape.inModes);
}

export function numCols(shape: TTMatrixShape): number {
  return prod(shape.outModes);
}

/** Number of TT parameters, Σ_k r_k·m_k·n_k·r_{k+1} (no bias). */
export function ttParamCount(shape: TTMatrixShape): number {
  let total = 0;
  for (let k = 0; k < shape.inModes.length; k++) total += prod(coreShape(shape, k));
  return total;
}

/** Dense parameters divided by TT parameters (no biases). */
export function compressionRatio(shape: TTMatrixShape): number {
  return (numRows(shape) * numCols(shape)) / ttParamCount(shape);
}

/** The TT shape of an N×M matrix with `cores` cores of uniform `rank`, modes by autoShape. */
export function ttMatrixShape(rows: number, cols: number, cores: number, rank: number): TTMatrixShape {
  assertPositiveInt(rows, 'rows', 'ttMatrixShape');
  assertPositiveInt(cols, 'cols', 'ttMatrixShape');
  return {
    inModes: autoShape(rows, cores),
    outModes: autoShape(cols, cores),
    ranks: uniformRanks(cores, rank, 'ttMatrixShape'),
  };
}

export interface FusedGateShapeOptions {
  /** Rows of the stacked matrix: the input size (input-to-hidden) or H (hidden-to-hidden). */
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Number of gates G stacked along the output axis: 4 for LSTM, 3 for GRU. */
  readonly gates: number;
  readonly cores: number;
  readonly rank: number;
  readonly extraCore?: ExtraCore;
}

/**
 * TT shape of the stacked gate matrix (N = inputSize, M = G·H) of a fully
 * tensorized cell, following the original's gate placement:
 * - none:  in = autoShape(N, d),         out = autoShape(G·H, d)
 * - first: in = [1] + autoShape(N, d),   out = [G] + autoShape(H, d)   (d + 1 cores)
 * - last:  in = autoShape(N, d) + [1],   out = autoShape(H, d) + [G]   (d + 1 cores)
 */
export function fusedGateShape(opts: FusedGateShapeOptions): TTMatrixShape {
  const fn = 'fusedGateShape';
  const { inputSize, hiddenSize, gates, cores, rank } = opts;
  const extraCore = opts.extraCore ?? 'none';
  assertPositiveInt(inputSize, 'inputSize', fn);
  assertPositiveInt(hiddenSize, 'hiddenSize', fn);
  assertPositiveInt(gates, 'gates', fn);
  assertPositiveInt(cores, 'cores', fn);
  assertPositiveInt(rank, 'rank', fn);
  const inModes = autoShape(inputSize, cores);
  switch (extraCore) {
    case 'none':
      return { inModes, outModes: autoShape(gates * hiddenSize, cores), ranks: uniformRanks(cores, rank, fn) };
    case 'first':
      return {
        inModes: [1, ...inModes],
        outModes: [gates, ...autoShape(hiddenSize, cores)],
        ranks: uniformRanks(cores + 1, rank, fn),
      };
    case 'last':
      return {
        inModes: [...inModes, 1],
        outModes: [...autoShape(hiddenSize, cores), gates],
        ranks: uniformRanks(cores + 1, rank, fn),
      };
    default:
      throw new Error(`'extraCore' passed to '${fn}' must be 'none', 'first' or 'last', got ${describe(extraCore)}`);
  }
}
