/**
 * Dense linear algebra in float64 for the TT decompositions (tfjs has no SVD
 * and computes in float32): a Householder QR and a one-sided Jacobi SVD on
 * plain row-major Float64Arrays.
 *
 * Why one-sided Jacobi (Hestenes): it is short, needs no bidiagonalisation,
 * and computes small singular values to high relative accuracy, which is what
 * the truncation rule of TT-SVD reads. Matrices are first reduced by QR
 * (A = QR, then Jacobi on the n×n factor Rᵀ), so a sweep costs O(n³) instead
 * of O(m·n²) (the unfoldings of TT-SVD are often thousands of rows by a few
 * hundred columns), and Jacobi on Rᵀ needs fewer sweeps than on A: QR
 * preconditioning, as in Drmač and Veselić's one-sided Jacobi SVD.
 */
import { describe } from './validate.js';

/** A thin QR factorisation A [m, n] = Q [m, k] · R [k, n], k = min(m, n). */
export interface QrResult {
  /** Orthonormal columns, row-major [m, k]. */
  readonly q: Float64Array;
  /** Upper triangular (trapezoidal when m < n), row-major [k, n]. */
  readonly r: Float64Array;
  readonly k: number;
}

/** A thin SVD A [m, n] = U [m, k] · diag(S) · Vᵀ, k = min(m, n), S descending. */
export interface SvdResult {
  /** Orthonormal columns, row-major [m, k]. */
  readonly u: Float64Array;
  /** Singular values, descending, all ≥ 0, length k. */
  readonly s: Float64Array;
  /** Orthonormal columns, row-major [n, k] (V, not Vᵀ). */
  readonly v: Float64Array;
  readonly k: number;
}

function checkMatrix(a: Float64Array, m: number, n: number, fn: string): void {
  if (!(a instanceof Float64Array)) {
    throw new Error(`'a' passed to '${fn}' must be a Float64Array, got ${describe(a)}`);
  }
  if (!Number.isInteger(m) || m <= 0) {
    throw new Error(`'rows' passed to '${fn}' must be a positive integer, got ${describe(m)}`);
  }
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(`'cols' passed to '${fn}' must be a positive integer, got ${describe(n)}`);
  }
  if (a.length !== m * n) {
    throw new Error(`'a' passed to '${fn}' must have rows·cols = ${m * n} entries, got ${a.length}`);
  }
}

/** Row-major transpose of a [m, n] matrix. */
export function transpose64(a: Float64Array, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j]!;
  }
  return t;
}

/**
 * Householder reflectors of A [m, n] in place: on return the upper triangle of
 * `a` holds R and `vs[k]` the unit reflector vector for column k (length m − k;
 * all zeros when the column was already zero below the diagonal and needs no reflection).
 */
function householder(a: Float64Array, m: number, n: number): Float64Array[] {
  const k = Math.min(m, n);
  const vs: Float64Array[] = [];
  const w = new Float64Array(n);
  for (let c = 0; c < k; c++) {
    const len = m - c;
    const v = new Float64Array(len);
    // The tail's squared norm is summed on its own, never as ‖x‖² − x0²: a tail
    // below √ε·|x0| would cancel to zero and be skipped, breaking A = QR.
    let tail2 = 0;
    for (let i = 0; i < len; i++) {
      const x = a[(c + i) * n + c]!;
      v[i] = x;
      if (i > 0) tail2 += x * x;
    }
    const norm = Math.sqrt(v[0]! * v[0]! + tail2);
    if (tail2 === 0) {
      // Nothing below the diagonal: no reflection (keeps R's sign as it is).
      vs.push(new Float64Array(len));
      continue;
    }
    // alpha has the opposite sign of x0, so v0 = x0 − alpha does not cancel.
    const alpha = v[0]! >= 0 ? -norm : norm;
    v[0] = v[0]! - alpha;
    tail2 += v[0]! * v[0]!;
    const vn = Math.sqrt(tail2);
    for (let i = 0; i < len; i++) v[i] = v[i]! / vn;
    // A[c:, c:] −= 2 v (vᵀ A[c:, c:]), row by row for cache order.
    w.fill(0, c, n);
    for (let i = 0; i < len; i++) {
      const vi = v[i]!;
      if (vi === 0) continue;
      const row = (c + i) * n;
      for (let j = c; j < n; j++) w[j] = w[j]! + vi * a[row + j]!;
    }
    for (let i = 0; i < len; i++) {
      const vi2 = 2 * v[i]!;
      if (vi2 === 0) continue;
      const row = (c + i) * n;
      for (let j = c; j < n; j++) a[row + j] = a[row + j]! - vi2 * w[j]!;
    }
    // Exact zeros below the diagonal, and the diagonal is alpha by construction.
    a[c * n + c] = alpha;
    for (let i = 1; i < len; i++) a[(c + i) * n + c] = 0;
    vs.push(v);
  }
  return vs;
}

