import { describe, expect, it } from 'vitest';
import { assertClose, firstMismatch, maxAbsError } from './tolerance.js';

describe('tolerance helper', () => {
  it('uses |a - e| <= atol + rtol |e| and names the first differing index', () => {
    expect(firstMismatch([1, 2.00001], [1, 2], { atol: 0, rtol: 1e-5 })).toBeNull();
    expect(firstMismatch([1, 2.0001, 5], [1, 2, 6], { atol: 0, rtol: 1e-5 })).toEqual({
      index: 1,
      actual: 2.0001,
      expected: 2,
    });
    expect(() => assertClose([0, 1], [0, 1.5], { atol: 0.1, rtol: 0 }, 'h')).toThrow(
      /h: first mismatch at flat index 1/,
    );
    expect(() => assertClose([0], [0, 1])).toThrow(/length 1 differs/);
  });
  it('treats NaN as a mismatch unless expected', () => {
    expect(firstMismatch([Number.NaN], [0])).not.toBeNull();
    expect(maxAbsError([Number.NaN], [0])).toBeNaN();
  });
});
