/**
 * TT-SVD (Oseledets 2011, Algorithm 1) of dense tensors and dense matrices.
 *
 * Sweep left to right: unfold the remainder C as [r_k·n_k, rest], take its
 * SVD, keep the r_{k+1} leading singular triplets as core k, carry S·Vᵀ on.
 * Truncating each unfolding with tail ‖σ_{>r}‖₂ ≤ δ = ε‖A‖_F/√(d−1) gives
 * ‖A − Â‖_F ≤ ε‖A‖_F. The left cores are orthonormal, so the d−1 truncation
 * errors are mutually orthogonal and ‖A − Â‖²_F is exactly the sum of the
 * squared discarded singular values: the achieved error is reported from
 * those, without rebuilding Â.
 *
 * Everything runs in float64 (svd.ts); only the returned cores are float32
 * tfjs tensors, which adds a relative rounding error of about 1e-7 on top of
 * the reported (float64) error.
 */
import * as tf from '@tensorflow/tfjs-core';
import { svd } from './svd.js';
import type { Core64 } from './tt_tensor.js';
import { assertIntArray, assertPositiveInt, describe, prod } from './validate.js';

export interface TTSvdOptions {
  /**
   * Upper bound on the inner ranks r_1..r_{d−1}: one number for all, or one per
   * bond (d − 1 entries, or d + 1 entries starting and ending with 1, as in
   * TTMatrixShape.ranks).
   */
  readonly maxRank?: number | readonly number[];
  /**
   * Relative accuracy in (0, 1): the result satisfies ‖A − Â‖_F ≤ eps·‖A‖_F
   * unless maxRank forces a larger error (relativeError reports it either way).
   * Without eps, ranks are cut only by maxRank and at float64 rounding level.
   */
  readonly eps?: number;
}

/** A dense tensor in float64 (or float32), row-major. */
export interface DenseTensor {
  readonly data: Float64Array | Float32Array;
  readonly shape: readonly number[];
}

/** A dense matrix [rows, cols] in float64 (or float32), row-major. */
export interface DenseMatrix {
  readonly data: Float64Array | Float32Array;
  readonly rows: number;
  readonly cols: number;
}

export interface TTSvdResult64 {
  readonly cores: Core64[];
  /** r_0..r_d. */
  readonly ranks: number[];
  /** ‖A − Â‖_F / ‖A‖_F (0 for A = 0), from the discarded singular values. */
  readonly relativeError: number;
  /** ‖A‖_F. */
  readonly norm: number;
}

export interface TTSvdResult {
  /** Cores [r_k, n_k, r_{k+1}], float32; the caller owns them. */
  readonly cores: tf.Tensor3D[];
  readonly ranks: number[];
  readonly relativeError: number;
}

export interface TTMatrixSvdResult {
  /** Cores [r_k, m_k, n_k, r_{k+1}] (the ttFull layout), float32; the caller owns them. */
  readonly cores: tf.Tensor4D[];
  readonly ranks: number[];
  readonly relativeError: number;
}

export interface ResolvedOptions {
  /** Rank cap per bond k = 1..d−1 (index k − 1). */
  readonly maxRanks: number[];
  readonly eps: number | undefined;
}

/** Validates options (shared with ttRound); `d` is the number of cores. */
export function resolveOptions(opts: TTSvdOptions, d: number, fn: string): ResolvedOptions {
  if (typeof opts !== 'object' || opts === null) {
    throw new Error(`'options' passed to '${fn}' must be an object {maxRank?, eps?}, got ${describe(opts)}`);
  }
  const { maxRank, eps } = opts;
  if (maxRank === undefined && eps === undefined) {
    throw new Error(`'options' passed to '${fn}' must set 'maxRank' or 'eps', got ${describe(opts)}`);
  }
  if (eps !== undefined && (typeof eps !== 'number' || !(eps > 0 && eps < 1))) {
    throw new Error(`'eps' passed to '${fn}' must be a number in (0, 1), got ${describe(eps)}`);
  }
  let maxRanks: number[];
  if (maxRank === undefined) {
    maxRanks = Array<number>(Math.max(0, d - 1)).fill(Number.POSITIVE_INFINITY);
  } else if (Array.isArray(maxRank)) {
    assertIntArray(maxRank, 'maxRank', fn);
    if (maxRank.length === d + 1) {
      if (maxRank[0] !== 1 || maxRank[d] !== 1) {
        throw new Error(
          `'maxRank' passed to '${fn}' with d + 1 = ${d + 1} entries must start and end with 1, got ${describe(maxRank)}`,
        );
      }
      maxRanks = maxRank.slice(1, d);
    } else if (maxRank.length === d - 1) {
      maxRanks = [...maxRank];
    } else {
      throw new Error(
        `'maxRank' passed to '${fn}' must have d − 1 = ${d - 1} or d + 1 = ${d + 1} entries, got ${maxRank.length}`,
      );
    }
  } else {
    assertPositiveInt(maxRank, 'maxRank', fn);
    maxRanks = Array<number>(Math.max(0, d - 1)).fill(maxRank);
  }
  return { maxRanks, eps };
}

