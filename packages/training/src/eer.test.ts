import { describe, expect, it } from 'vitest';
import { Rng } from '@ttrnn/random';
import { equalErrorRate, rocCurve } from './eer.js';

/** Standard normal CDF from erfc (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-z * z);
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

describe('rocCurve', () => {
  it('groups tied scores into one point and starts at (0, 0)', () => {
    const roc = rocCurve([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0]);
    expect(Array.from(roc.fpr)).toEqual([0, 0, 0.5, 1]);
    expect(Array.from(roc.tpr)).toEqual([0, 0.5, 1, 1]);
    expect(roc.thresholds[0]).toBe(Infinity);
  });
  it('rejects one-class labels and mismatched lengths', () => {
    expect(() => rocCurve([1, 2], [1, 1])).toThrow(/both genuine and impostor/);
    expect(() => rocCurve([1, 2], [1])).toThrow(/'labels' passed to 'rocCurve'/);
    expect(() => equalErrorRate([NaN, 1], [1, 0])).toThrow(/must be finite/);
  });
});

describe('equalErrorRate', () => {
  it('is 0 for separated scores and 1 for inverted ones', () => {
    expect(equalErrorRate([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0]).eer).toBe(0);
    expect(equalErrorRate([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]).eer).toBe(1);
  });
  it('interpolates along a diagonal segment made by a tie', () => {
    // Points (0,0), (0,.5), (.5,1), (1,1): on the segment tpr = .5 + fpr, fpr = 1 − tpr at fpr = .25.
    const r = equalErrorRate([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0]);
    expect(r.eer).toBeCloseTo(0.25, 12);
    expect(r.threshold).toBeCloseTo(0.7, 12);
  });
  it('finds the crossing on a vertical segment', () => {
    // Scores 4n 3p 2n 1p: points (0,0), (.5,0), (.5,.5), (1,.5), (1,1); FA = FR = .5 at threshold 3 > t ≥ 2.
    expect(equalErrorRate([4, 3, 2, 1], [0, 1, 0, 1]).eer).toBeCloseTo(0.5, 12);
  });
  it('matches the closed form for two unit Gaussians', () => {
    const rng = new Rng(7);
    const n = 20000;
    const delta = 2;
    const scores = [...rng.normalArray(n, delta / 2, 1), ...rng.normalArray(n, -delta / 2, 1)];
    const labels = [...new Array<number>(n).fill(1), ...new Array<number>(n).fill(0)];
    const { eer, threshold } = equalErrorRate(scores, labels);
    // Equal variances: the crossing is at the midpoint, EER = Φ(−Δ/2).
    expect(Math.abs(eer - normalCdf(-delta / 2))).toBeLessThan(0.01);
    expect(Math.abs(threshold)).toBeLessThan(0.05);
  });
});
