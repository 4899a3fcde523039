import { describe, expect, it } from 'vitest';
import { fusedGateShape, ttMatmulCost } from '@ttrnn/tt';
import { chooseTTMethod, contractionTraffic, estimateProductTime, rebuildTraffic } from './product_cost.js';

const hidden = (cores: number, rank: number) =>
  fusedGateShape({ inputSize: 256, hiddenSize: 256, gates: 4, cores, rank });

describe('product cost', () => {
  it('per-step and rebuilt are forced; auto follows the estimate', () => {
    const s = hidden(2, 8);
    expect(chooseTTMethod([s], 128, 27, 'per-step')).toBe('per-step');
    expect(chooseTTMethod([s], 128, 27, 'rebuilt')).toBe('rebuilt');
    const e = estimateProductTime([s], 128, 27);
    expect(chooseTTMethod([s], 128, 27, 'auto')).toBe(e.rebuild <= e.contract ? 'rebuilt' : 'per-step');
  });

  it('rank 1 contracts the hidden product per step, rank 16 rebuilds W; the long input product rebuilds', () => {
    expect(chooseTTMethod([hidden(2, 1)], 128, 27, 'auto')).toBe('per-step');
    expect(chooseTTMethod([hidden(2, 16)], 128, 27, 'auto')).toBe('rebuilt');
    const input = fusedGateShape({ inputSize: 28, hiddenSize: 256, gates: 4, cores: 2, rank: 2 });
    expect(chooseTTMethod([input], 128 * 28, 1, 'auto')).toBe('rebuilt');
    // A single step with one row: rebuilding a 256×1024 W is not worth it.
    expect(chooseTTMethod([hidden(2, 2)], 1, 1, 'auto')).toBe('per-step');
  });

  it('traffic grows with the rank and the batch; the op overhead counts', () => {
    expect(contractionTraffic(hidden(2, 8), 128)).toBeGreaterThan(contractionTraffic(hidden(2, 2), 128));
    expect(contractionTraffic(hidden(2, 2), 256)).toBeGreaterThan(contractionTraffic(hidden(2, 2), 128));
    expect(rebuildTraffic(hidden(2, 8))).toBeGreaterThan(0);
    const s = hidden(4, 2);
    const noOverhead = estimateProductTime([s], 2, 10, 20e9, 3e-9, 0);
    const withOverhead = estimateProductTime([s], 2, 10);
    // 6d + 1 ops per prepared contraction, plus 2d to prepare the cores once.
    const d = s.inModes.length;
    expect(ttMatmulCost(s, 2).contract.ops).toBe(8 * d + 1);
    expect(withOverhead.contract - noOverhead.contract).toBeCloseTo((10 * (6 * d + 1) + 2 * d) * 4e-6, 9);
  });
});
