/**
 * The original implementation's rule for splitting a dimension into `d` TT modes.
 *
 * Take the prime factors of n with multiplicity; if fewer than d, pad with 1s. Among
 * all ways to group them into exactly d groups, keep the one whose group products
 * f (sorted ascending) maximise the Shannon entropy of f/Σf, i.e. the most balanced.
 *
 * A grouping of prime factors into d non-empty groups is exactly an unordered
 * factorisation n = f_1·…·f_d with every f_i ≥ 2, so we enumerate those directly
 * (non-decreasing factor sequences) instead of set partitions: far fewer
 * candidates, same result.
 */
import { assertPositiveInt } from './validate.js';

export function primeFactors(n: number): number[] {
  const out: number[] = [];
  let m = n;
  for (let p = 2; p * p <= m; p++) {
    while (m % p === 0) {
      out.push(p);
      m /= p;
    }
  }
  if (m > 1) out.push(m);
  return out;
}

function entropy(f: readonly number[]): number {
  const s = f.reduce((a, b) => a + b, 0);
  let h = 0;
  for (const v of f) {
    const p = v / s;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

/** Every non-decreasing sequence of `d` factors ≥ `min` whose product is `n`. */
function factorisations(n: number, d: number, min: number, prefix: number[], out: number[][]): void {
  if (d === 1) {
    if (n >= min) out.push([...prefix, n]);
    return;
  }
  for (let f = min; f ** d <= n; f++) {
    if (n % f === 0) factorisations(n / f, d - 1, f, [...prefix, f], out);
  }
}

/**
 * Modes for a dimension of size `n` split over `d` cores, ascending.
 * Examples: autoShape(28, 2) = [4, 7]; autoShape(1024, 3) = [8, 8, 16]; autoShape(28, 4) = [1, 2, 2, 7].
 */
export function autoShape(n: number, d: number): number[] {
  assertPositiveInt(n, 'n', 'autoShape');
  assertPositiveInt(d, 'd', 'autoShape');
  const primes = primeFactors(n);
  if (primes.length <= d) {
    // Padding with 1s leaves exactly d singleton groups: one candidate.
    return [...Array<number>(d - primes.length).fill(1), ...primes].sort((a, b) => a - b);
  }
  const candidates: number[][] = [];
  factorisations(n, d, 2, [], candidates);
  let best = candidates[0] as number[];
  let bestH = entropy(best);
  for (const c of candidates.slice(1)) {
    const h = entropy(c);
    if (h > bestH + 1e-12) {
      best = c;
      bestH = h;
    }
  }
  return best;
}
