import { describe, expect, it } from 'vitest';
import { curveFromMetrics } from './curve.js';

describe('curveFromMetrics', () => {
  const lines = [
    ...Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({ type: 'step', step: i + 1, loss: 10 - i, accuracy: i / 10 }),
    ),
    JSON.stringify({ type: 'epoch', epoch: 1, step: 10, trainLoss: 5, valLoss: 4, valAccuracy: 0.5 }),
    'not json',
    JSON.stringify({ type: 'step', step: 11, loss: null }),
  ].join('\n');

  it('averages step records over windows and keeps every validation record', () => {
    const c = curveFromMetrics(lines, 5, 1);
    const train = c.filter((p) => p.trainLoss !== undefined);
    // 11 step records in windows of 3: steps 1–3, 4–6, 7–9, 10–11 (step 11 has no finite loss).
    expect(train.map((p) => p.step)).toEqual([3, 6, 9, 11]);
    expect(train[0]!.trainLoss).toBeCloseTo((10 + 9 + 8) / 3);
    expect(train[3]!.trainLoss).toBeCloseTo(1);
    expect(train[0]!.trainAccuracy).toBeCloseTo(0.1);
    const val = c.filter((p) => p.validationAccuracy !== undefined);
    expect(val).toEqual([{ step: 10, epoch: 1, validationLoss: 4, validationAccuracy: 0.5 }]);
    for (let i = 1; i < c.length; i++) expect(c[i]!.step).toBeGreaterThanOrEqual(c[i - 1]!.step);
  });

  it('never averages fewer than minWindow steps', () => {
    const train = curveFromMetrics(lines, 25, 4).filter((p) => p.trainLoss !== undefined);
    expect(train.map((p) => p.step)).toEqual([4, 8, 11]);
  });

  it('returns nothing for an empty file', () => {
    expect(curveFromMetrics('')).toEqual([]);
  });
});
