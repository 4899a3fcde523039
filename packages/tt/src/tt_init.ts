/**
 * Glorot initialisation of TT cores, as in the original: every core entry is
 * i.i.d. N(0, σ²) with σ = (2/(N+M))^(1/(2d)) · Π_{k=0..d} r_k^(−1/(2d)).
 * Each entry of the full W is then a sum of Π_{k=1..d-1} r_k products of d
 * independent entries, so Var(W_ij) = Π r_k · σ^(2d) = 2/(N+M): Glorot on the
 * stacked (all-gates) matrix.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@ttrnn/random';
import { coreShape, numCols, numRows, validateTTShape } from './tt_shape.js';
import type { TTMatrixShape } from './tt_shape.js';
import { prod } from './validate.js';

/** The standard deviation of every core entry under TT-Glorot. */
export function glorotTTStd(shape: TTMatrixShape): number {
  validateTTShape(shape, 'glorotTTStd');
  const d = shape.inModes.length;
  const n = numRows(shape);
  const m = numCols(shape);
  const rankProd = prod(shape.ranks);
  return Math.pow(2 / (n + m), 1 / (2 * d)) * Math.pow(rankProd, -1 / (2 * d));
}

/**
 * Fresh cores `[r_k, m_k, n_k, r_{k+1}]` drawn with TT-Glorot. `rng` is a seed
 * or a generator (consumed in core order), so initialisation is reproducible.
 */
export function glorotTTCores(shape: TTMatrixShape, rng: number | Rng): tf.Tensor4D[] {
  validateTTShape(shape, 'glorotTTCores');
  const gen = typeof rng === 'number' ? new Rng(rng) : rng;
  const std = glorotTTStd(shape);
  return shape.inModes.map((_, k) => {
    const s = coreShape(shape, k);
    return tf.tensor4d(gen.normalArray(prod(s), 0, std), s);
  });
}