/**
 * How many singular values to keep: the fewest whose discarded tail has
 * squared norm ≤ delta2 (or, without a threshold, all above numpy's
 * matrix_rank tolerance σ_0·max(rows, cols)·ε_mach), capped by maxRank, at
 * least 1. Returns the rank and the squared norm of the discarded tail.
 */
export function truncationRank(
  s: Float64Array,
  delta2: number | undefined,
  maxRank: number,
  rows: number,
  cols: number,
): { rank: number; discarded2: number } {
  const k = s.length;
  let r: number;
  if (delta2 === undefined) {
    const tol = s[0]! * Math.max(rows, cols) * Number.EPSILON;
    r = 0;
    while (r < k && s[r]! > tol) r++;
  } else {
    // Walk up from the smallest value while the tail stays within delta2.
    let tail = 0;
    r = k;
    while (r > 0 && tail + s[r - 1]! * s[r - 1]! <= delta2) {
      tail += s[r - 1]! * s[r - 1]!;
      r--;
    }
  }
  r = Math.max(1, Math.min(r, maxRank));
  let discarded2 = 0;
  for (let i = r; i < k; i++) discarded2 += s[i]! * s[i]!;
  return { rank: r, discarded2 };
}

export function frobNorm(data: ArrayLike<number>): number {
  // Scaled sum of squares, so huge or tiny entries neither overflow nor underflow.
  let scale = 0;
  for (let i = 0; i < data.length; i++) scale = Math.max(scale, Math.abs(data[i] as number));
  if (scale === 0) return 0;
  let s = 0;
  for (let i = 0; i < data.length; i++) s += ((data[i] as number) / scale) ** 2;
  return scale * Math.sqrt(s);
}

/** A short description of a bad argument (never the contents of a large array). */
function kindOf(value: unknown): string {
  const typed = (v: ArrayBufferView) => `${/^[AEIOU]/.test(v.constructor.name) ? 'an' : 'a'} ${v.constructor.name}`;
  if (ArrayBuffer.isView(value)) return typed(value);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    return (
      `an object with keys [${keys.join(', ')}]` +
      ('data' in value ? ` and data ${ArrayBuffer.isView(value.data) ? typed(value.data) : typeof value.data}` : '')
    );
  }
  return describe(value);
}

/**
 * Reads a numeric tensor as float64, rejecting string and complex tensors. Asynchronously: the webgpu backend
 * (and webgl) cannot read a tensor computed on the GPU synchronously in Node.
 */
async function tensorData(t: tf.Tensor, arg: string, fn: string): Promise<Float64Array> {
  if (t.dtype !== 'float32' && t.dtype !== 'int32' && t.dtype !== 'bool') {
    throw new Error(`'${arg}' passed to '${fn}' must be a real tensor, got dtype '${t.dtype}'`);
  }
  return Float64Array.from((await t.data()) as Float32Array);
}

export function assertFinite(data: ArrayLike<number>, arg: string, fn: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!Number.isFinite(v)) {
      throw new Error(`'${arg}' passed to '${fn}' must contain only finite values, got ${v} at flat index ${i}`);
    }
  }
}

/**
 * TT-SVD in float64 of a dense tensor: the engine behind ttSvd and
 * ttMatrixSvd, exported for callers that want float64 cores.
 */
