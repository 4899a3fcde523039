/**
 * TT matrices over tfjs tensors: reconstruction of the full matrix and the
 * product x·W, either by contracting the cores (W never formed) or by
 * rebuilding W once. Both are built from reshape/transpose/matMul only, so
 * tfjs differentiates them with respect to x and to every core (tfjs's einsum
 * has no gradient).
 */
import * as tf from '@tensorflow/tfjs-core';
import { coreShape, numCols, numRows, ttParamCount, validateTTShape } from './tt_shape.js';
import type { TTMatrixShape } from './tt_shape.js';
import { describe, prod } from './validate.js';

/** Reads the TT shape off a list of cores `[r_k, m_k, n_k, r_{k+1}]`, validating their chaining. */
export function shapeOfCores(cores: readonly tf.Tensor[], fn = 'shapeOfCores'): TTMatrixShape {
  if (!Array.isArray(cores) || cores.length === 0) {
    throw new Error(`'cores' passed to '${fn}' must be a non-empty array of rank-4 tensors, got ${describe(cores)}`);
  }
  const inModes: number[] = [];
  const outModes: number[] = [];
  const ranks: number[] = [];
  cores.forEach((c, k) => {
    if (!(c instanceof tf.Tensor) || c.rank !== 4) {
      throw new Error(
        `'cores[${k}]' passed to '${fn}' must be a rank-4 tensor [r_k, m_k, n_k, r_k+1], got ` +
          (c instanceof tf.Tensor ? `shape [${c.shape.join(', ')}]` : describe(c)),
      );
    }
    const [r0, m, n, r1] = c.shape as [number, number, number, number];
    if (k === 0) ranks.push(r0);
    else if (ranks[k] !== r0) {
      throw new Error(
        `'cores[${k}]' passed to '${fn}' has left rank ${r0} but cores[${k - 1}] has right rank ${ranks[k]}`,
      );
    }
    outModes.push(m);
    inModes.push(n);
    ranks.push(r1);
  });
  return validateTTShape({ inModes, outModes, ranks }, fn);
}

/**
 * The full matrix W [N, M] with W[i, j] = Π_k core_k[:, j_k, i_k, :], i and j
 * row-major over the modes, core 0 most significant.
 *
 * Loop order: we grow F_k = [n_0..n_k, m_0..m_k, r_{k+1}] one core at a time,
 * so every step is a single matMul against the next core, and the only
 * transposes move the new input mode in front of the output modes.
 */
export function ttFull(cores: readonly tf.Tensor[]): tf.Tensor2D {
  const shape = shapeOfCores(cores, 'ttFull');
  return tf.tidy(() => {
    const d = cores.length;
    const [, m0, n0, r1] = coreShape(shape, 0);
    // core_0 is [1, m0, n0, r1] → F = [n0, m0, r1]
    let f = tf.transpose(tf.reshape(cores[0]!, [m0, n0, r1]), [1, 0, 2]);
    let rows = n0;
    let cols = m0;
    for (let k = 1; k < d; k++) {
      const [rk, mk, nk, rk1] = coreShape(shape, k);
      const prodF = tf.matMul(tf.reshape(f, [rows * cols, rk]), tf.reshape(cores[k]!, [rk, mk * nk * rk1]));
      // [rows, cols, mk, nk, rk1] → [rows, nk, cols, mk, rk1]
      f = tf.transpose(tf.reshape(prodF, [rows, cols, mk, nk, rk1]), [0, 3, 1, 2, 4]);
      rows *= nk;
      cols *= mk;
      f = tf.reshape(f, [rows, cols, rk1]);
    }
    return tf.reshape(f, [rows, cols]) as tf.Tensor2D;
  });
}

function checkInput(x: tf.Tensor, shape: TTMatrixShape, fn: string): void {
  if (!(x instanceof tf.Tensor) || x.rank !== 2) {
    throw new Error(
      `'x' passed to '${fn}' must be a rank-2 tensor [batch, ${numRows(shape)}], got ` +
        (x instanceof tf.Tensor ? `shape [${x.shape.join(', ')}]` : describe(x)),
    );
  }
  if (x.shape[1] !== numRows(shape)) {
    throw new Error(
      `'x' passed to '${fn}' must have ${numRows(shape)} columns (the product of the input modes ` +
        `[${shape.inModes.join(', ')}]), got shape [${x.shape.join(', ')}]`,
    );
  }
}

/**
 * y = x·W [batch, M] by contracting x [batch, N] with the cores one at a time,
 * without forming W.
 *
 * The running tensor is T_k = [batch·m_0..m_{k-1}, r_k, n_k..n_{d-1}]; step k
 * contracts (r_k, n_k) against core k and appends m_k to the output modes. This
 * is what the original does at every time step; its cost grows with the rank.
 */
