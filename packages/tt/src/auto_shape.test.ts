import { describe, expect, it } from 'vitest';
import { autoShape, primeFactors } from './auto_shape.js';
import { loadReference } from '@ttrnn/test-utils/reference';

describe('autoShape', () => {
  const cases = loadReference()['auto_shape'] as { n: number; d: number; shape: number[] }[];

  it('matches every case of the original implementation', () => {
    expect(cases.length).toBeGreaterThan(50);
    for (const c of cases) expect(autoShape(c.n, c.d), `autoShape(${c.n}, ${c.d})`).toEqual(c.shape);
  });

  it('matches the documented examples', () => {
    expect(autoShape(28, 2)).toEqual([4, 7]);
    expect(autoShape(1024, 3)).toEqual([8, 8, 16]);
    expect(autoShape(768, 4)).toEqual([4, 4, 6, 8]);
    expect(autoShape(28, 4)).toEqual([1, 2, 2, 7]);
    expect(autoShape(1, 3)).toEqual([1, 1, 1]);
    expect(autoShape(13, 2)).toEqual([1, 13]);
  });

  it('always returns d ascending modes whose product is n', () => {
    for (let n = 1; n <= 300; n++) {
      for (let d = 1; d <= 4; d++) {
        const s = autoShape(n, d);
        expect(s.length).toBe(d);
        expect(s.reduce((a, b) => a * b, 1)).toBe(n);
        expect([...s].sort((a, b) => a - b)).toEqual(s);
      }
    }
  });

  it('factorises into primes', () => {
    expect(primeFactors(360)).toEqual([2, 2, 2, 3, 3, 5]);
    expect(primeFactors(97)).toEqual([97]);
    expect(primeFactors(1)).toEqual([]);
  });

  it('rejects non-positive or non-integer arguments, naming them', () => {
    expect(() => autoShape(0, 2)).toThrow("'n' passed to 'autoShape' must be a positive integer, got 0");
    expect(() => autoShape(12, 1.5)).toThrow("'d' passed to 'autoShape' must be a positive integer, got 1.5");
    expect(() => autoShape(Number.NaN, 2)).toThrow(/'n' passed to 'autoShape'/);
  });
});
