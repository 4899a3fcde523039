import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '@ttrnn/random';
import { householderQr, svd, transpose64 } from './svd.js';

/** Values from bounded integers / 100, in float64. */
function intMatrix(m: number, n: number, rng: Rng): Float64Array {
  const a = new Float64Array(m * n);
  for (let i = 0; i < a.length; i++) a[i] = (rng.int(201) - 100) / 100;
  return a;
}

function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p]!;
      for (let j = 0; j < n; j++) c[i * n + j]! += x * b[p * n + j]!;
    }
  }
  return c;
}

function frob(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) ** 2;
  return Math.sqrt(s);
}

/** U·diag(S)·Vᵀ. */
function reconstruct(u: Float64Array, s: Float64Array, v: Float64Array, m: number, n: number, k: number): Float64Array {
  const us = Float64Array.from(u);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) us[i * k + p]! *= s[p]!;
  return matmul(us, transpose64(v, n, k), m, k, n);
}

/** max |QᵀQ − I| for Q [m, k]. */
function orthoError(q: Float64Array, m: number, k: number): number {
  const g = matmul(transpose64(q, m, k), q, k, m, k);
  let e = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) e = Math.max(e, Math.abs(g[i * k + j]! - (i === j ? 1 : 0)));
  return e;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs((a[i] as number) - (b[i] as number)));
  return e;
}

/** A random m×k matrix with orthonormal columns (QR of a Gaussian matrix). */
function randomOrthonormal(m: number, k: number, rng: Rng): Float64Array {
  const g = Float64Array.from(rng.normalArray(m * k));
  return householderQr(g, m, k).q;
}

const dims = fc.record({
  m: fc.integer({ min: 1, max: 40 }),
  n: fc.integer({ min: 1, max: 40 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

describe('householderQr', () => {
  it('factors random matrices into orthonormal Q and upper-triangular R', () => {
    fc.assert(
      fc.property(dims, ({ m, n, seed }) => {
        const a = intMatrix(m, n, new Rng(seed));
        const { q, r, k } = householderQr(a, m, n);
        expect(k).toBe(Math.min(m, n));
        expect(orthoError(q, m, k)).toBeLessThan(1e-13);
        for (let i = 0; i < k; i++) for (let j = 0; j < Math.min(i, n); j++) expect(r[i * n + j]).toBe(0);
        expect(maxDiff(matmul(q, r, m, k, n), a)).toBeLessThan(1e-13 * Math.max(1, frob(a)));
      }),
      { seed: 3, numRuns: 40 },
    );
  });

  it('reflects columns whose part below the diagonal is tiny (no cancellation in the tail norm)', () => {
    // ‖x‖² − x0² rounds to 0 here; skipping the reflection would leave a 1e-9 error in QR.
    const a = Float64Array.from([1, 2, 1e-9, 3, 0, 1]);
    const { q, r, k } = householderQr(a, 3, 2);
    expect(maxDiff(matmul(q, r, 3, k, 2), a)).toBeLessThan(1e-15);
    expect(r[2]).toBe(0);
    const { u, s, v } = svd(a, 3, 2);
    expect(maxDiff(reconstruct(u, s, v, 3, 2, 2), a)).toBeLessThan(1e-14);
  });
});

describe('svd', () => {
  it('reconstructs random matrices to ~1e-12 with orthonormal U and V and descending S', () => {
    fc.assert(
      fc.property(dims, ({ m, n, seed }) => {
        const a = intMatrix(m, n, new Rng(seed));
        const { u, s, v, k } = svd(a, m, n);
        expect(k).toBe(Math.min(m, n));
        expect([u.length, s.length, v.length]).toEqual([m * k, k, n * k]);
        expect(maxDiff(reconstruct(u, s, v, m, n, k), a)).toBeLessThan(1e-12 * Math.max(1, frob(a)));
        expect(orthoError(u, m, k)).toBeLessThan(1e-12);
        expect(orthoError(v, n, k)).toBeLessThan(1e-12);
        for (let i = 1; i < k; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]!);
        expect(s[k - 1]).toBeGreaterThanOrEqual(0);
      }),
      { seed: 5, numRuns: 40 },
    );
  });

  it('finds known singular values of U·diag(σ)·Vᵀ built from random orthogonal factors', () => {
    fc.assert(
      fc.property(dims, ({ m, n, seed }) => {
        const rng = new Rng(seed);
        const k = Math.min(m, n);
        // Distinct values spread over four decades, including some close pairs.
        const sigma = Array.from({ length: k }, () => 10 ** (2 * rng.uniform() - 2)).sort((x, y) => y - x);
        const u0 = randomOrthonormal(m, k, rng);
        const v0 = randomOrthonormal(n, k, rng);
        const a = reconstruct(u0, Float64Array.from(sigma), v0, m, n, k);
        const { s } = svd(a, m, n);
        for (let i = 0; i < k; i++) expect(Math.abs(s[i]! - sigma[i]!)).toBeLessThan(1e-13 * sigma[0]!);
      }),
      { seed: 9, numRuns: 30 },
    );
  });

  it('handles rank-deficient and zero matrices with orthonormal factors', () => {
    fc.assert(
      fc.property(dims, fc.integer({ min: 0, max: 5 }), ({ m, n, seed }, rank) => {
        const rng = new Rng(seed);
        const r = Math.min(rank, m, n);
        // A = B·C with B [m, r], C [r, n]: rank r exactly (r = 0 is the zero matrix).
        const a = r === 0 ? new Float64Array(m * n) : matmul(intMatrix(m, r, rng), intMatrix(r, n, rng), m, r, n);
        const { u, s, v, k } = svd(a, m, n);
        expect(maxDiff(reconstruct(u, s, v, m, n, k), a)).toBeLessThan(1e-12 * Math.max(1, frob(a)));
        expect(orthoError(u, m, k)).toBeLessThan(1e-12);
        expect(orthoError(v, n, k)).toBeLessThan(1e-12);
        for (let i = r; i < k; i++) expect(s[i]).toBeLessThan(1e-12 * Math.max(1, s[0]!));
        if (r > 0) expect(s[r - 1]).toBeGreaterThan(1e-8);
      }),
      { seed: 13, numRuns: 40 },
    );
  });

  it('works on a tall unfolding of the size TT-SVD meets', () => {
    const m = 600;
    const n = 64;
    const a = intMatrix(m, n, new Rng(1));
    const { u, s, v, k } = svd(a, m, n);
    expect(maxDiff(reconstruct(u, s, v, m, n, k), a)).toBeLessThan(1e-12 * frob(a));
    expect(orthoError(u, m, k)).toBeLessThan(1e-12);
  });

  it('rejects bad arguments, naming them', () => {
    expect(() => svd(new Float64Array(5), 2, 3)).toThrow("'a' passed to 'svd' must have rows·cols = 6 entries, got 5");
    expect(() => svd(new Float64Array(6), 0, 3)).toThrow("'rows' passed to 'svd' must be a positive integer, got 0");
    expect(() => svd(Float64Array.from([1, Number.NaN]), 1, 2)).toThrow(
      "'a' passed to 'svd' must be finite, got NaN at flat index 1",
    );
  });
});
