/**
 * TT rounding (Oseledets 2011, Algorithm 2): recompress a TT tensor or TT
 * matrix whose ranks are larger than needed (a sum of TTs, a TT after
 * training), without forming the full tensor.
 *
 * 1. Right-to-left, make cores 1..d−1 right-orthonormal: QR of the transposed
 *    unfolding G_k [r_k, n_k·r_{k+1}]ᵀ = Q·R, keep Qᵀ as the core and push Rᵀ
 *    into core k−1. Then ‖A‖_F = ‖G_0‖_F.
 * 2. Left-to-right, SVD each [r_k·n_k, r_{k+1}] unfolding and truncate with
 *    δ = ε‖A‖_F/√(d−1), pushing S·Vᵀ into the next core.
 * As in TT-SVD, the truncation errors are orthogonal, so the achieved error is
 * exactly √(Σ discarded σ²)/‖A‖_F and ‖A − Â‖_F ≤ ε‖A‖_F whenever maxRank does
 * not bind. Cost O(d·n·r³), never the size of the full tensor. Float64
 * throughout; the returned tfjs cores are float32.
 */
import * as tf from '@tensorflow/tfjs-core';
import { householderQr, svd, transpose64 } from './svd.js';
import { frobNorm, resolveOptions, truncationRank } from './tt_svd.js';
import type { TTSvdOptions, TTSvdResult64 } from './tt_svd.js';
import { coresToFloat64, shapeOfTTTensorCores } from './tt_tensor.js';
import type { Core64 } from './tt_tensor.js';
import { shapeOfCores } from './tt_matrix.js';
import { describe } from './validate.js';

export interface TTRoundResult<C extends tf.Tensor> {
  /** Rounded cores, the same layout as the input; float32, the caller owns them. */
  readonly cores: C[];
  /** r_0..r_d after rounding. */
  readonly ranks: number[];
  /** ‖A − Â‖_F / ‖A‖_F with A the input TT (0 when A = 0). */
  readonly relativeError: number;
}

/** C [m, k] · B [k, n], row-major. */
function matmul64(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p]!;
      if (x === 0) continue;
      const bRow = p * n;
      const out = i * n;
      for (let j = 0; j < n; j++) c[out + j] = c[out + j]! + x * b[bRow + j]!;
    }
  }
  return c;
}

/** TT rounding of float64 cores [r_k, n_k, r_{k+1}]; the input is not modified. */
export function ttRoundFloat64(cores: readonly Core64[], opts: TTSvdOptions, fn = 'ttRoundFloat64'): TTSvdResult64 {
  const shape = shapeOfTTTensorCores(cores, fn);
  const d = cores.length;
  const { maxRanks, eps } = resolveOptions(opts, d, fn);
  cores.forEach((c, k) => {
    const i = c.data.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) {
      throw new Error(
        `'cores[${k}]' passed to '${fn}' must contain only finite values, got ${c.data[i]} at flat index ${i}`,
      );
    }
  });
  const g: Float64Array[] = cores.map((c) => Float64Array.from(c.data));
  const modes = [...shape.modes];
  const ranks = [...shape.ranks];

  // 1. Right-orthonormalise cores d−1..1.
  for (let k = d - 1; k >= 1; k--) {
    const rk = ranks[k]!;
    const cols = modes[k]! * ranks[k + 1]!;
    const { q, r, k: kk } = householderQr(transpose64(g[k]!, rk, cols), cols, rk);
    g[k] = transpose64(q, cols, kk); // Qᵀ [kk, cols]
    const rows = ranks[k - 1]! * modes[k - 1]!;
    g[k - 1] = matmul64(g[k - 1]!, transpose64(r, kk, rk), rows, rk, kk);
    ranks[k] = kk;
  }
  const norm = frobNorm(g[0]!);

  // 2. Truncate left to right.
  const delta2 = eps === undefined || d === 1 ? undefined : (eps * norm) ** 2 / (d - 1);
  let discarded2 = 0;
  for (let k = 0; k < d - 1; k++) {
    const rows = ranks[k]! * modes[k]!;
    const rk1 = ranks[k + 1]!;
    const { u, s, v, k: kk } = svd(g[k]!, rows, rk1);
    const { rank: r, discarded2: dis } = truncationRank(s, delta2, maxRanks[k]!, rows, rk1);
    discarded2 += dis;
    const core = new Float64Array(rows * r);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < r; j++) core[i * r + j] = u[i * kk + j]!;
    }
    g[k] = core;
    // (S·Vᵀ)[:r] [r, rk1] into the next core [rk1, n_{k+1}·r_{k+2}].
    const sv = new Float64Array(r * rk1);
    for (let j = 0; j < r; j++) {
      for (let l = 0; l < rk1; l++) sv[j * rk1 + l] = s[j]! * v[l * kk + j]!;
    }
    g[k + 1] = matmul64(sv, g[k + 1]!, r, rk1, modes[k + 1]! * ranks[k + 2]!);
    ranks[k + 1] = r;
  }
  return {
    cores: g.map((data, k) => ({ data, shape: [ranks[k]!, modes[k]!, ranks[k + 1]!] as const })),
    ranks,
    relativeError: norm === 0 ? 0 : Math.sqrt(discarded2) / norm,
    norm,
  };
}

/**
 * TT rounding of tfjs cores: TT-tensor cores [r_k, n_k, r_{k+1}] or TT-matrix
 * cores [r_k, m_k, n_k, r_{k+1}] (rounded as a TT tensor with modes m_k·n_k).
 * Options as for ttSvd: `eps` bounds the error relative to the input's norm,
 * `maxRank` caps the ranks. The input cores are left untouched. Asynchronous: it reads the cores.
 */
export function ttRound(cores: readonly tf.Tensor4D[], opts: TTSvdOptions): Promise<TTRoundResult<tf.Tensor4D>>;
export function ttRound(cores: readonly tf.Tensor3D[], opts: TTSvdOptions): Promise<TTRoundResult<tf.Tensor3D>>;
export function ttRound(cores: readonly tf.Tensor[], opts: TTSvdOptions): Promise<TTRoundResult<tf.Tensor>>;
export async function ttRound(cores: readonly tf.Tensor[], opts: TTSvdOptions): Promise<TTRoundResult<tf.Tensor>> {
  const fn = 'ttRound';
  if (!Array.isArray(cores) || cores.length === 0 || !(cores[0] instanceof tf.Tensor)) {
    throw new Error(
      `'cores' passed to '${fn}' must be a non-empty array of rank-3 or rank-4 tensors, got ${describe(cores)}`,
    );
  }
  const isMatrix = cores[0].rank === 4;
  let outModes: number[] = [];
  let inModes: number[] = [];
  if (isMatrix) {
    const shape = shapeOfCores(cores, fn);
    outModes = [...shape.outModes];
    inModes = [...shape.inModes];
  } else {
    shapeOfTTTensorCores(cores, fn);
  }
  const res = ttRoundFloat64(await coresToFloat64(cores), opts, fn);
  const out = res.cores.map((c, k) => {
    const [r0, n, r1] = c.shape;
    const shape = isMatrix ? [r0, outModes[k]!, inModes[k]!, r1] : [r0, n, r1];
    return tf.tensor(Float32Array.from(c.data), shape);
  });
  return { cores: out, ranks: res.ranks, relativeError: res.relativeError };
}