export function ttSvdFloat64(a: DenseTensor, opts: TTSvdOptions, fn = 'ttSvdFloat64'): TTSvdResult64 {
  if (typeof a !== 'object' || a === null || !(a.data instanceof Float64Array || a.data instanceof Float32Array)) {
    throw new Error(`'a' passed to '${fn}' must be a tensor or {data: Float64Array, shape}, got ${kindOf(a)}`);
  }
  assertIntArray(a.shape, 'shape', fn);
  const modes = [...a.shape];
  if (prod(modes) !== a.data.length) {
    throw new Error(
      `'shape' passed to '${fn}' must multiply to the data length ${a.data.length}, got ${describe(modes)} ` +
        `(product ${prod(modes)})`,
    );
  }
  const d = modes.length;
  const { maxRanks, eps } = resolveOptions(opts, d, fn);
  assertFinite(a.data, 'a', fn);
  return ttSvdCore(Float64Array.from(a.data), modes, maxRanks, eps);
}

function ttSvdCore(data: Float64Array, modes: number[], maxRanks: number[], eps: number | undefined): TTSvdResult64 {
  const d = modes.length;
  const norm = frobNorm(data);
  const delta2 = eps === undefined || d === 1 ? undefined : (eps * norm) ** 2 / (d - 1);
  const cores: Core64[] = [];
  const ranks = [1];
  let discarded2 = 0;
  let c = data;
  let rPrev = 1;
  for (let k = 0; k < d - 1; k++) {
    const nk = modes[k]!;
    const rows = rPrev * nk;
    const cols = c.length / rows;
    const { u, s, v, k: kk } = svd(c, rows, cols);
    const { rank: r, discarded2: dis } = truncationRank(s, delta2, maxRanks[k]!, rows, cols);
    discarded2 += dis;
    const core = new Float64Array(rows * r);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < r; j++) core[i * r + j] = u[i * kk + j]!;
    }
    cores.push({ data: core, shape: [rPrev, nk, r] });
    // Remainder S·Vᵀ [r, cols].
    const next = new Float64Array(r * cols);
    for (let j = 0; j < r; j++) {
      const sj = s[j]!;
      for (let l = 0; l < cols; l++) next[j * cols + l] = sj * v[l * kk + j]!;
    }
    c = next;
    rPrev = r;
    ranks.push(r);
  }
  cores.push({ data: c, shape: [rPrev, modes[d - 1]!, 1] });
  ranks.push(1);
  const relativeError = norm === 0 ? 0 : Math.sqrt(discarded2) / norm;
  return { cores, ranks, relativeError, norm };
}

/**
 * TT-SVD of a dense tensor A [n_0, …, n_{d−1}] (a tf.Tensor, or float64 data
 * with its shape). Asynchronous because it reads the tensor (every backend, webgpu included). Resolves to float32 cores [r_k, n_k, r_{k+1}] that the caller
 * owns, the ranks, and the achieved relative error ‖A − Â‖_F/‖A‖_F.
 */
export async function ttSvd(a: tf.Tensor | DenseTensor, opts: TTSvdOptions): Promise<TTSvdResult> {
  const fn = 'ttSvd';
  let dense: DenseTensor;
  if (a instanceof tf.Tensor) {
    if (a.rank === 0) throw new Error(`'a' passed to '${fn}' must have rank ≥ 1, got a scalar`);
    dense = { data: await tensorData(a, 'a', fn), shape: a.shape };
  } else {
    dense = a;
  }
  const res = ttSvdFloat64(dense, opts, fn);
  return {
    cores: res.cores.map((c) => tf.tensor3d(Float32Array.from(c.data), [...c.shape])),
    ranks: res.ranks,
    relativeError: res.relativeError,
  };
}

/**
 * Offsets of each row index i and column index j of W [N, M] in the tensor
 * [m_0, n_0, m_1, n_1, …] (row-major): W[i, j] lands at offI[i] + offJ[j].
 */
function interleaveOffsets(
  inModes: readonly number[],
  outModes: readonly number[],
): { offI: Int32Array; offJ: Int32Array } {
  const d = inModes.length;
  // Stride of (j_k, i_k) in [m_0, n_0, …, m_{d−1}, n_{d−1}].
  const strideIn = new Array<number>(d);
  const strideOut = new Array<number>(d);
  let stride = 1;
  for (let k = d - 1; k >= 0; k--) {
    strideIn[k] = stride;
    stride *= inModes[k]!;
    strideOut[k] = stride;
    stride *= outModes[k]!;
  }
  const offsets = (modes: readonly number[], strides: number[]): Int32Array => {
    const out = new Int32Array(prod(modes));
    for (let idx = 0; idx < out.length; idx++) {
      let rem = idx;
      let off = 0;
      for (let k = d - 1; k >= 0; k--) {
        off += (rem % modes[k]!) * strides[k]!;
        rem = Math.floor(rem / modes[k]!);
      }
      out[idx] = off;
    }
    return out;
  };
  return { offI: offsets(inModes, strideIn), offJ: offsets(outModes, strideOut) };
}

