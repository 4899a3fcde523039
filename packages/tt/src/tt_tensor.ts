/**
 * TT tensors: a d-way tensor A [n_0, …, n_{d−1}] stored as cores
 * G_k [r_k, n_k, r_{k+1}] (r_0 = r_d = 1) with
 *
 *     A[i_0, …, i_{d−1}] = G_0[:, i_0, :] · G_1[:, i_1, :] · … · G_{d−1}[:, i_{d−1}, :]
 *
 * and the full tensor row-major, core 0 the most significant index. Cores are
 * tfjs tensors (for models) or Float64Arrays (for the SVD-based algorithms,
 * which work in float64 because tfjs computes in float32 and has no SVD).
 *
 * A TT matrix core [r_k, m_k, n_k, r_{k+1}] reshaped to [r_k, m_k·n_k, r_{k+1}]
 * is a TT tensor core whose mode index is j_k·n_k + i_k; that is how TT-SVD and
 * rounding treat TT matrices.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertIntArray, describe, prod } from './validate.js';

export interface TTTensorShape {
  /** Modes n_k; the full tensor has shape [n_0, …, n_{d−1}]. */
  readonly modes: readonly number[];
  /** TT ranks r_0..r_d, with r_0 = r_d = 1. */
  readonly ranks: readonly number[];
}

/** A float64 TT core [r_k, n_k, r_{k+1}], row-major. */
export interface Core64 {
  readonly data: Float64Array;
  readonly shape: readonly [number, number, number];
}

/** Checks a TT tensor shape and returns it; errors name `fn`. */
export function validateTTTensorShape(shape: TTTensorShape, fn = 'validateTTTensorShape'): TTTensorShape {
  if (typeof shape !== 'object' || shape === null) {
    throw new Error(`'shape' passed to '${fn}' must be an object {modes, ranks}, got ${describe(shape)}`);
  }
  assertIntArray(shape.modes, 'modes', fn);
  assertIntArray(shape.ranks, 'ranks', fn);
  const d = shape.modes.length;
  if (shape.ranks.length !== d + 1) {
    throw new Error(`'ranks' passed to '${fn}' must have d + 1 = ${d + 1} entries, got ${shape.ranks.length}`);
  }
  if (shape.ranks[0] !== 1 || shape.ranks[d] !== 1) {
    throw new Error(`'ranks' passed to '${fn}' must start and end with 1, got ${describe(shape.ranks)}`);
  }
  return shape;
}

/** Number of TT parameters, Σ_k r_k·n_k·r_{k+1}. */
export function ttTensorParamCount(shape: TTTensorShape): number {
  let total = 0;
  for (let k = 0; k < shape.modes.length; k++) total += shape.ranks[k]! * shape.modes[k]! * shape.ranks[k + 1]!;
  return total;
}

/** Reads the TT tensor shape off a list of cores [r_k, n_k, r_{k+1}], validating their chaining. */
export function shapeOfTTTensorCores(
  cores: readonly (tf.Tensor | Core64)[],
  fn = 'shapeOfTTTensorCores',
): TTTensorShape {
  if (!Array.isArray(cores) || cores.length === 0) {
    throw new Error(`'cores' passed to '${fn}' must be a non-empty array of rank-3 cores, got ${describe(cores)}`);
  }
  const modes: number[] = [];
  const ranks: number[] = [];
  cores.forEach((c: tf.Tensor | Core64, k) => {
    const shape = c instanceof tf.Tensor ? c.shape : (c as Partial<Core64> | null)?.shape;
    if (!Array.isArray(shape) || shape.length !== 3) {
      throw new Error(
        `'cores[${k}]' passed to '${fn}' must be a rank-3 core [r_k, n_k, r_k+1], got ` +
          (Array.isArray(shape) ? `shape [${shape.join(', ')}]` : describe(c)),
      );
    }
    const [r0, n, r1] = shape as [number, number, number];
    if (!(c instanceof tf.Tensor) && (!(c.data instanceof Float64Array) || c.data.length !== r0 * n * r1)) {
      throw new Error(`'cores[${k}]' passed to '${fn}' must hold a Float64Array of ${r0 * n * r1} entries`);
    }
    if (k === 0) ranks.push(r0);
    else if (ranks[k] !== r0) {
      throw new Error(
        `'cores[${k}]' passed to '${fn}' has left rank ${r0} but cores[${k - 1}] has right rank ${ranks[k]}`,
      );
    }
    modes.push(n);
    ranks.push(r1);
  });
  return validateTTTensorShape({ modes, ranks }, fn);
}