/** X [m, p] := H_0 · … · H_{k−1} · X in place, the reflectors of `householder`. */
function applyQ(vs: readonly Float64Array[], x: Float64Array, m: number, p: number): void {
  const w = new Float64Array(p);
  for (let c = vs.length - 1; c >= 0; c--) {
    const v = vs[c]!;
    const len = m - c;
    w.fill(0);
    let any = false;
    for (let i = 0; i < len; i++) {
      const vi = v[i]!;
      if (vi === 0) continue;
      any = true;
      const row = (c + i) * p;
      for (let j = 0; j < p; j++) w[j] = w[j]! + vi * x[row + j]!;
    }
    if (!any) continue;
    for (let i = 0; i < len; i++) {
      const vi2 = 2 * v[i]!;
      if (vi2 === 0) continue;
      const row = (c + i) * p;
      for (let j = 0; j < p; j++) x[row + j] = x[row + j]! - vi2 * w[j]!;
    }
  }
}

/** Thin Householder QR of A [m, n] (row-major); `a` is not modified. */
export function householderQr(a: Float64Array, m: number, n: number): QrResult {
  checkMatrix(a, m, n, 'householderQr');
  const k = Math.min(m, n);
  const work = Float64Array.from(a);
  const vs = householder(work, m, n);
  const r = new Float64Array(k * n);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < n; j++) r[i * n + j] = work[i * n + j]!;
  }
  // Q = H_0 … H_{k−1} applied to the first k columns of the identity.
  const q = new Float64Array(m * k);
  for (let i = 0; i < k; i++) q[i * k + i] = 1;
  applyQ(vs, q, m, k);
  return { q, r, k };
}

/** Max sweeps before giving up; convergence is quadratic, so 10–15 is typical. */
const MAX_SWEEPS = 80;
/** Rotate a pair unless |a_pᵀa_q| ≤ TOL·‖a_p‖·‖a_q‖ (about n·ε of float64 is attainable). */
const TOL = 1e-15;

/**
 * One-sided Jacobi on a square n×n matrix held column-major in `w` (column p
 * at w[p·n .. p·n + n)). Returns V column-major; on return the columns of w are
 * mutually orthogonal, with norms the singular values.
 */
function jacobi(w: Float64Array, n: number): Float64Array {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const norms2 = new Float64Array(n);
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    // Squared column norms, recomputed each sweep and updated exactly after each
    // rotation, so a pair costs one dot product instead of three.
    for (let p = 0; p < n; p++) {
      let a = 0;
      for (let i = 0; i < n; i++) a += w[p * n + i]! * w[p * n + i]!;
      norms2[p] = a;
    }
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      const op = p * n;
      for (let q = p + 1; q < n; q++) {
        const oq = q * n;
        const alpha = norms2[p]!;
        const beta = norms2[q]!;
        let gamma = 0;
        for (let i = 0; i < n; i++) gamma += w[op + i]! * w[oq + i]!;
        if (gamma === 0 || Math.abs(gamma) <= TOL * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        // The rotation that zeroes a_pᵀa_q, with the smaller angle (|t| ≤ 1);
        // it moves t·γ of squared norm from column p to column q.
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        norms2[p] = Math.max(0, alpha - t * gamma);
        norms2[q] = beta + t * gamma;
        for (let i = 0; i < n; i++) {
          const x = w[op + i]!;
          const y = w[oq + i]!;
          w[op + i] = c * x - s * y;
          w[oq + i] = s * x + c * y;
        }
        for (let i = 0; i < n; i++) {
          const x = v[op + i]!;
          const y = v[oq + i]!;
          v[op + i] = c * x - s * y;
          v[oq + i] = s * x + c * y;
        }
      }
    }
    if (!rotated) return v;
  }
  return v;
}

