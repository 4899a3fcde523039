import { Rng } from '@ttrnn/random';
import { describe, expect, it } from 'vitest';
import { MNIST_MEAN, MNIST_STD, normalizationTable, pixelPermutation, sequenceShape } from './sequence.js';

describe('sequenceShape', () => {
  it('gives rows × cols for the row view and rows·cols × 1 otherwise', () => {
    expect(sequenceShape('row', 28, 28)).toEqual([28, 28]);
    expect(sequenceShape('row', 3, 4)).toEqual([3, 4]);
    expect(sequenceShape('pixel', 28, 28)).toEqual([784, 1]);
    expect(sequenceShape('permuted', 3, 4)).toEqual([12, 1]);
    expect(() => sequenceShape('column' as 'row', 3, 4)).toThrow(
      "'view' passed to 'sequenceShape' must be one of 'row', 'pixel', 'permuted', got 'column'",
    );
  });
});

describe('pixelPermutation', () => {
  it('is a bijection of 0..783 equal to new Rng(seed).permutation(784)', () => {
    const p = pixelPermutation(7);
    expect(p.length).toBe(784);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 784 }, (_, i) => i));
    expect(Array.from(p)).toEqual(new Rng(7).permutation(784));
  });

  it('is fixed for a seed and differs between seeds', () => {
    expect(pixelPermutation(3)).toEqual(pixelPermutation(3));
    const a = pixelPermutation(3);
    const b = pixelPermutation(4);
    const same = a.filter((v, i) => v === b[i]).length;
    expect(same).toBeLessThan(20); // two random permutations share about one fixed point
    expect(a.filter((v, i) => v === i).length).toBeLessThan(20); // and it is not (close to) the identity
  });

  it('validates its arguments', () => {
    expect(() => pixelPermutation(Number.NaN)).toThrow("'seed' passed to 'pixelPermutation' must be a finite number");
    expect(() => pixelPermutation(1, 0)).toThrow("'n' passed to 'pixelPermutation' must be a positive integer, got 0");
  });
});

describe('normalizationTable', () => {
  it('maps bytes to (v/255 − 0.1307)/0.3081 by default', () => {
    const t = normalizationTable();
    expect(MNIST_MEAN).toBe(0.1307);
    expect(MNIST_STD).toBe(0.3081);
    // 0 → −0.1307/0.3081 and 255 → 0.8693/0.3081, worked by hand.
    expect(t[0]).toBeCloseTo(-0.4242129, 6);
    expect(t[255]).toBeCloseTo(2.8214865, 6);
    for (let v = 0; v < 256; v++) expect(t[v]).toBe(Math.fround((v / 255 - 0.1307) / 0.3081));
  });

  it('with mean 0 and std 1 is plain scaling to [0, 1]', () => {
    const t = normalizationTable(0, 1);
    expect(t[0]).toBe(0);
    expect(t[255]).toBe(1);
    expect(t[51]).toBeCloseTo(0.2, 7);
  });

  it('rejects a non-positive std', () => {
    expect(() => normalizationTable(0, 0)).toThrow(
      "'std' passed to 'normalizationTable' must be a positive number, got 0",
    );
  });
});