/**
 * TT-SVD of a dense matrix W [N, M] into TT-matrix cores [r_k, m_k, n_k, r_{k+1}]
 * (the layout of ttFull, output mode before input mode), with N = ∏ inModes,
 * M = ∏ outModes, both row-major with core 0 most significant.
 *
 * W[i, j] is re-indexed as a d-way tensor whose k-th index is the pair
 * (j_k, i_k) = j_k·n_k + i_k, so that each TT-SVD core [r, m_k·n_k, r'] is
 * already a TT-matrix core. Use it to compress a trained dense weight into the
 * tensorized layout; `relativeError` is ‖W − Ŵ‖_F/‖W‖_F.
 *
 * `shape` may be a full TTMatrixShape: its `ranks` are ignored here. To cap
 * the ranks at those of a layout, pass them as `maxRank: shape.ranks`.
 */
export async function ttMatrixSvd(
  w: tf.Tensor | DenseMatrix,
  shape: { readonly inModes: readonly number[]; readonly outModes: readonly number[] },
  opts: TTSvdOptions,
): Promise<TTMatrixSvdResult> {
  const fn = 'ttMatrixSvd';
  let data: Float64Array | Float32Array;
  let rows: number;
  let cols: number;
  if (w instanceof tf.Tensor) {
    if (w.rank !== 2) {
      throw new Error(`'w' passed to '${fn}' must be a rank-2 tensor [N, M], got shape [${w.shape.join(', ')}]`);
    }
    [rows, cols] = w.shape as [number, number];
    data = await tensorData(w, 'w', fn);
  } else {
    if (typeof w !== 'object' || w === null || !(w.data instanceof Float64Array || w.data instanceof Float32Array)) {
      throw new Error(
        `'w' passed to '${fn}' must be a rank-2 tensor or {data: Float64Array, rows, cols}, got ${kindOf(w)}`,
      );
    }
    assertPositiveInt(w.rows, 'rows', fn);
    assertPositiveInt(w.cols, 'cols', fn);
    ({ data, rows, cols } = w);
    if (data.length !== rows * cols) {
      throw new Error(`'w' passed to '${fn}' must have rows·cols = ${rows * cols} entries, got ${data.length}`);
    }
  }
  if (typeof shape !== 'object' || shape === null) {
    throw new Error(`'shape' passed to '${fn}' must be an object {inModes, outModes}, got ${describe(shape)}`);
  }
  const { inModes, outModes } = shape;
  assertIntArray(inModes, 'inModes', fn);
  assertIntArray(outModes, 'outModes', fn);
  const d = inModes.length;
  if (outModes.length !== d) {
    throw new Error(`'outModes' passed to '${fn}' must have as many modes as inModes (${d}), got ${outModes.length}`);
  }
  if (prod(inModes) !== rows) {
    throw new Error(
      `'inModes' passed to '${fn}' must multiply to the number of rows of 'w' (${rows}), got ` +
        `${describe(inModes)} (product ${prod(inModes)})`,
    );
  }
  if (prod(outModes) !== cols) {
    throw new Error(
      `'outModes' passed to '${fn}' must multiply to the number of columns of 'w' (${cols}), got ` +
        `${describe(outModes)} (product ${prod(outModes)})`,
    );
  }
  const { maxRanks, eps } = resolveOptions(opts, d, fn);
  assertFinite(data, 'w', fn);

  const t = new Float64Array(rows * cols);
  const { offI, offJ } = interleaveOffsets(inModes, outModes);
  for (let i = 0; i < rows; i++) {
    const oi = offI[i]!;
    const src = i * cols;
    for (let j = 0; j < cols; j++) t[oi + offJ[j]!] = data[src + j]!;
  }
  const res = ttSvdCore(
    t,
    inModes.map((n, k) => outModes[k]! * n),
    maxRanks,
    eps,
  );
  return {
    cores: res.cores.map((c, k) =>
      tf.tensor4d(Float32Array.from(c.data), [c.shape[0], outModes[k]!, inModes[k]!, c.shape[2]]),
    ),
    ranks: res.ranks,
    relativeError: res.relativeError,
  };
}
