import { describe, expect, it } from 'vitest';
import { fusedGateShape, ttMatmulCost } from '@ttrnn/tt';
import {
  chooseKernelTTMethod,
  chooseTTMethod,
  contractionTraffic,
  estimateProductTime,
  kernelContractFlops,
  rebuildTraffic,
} from './product_cost.js';

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

describe('the kernels’ product for a TT recurrent map', () => {
  it('counts the per-step contraction of the kernels (last core first)', () => {
    // 2 cores [16, 16] → [32, 32]: Z_1 = h [·, 16]·C_1ᵀ (16·r·32 per input index n_0 = 16 of them),
    // then C_0 [32, 16·r] times each [16·r, 32] block: (8,192 + 16,384)·r multiply-adds per row.
    for (const r of [1, 2, 8]) expect(kernelContractFlops(hidden(2, r), 3)).toBe(2 * 3 * 24576 * r);
    // 3 cores n = [2, 3, 4], m = [5, 1, 2], ranks [1, 2, 3, 1]: per row
    // k = 2: n0·n1 · r2·m2·n2·1 · 1 = 6·24 = 144; k = 1: n0 · r1·m1·n1·r2 · m2 = 2·18·2 = 72; k = 0: m0·n0·r1 · m1·m2 = 5·2·2 · 2 = 40.
    expect(kernelContractFlops({ inModes: [2, 3, 4], outModes: [5, 1, 2], ranks: [1, 2, 3, 1] }, 1)).toBe(2 * 256);
  });

  it('contracts per step where that needs fewer FLOPs, for training (4 contractions, or 2 and dW) or inference', () => {
    const pick = (r: number, mode: 'auto' | 'per-step' | 'rebuilt', training: boolean) => {
      const c = chooseKernelTTMethod(hidden(2, r), 128, mode, training);
      return c.method === 'per-step' ? `per-step/${c.ttGradient}` : c.method;
    };
    expect(pick(2, 'auto', true)).toBe('per-step/cores');
    expect(pick(4, 'auto', true)).toBe('per-step/cores');
    expect(pick(8, 'auto', true)).toBe('per-step/w');
    expect(pick(8, 'auto', false)).toBe('per-step/w');
    expect(pick(16, 'auto', true)).toBe('rebuilt');
    expect(pick(16, 'auto', false)).toBe('rebuilt');
    expect(pick(16, 'per-step', true)).toBe('per-step/w');
    expect(pick(1, 'rebuilt', true)).toBe('rebuilt');
  });
});
