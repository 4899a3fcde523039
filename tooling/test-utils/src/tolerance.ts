/**
 * NumPy-style closeness: |a − e| ≤ atol + rtol·|e| elementwise. Throws with the
 * first differing index (in the flat, row-major order) so a failure says where.
 */
export interface Tolerance {
  readonly atol?: number;
  readonly rtol?: number;
}

type Numeric = ArrayLike<number>;

export function firstMismatch(
  actual: Numeric,
  expected: Numeric,
  { atol = 1e-6, rtol = 1e-5 }: Tolerance = {},
): { index: number; actual: number; expected: number } | null {
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) return { index: i, actual: a, expected: e };
  }
  return null;
}

export function assertClose(actual: Numeric, expected: Numeric, tol: Tolerance = {}, what = 'values'): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length} differs from expected ${expected.length}`);
  }
  const m = firstMismatch(actual, expected, tol);
  if (m !== null) {
    let maxErr = 0;
    for (let i = 0; i < expected.length; i++)
      maxErr = Math.max(maxErr, Math.abs((actual[i] as number) - (expected[i] as number)));
    throw new Error(
      `${what}: first mismatch at flat index ${m.index}: got ${m.actual}, expected ${m.expected} ` +
        `(atol ${tol.atol ?? 1e-6}, rtol ${tol.rtol ?? 1e-5}; max abs error ${maxErr.toExponential(3)})`,
    );
  }
}

/** Largest absolute elementwise difference. */
export function maxAbsError(actual: Numeric, expected: Numeric): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs((actual[i] as number) - (expected[i] as number));
    if (!(d <= m)) m = d; // NaN propagates as the max
  }
  return m;
}