/**
 * Replaces the columns `from..k−1` of the column-major basis `u` [m, k] by unit
 * vectors orthogonal to all earlier columns (Gram–Schmidt of the standard
 * basis, twice for stability). Used where a singular value is zero or at
 * rounding level, so its left vector is undefined or noise.
 */
function completeBasis(u: Float64Array, m: number, k: number, from: number): void {
  let e = 0;
  for (let p = from; p < k; p++) {
    const op = p * m;
    for (; e < m; e++) {
      u.fill(0, op, op + m);
      u[op + e] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let q = 0; q < p; q++) {
          const oq = q * m;
          let dot = 0;
          for (let i = 0; i < m; i++) dot += u[oq + i]! * u[op + i]!;
          for (let i = 0; i < m; i++) u[op + i] = u[op + i]! - dot * u[oq + i]!;
        }
      }
      let norm2 = 0;
      for (let i = 0; i < m; i++) norm2 += u[op + i]! * u[op + i]!;
      // A standard basis vector mostly inside the span so far is a poor candidate.
      if (norm2 > 0.25) {
        const inv = 1 / Math.sqrt(norm2);
        for (let i = 0; i < m; i++) u[op + i] = u[op + i]! * inv;
        e++;
        break;
      }
    }
  }
}

/** SVD of a square n×n matrix given row-major; U, V returned column-major. */
function squareSvd(a: Float64Array, n: number): { u: Float64Array; s: Float64Array; v: Float64Array } {
  const w = transpose64(a, n, n); // row-major Aᵀ = column-major A
  const v = jacobi(w, n);
  const s = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    let norm2 = 0;
    for (let i = 0; i < n; i++) norm2 += w[p * n + i]! * w[p * n + i]!;
    s[p] = Math.sqrt(norm2);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => s[y]! - s[x]!);
  const ss = new Float64Array(n);
  const u = new Float64Array(n * n);
  const vv = new Float64Array(n * n);
  const sMax = s[order[0]!]!;
  // Below this a singular value is rounding noise and its left vector is not trustworthy.
  const tiny = sMax * n * Number.EPSILON;
  let good = n;
  order.forEach((src, dst) => {
    const sv = s[src]!;
    ss[dst] = sv;
    vv.set(v.subarray(src * n, src * n + n), dst * n);
    if (sv > tiny && sv > 0 && good === n) {
      for (let i = 0; i < n; i++) u[dst * n + i] = w[src * n + i]! / sv;
    } else if (good === n) {
      good = dst;
    }
  });
  if (good < n) completeBasis(u, n, n, good);
  return { u, s: ss, v: vv };
}

/** Column-major [rows, cols] → row-major [rows, cols]. */
function colToRow(c: Float64Array, rows: number, cols: number): Float64Array {
  return transpose64(c, cols, rows);
}

/**
 * Thin SVD of A [m, n] (row-major Float64Array), accurate to float64 rounding:
 * A = U·diag(S)·Vᵀ with U [m, k], V [n, k], k = min(m, n), S descending.
 *
 * Wide matrices are handled through Aᵀ, the others through a QR first. Zero or
 * rank-deficient input is fine: S then ends in (near-)zeros and the
 * corresponding columns of U still complete an orthonormal set.
 */
export function svd(a: Float64Array, m: number, n: number): SvdResult {
  checkMatrix(a, m, n, 'svd');
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) {
      throw new Error(`'a' passed to 'svd' must be finite, got ${a[i]} at flat index ${i}`);
    }
  }
  if (m < n) {
    const t = svdTall(transpose64(a, m, n), n, m);
    return { u: t.v, s: t.s, v: t.u, k: t.k };
  }
  return svdTall(a, m, n);
}

/**
 * m ≥ n. A = Q·R and Rᵀ = U₁·S·V₁ᵀ (Jacobi) give A = (Q·V₁)·S·U₁ᵀ; Q·V₁ is
 * formed by applying the reflectors to V₁ padded with zero rows, never forming Q.
 */
function svdTall(a: Float64Array, m: number, n: number): SvdResult {
  const work = Float64Array.from(a);
  const vs = householder(work, m, n);
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) r[i * n + j] = work[i * n + j]!;
  }
  const { u: ur, s, v } = squareSvd(transpose64(r, n, n), n);
  const u = new Float64Array(m * n);
  u.set(colToRow(v, n, n));
  applyQ(vs, u, m, n);
  return { u, s, v: colToRow(ur, n, n), k: n };
}
