import { describe, expect, it } from 'vitest';
import { stepDecayRate } from './schedule.js';

describe('stepDecayRate', () => {
  it('multiplies by 0.1 every 10 epochs by default', () => {
    expect(stepDecayRate(1e-2, 0)).toBe(1e-2);
    expect(stepDecayRate(1e-2, 9)).toBe(1e-2);
    expect(stepDecayRate(1e-2, 10)).toBeCloseTo(1e-3, 15);
    expect(stepDecayRate(1e-2, 19)).toBeCloseTo(1e-3, 15);
    expect(stepDecayRate(1e-2, 20)).toBeCloseTo(1e-4, 15);
  });
  it('keeps the rate with null decay and validates its arguments', () => {
    expect(stepDecayRate(0.5, 30, null)).toBe(0.5);
    expect(stepDecayRate(1, 4, { stepSize: 2, gamma: 0.5 })).toBe(0.25);
    expect(() => stepDecayRate(-1, 0)).toThrow(/'baseLr' passed to 'stepDecayRate'/);
    expect(() => stepDecayRate(1, 0, { stepSize: 0, gamma: 0.1 })).toThrow(/stepSize/);
  });
});