export function ttMatmul(x: tf.Tensor, cores: readonly tf.Tensor[]): tf.Tensor2D {
  const shape = shapeOfCores(cores, 'ttMatmul');
  checkInput(x, shape, 'ttMatmul');
  return tf.tidy(() => {
    const batch = x.shape[0]!;
    const d = cores.length;
    let lead = batch; // batch · m_0 · … · m_{k-1}
    let rest = numRows(shape); // n_k · … · n_{d-1}
    let t: tf.Tensor = x;
    for (let k = 0; k < d; k++) {
      const [rk, mk, nk, rk1] = coreShape(shape, k);
      rest /= nk;
      // [lead, rk, nk, rest] → [lead, rest, rk, nk] → [lead·rest, rk·nk]
      const a = tf.reshape(tf.transpose(tf.reshape(t, [lead, rk, nk, rest]), [0, 3, 1, 2]), [lead * rest, rk * nk]);
      // core [rk, mk, nk, rk1] → [rk, nk, mk, rk1] → [rk·nk, mk·rk1]
      const g = tf.reshape(tf.transpose(cores[k]!, [0, 2, 1, 3]), [rk * nk, mk * rk1]);
      const p = tf.matMul(a, g); // [lead·rest, mk·rk1]
      // [lead, rest, mk, rk1] → [lead, mk, rk1, rest]
      t = tf.transpose(tf.reshape(p, [lead, rest, mk, rk1]), [0, 2, 3, 1]);
      lead *= mk;
    }
    return tf.reshape(t, [batch, numCols(shape)]) as tf.Tensor2D;
  });
}

/** y = x·W with W rebuilt from the cores first: one dense product, cost independent of the rank. */
export function ttMatmulRebuilt(x: tf.Tensor, cores: readonly tf.Tensor[]): tf.Tensor2D {
  const shape = shapeOfCores(cores, 'ttMatmulRebuilt');
  checkInput(x, shape, 'ttMatmulRebuilt');
  return tf.tidy(() => tf.matMul(x as tf.Tensor2D, ttFull(cores)));
}

export interface ContractionCost {
  /** Multiply-adds counted as 2 FLOPs. */
  readonly flops: number;
  /** Largest intermediate, in elements (float32: ×4 bytes). */
  readonly peakElements: number;
  /** Number of tfjs ops issued (reshape/transpose/matMul), for per-op overhead. */
  readonly ops: number;
}

export interface TTMatmulCost {
  /** Contracting the cores for a batch of `batch` rows. */
  readonly contract: ContractionCost;
  /** Rebuilding W once (independent of the batch). */
  readonly rebuild: ContractionCost;
  /** The dense product x·W once W exists. */
  readonly denseProduct: ContractionCost;
}

/**
 * FLOP, memory and op-count estimates of `ttMatmul` and of
 * `ttMatmulRebuilt` (= rebuild + denseProduct), so callers can choose. When W
 * is reused for many products (every time step of a sequence), the rebuild
 * cost is paid once and only denseProduct recurs.
 */
export function ttMatmulCost(shape: TTMatrixShape, batch: number): TTMatmulCost {
  validateTTShape(shape, 'ttMatmulCost');
  if (!Number.isInteger(batch) || batch <= 0) {
    throw new Error(`'batch' passed to 'ttMatmulCost' must be a positive integer, got ${describe(batch)}`);
  }
  const d = shape.inModes.length;
  const N = numRows(shape);
  const M = numCols(shape);
  let flops = 0;
  let peak = batch * N;
  let lead = batch;
  let rest = N;
  for (let k = 0; k < d; k++) {
    const [rk, mk, nk, rk1] = coreShape(shape, k);
    rest /= nk;
    flops += 2 * lead * rest * rk * nk * mk * rk1;
    peak = Math.max(peak, lead * rest * mk * rk1, lead * rest * rk * nk);
    lead *= mk;
  }
  const contract = { flops, peakElements: peak, ops: 8 * d + 1 };

  let rFlops = 0;
  let rPeak = prod(coreShape(shape, 0));
  let rows = shape.inModes[0]!;
  let cols = shape.outModes[0]!;
  for (let k = 1; k < d; k++) {
    const [rk, mk, nk, rk1] = coreShape(shape, k);
    rFlops += 2 * rows * cols * rk * mk * nk * rk1;
    rows *= nk;
    cols *= mk;
    rPeak = Math.max(rPeak, rows * cols * rk1);
  }
  // ttFull: reshape + transpose for core 0, then reshape ×3, matMul, transpose per further core.
  const rebuild = { flops: rFlops, peakElements: rPeak, ops: 6 * d - 3 };
  const denseProduct = { flops: 2 * batch * N * M, peakElements: batch * M + N * M, ops: 1 };
  return { contract, rebuild, denseProduct };
}

/**
 * A TT matrix: its cores (tensors or trainable variables) and shape. It owns
 * its cores: `dispose()` frees them.
 */
export class TTMatrix {
  readonly shape: TTMatrixShape;
  readonly cores: readonly tf.Tensor4D[];

  constructor(cores: readonly tf.Tensor[]) {
    this.shape = shapeOfCores(cores, 'TTMatrix');
    this.cores = cores as tf.Tensor4D[];
  }

  get rows(): number {
    return numRows(this.shape);
  }

  get cols(): number {
    return numCols(this.shape);
  }

  /** TT parameters (no bias). */
  get paramCount(): number {
    return ttParamCount(this.shape);
  }

  full(): tf.Tensor2D {
    return ttFull(this.cores);
  }

  /**
   * x [batch, N] → [batch, M]. `per-step` contracts the cores against x (what a recurrent layer does at
   * every time step); `rebuilt` forms W first, then one dense product.
   */
  matmul(x: tf.Tensor, method: 'per-step' | 'rebuilt' = 'per-step'): tf.Tensor2D {
    return method === 'rebuilt' ? ttMatmulRebuilt(x, this.cores) : ttMatmul(x, this.cores);
  }

  dispose(): void {
    tf.dispose(this.cores as tf.Tensor[]);
  }
}