/**
 * The full tensor [n_0, …, n_{d−1}] from tfjs cores. Each step is one matMul:
 * F [n_0…n_{k−1}, r_k] · G_k [r_k, n_k·r_{k+1}], no transposes, because the
 * row-major order puts the new mode right before the next rank.
 */
export function ttTensorFull(cores: readonly tf.Tensor[]): tf.Tensor {
  const shape = shapeOfTTTensorCores(cores, 'ttTensorFull');
  return tf.tidy(() => {
    let f: tf.Tensor = tf.reshape(cores[0]!, [shape.modes[0]!, shape.ranks[1]!]);
    let rows = shape.modes[0]!;
    for (let k = 1; k < cores.length; k++) {
      const rk = shape.ranks[k]!;
      const nk = shape.modes[k]!;
      const rk1 = shape.ranks[k + 1]!;
      f = tf.matMul(tf.reshape(f, [rows, rk]), tf.reshape(cores[k]!, [rk, nk * rk1]));
      rows *= nk;
    }
    return tf.reshape(f, [...shape.modes]);
  });
}

/** The full tensor, row-major, from float64 cores (same loop as ttTensorFull, in float64). */
export function ttTensorFull64(cores: readonly Core64[]): Float64Array {
  const shape = shapeOfTTTensorCores(cores, 'ttTensorFull64');
  let f = Float64Array.from(cores[0]!.data);
  let rows = shape.modes[0]!;
  for (let k = 1; k < cores.length; k++) {
    const rk = shape.ranks[k]!;
    const cols = shape.modes[k]! * shape.ranks[k + 1]!;
    const g = cores[k]!.data;
    const next = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let p = 0; p < rk; p++) {
        const x = f[i * rk + p]!;
        if (x === 0) continue;
        const gRow = p * cols;
        const out = i * cols;
        for (let j = 0; j < cols; j++) next[out + j] = next[out + j]! + x * g[gRow + j]!;
      }
    }
    f = next;
    rows *= shape.modes[k]!;
  }
  return f;
}

/**
 * Float64 copies of tfjs cores [r, n, r'] (or TT-matrix cores [r, m, n, r'] as [r, m·n, r']). Asynchronous: the
 * webgpu backend cannot read GPU tensors synchronously in Node.
 */
export async function coresToFloat64(cores: readonly tf.Tensor[]): Promise<Core64[]> {
  return Promise.all(
    cores.map(async (c) => {
      const s = c.shape;
      const shape: [number, number, number] = [s[0]!, prod(s.slice(1, -1)), s[s.length - 1]!];
      return { data: Float64Array.from(await c.data()), shape };
    }),
  );
}

/**
 * A TT tensor: its cores and shape. It owns its cores: `dispose()` frees them.
 */
export class TTTensor {
  readonly shape: TTTensorShape;
  readonly cores: readonly tf.Tensor3D[];

  constructor(cores: readonly tf.Tensor[]) {
    this.shape = shapeOfTTTensorCores(cores, 'TTTensor');
    this.cores = cores as tf.Tensor3D[];
  }

  /** Number of entries of the full tensor, ∏ n_k. */
  get size(): number {
    return prod(this.shape.modes);
  }

  /** TT parameters Σ_k r_k·n_k·r_{k+1}. */
  get paramCount(): number {
    return ttTensorParamCount(this.shape);
  }

  /** The full tensor [n_0, …, n_{d−1}] (the caller owns it). */
  full(): tf.Tensor {
    return ttTensorFull(this.cores);
  }

  /** The full tensor in float64, row-major (reads the cores, hence asynchronous). */
  async full64(): Promise<Float64Array> {
    return ttTensorFull64(await coresToFloat64(this.cores));
  }

  dispose(): void {
    tf.dispose(this.cores as tf.Tensor[]);
  }
}
