import { describe, expect, it } from 'vitest';
import { compressionRatio, fusedGateShape, ttMatrixShape, ttParamCount, validateTTShape } from './tt_shape.js';

describe('TT shapes', () => {
  it('counts parameters as the sum of core sizes', () => {
    const s = { inModes: [2, 3, 2], outModes: [3, 2, 2], ranks: [1, 2, 3, 1] };
    // 1·3·2·2 + 2·2·3·3 + 3·2·2·1 = 12 + 36 + 12
    expect(ttParamCount(s)).toBe(60);
    expect(compressionRatio(s)).toBeCloseTo(144 / 60);
  });

  it('lays out the fused gates as the original (extraCore none/first/last)', () => {
    const base = { inputSize: 28, hiddenSize: 256, gates: 4, cores: 2, rank: 2 };
    expect(fusedGateShape(base)).toEqual({ inModes: [4, 7], outModes: [32, 32], ranks: [1, 2, 1] });
    expect(fusedGateShape({ ...base, extraCore: 'first' })).toEqual({
      inModes: [1, 4, 7],
      outModes: [4, 16, 16],
      ranks: [1, 2, 2, 1],
    });
    expect(fusedGateShape({ ...base, extraCore: 'last' })).toEqual({
      inModes: [4, 7, 1],
      outModes: [16, 16, 4],
      ranks: [1, 2, 2, 1],
    });
    expect(ttMatrixShape(256, 10, 2, 2)).toEqual({ inModes: [16, 16], outModes: [2, 5], ranks: [1, 2, 1] });
  });

  it('rejects inconsistent shapes and bad options with named arguments', () => {
    expect(() => validateTTShape({ inModes: [2, 3], outModes: [2], ranks: [1, 2, 1] }, 'f')).toThrow(
      "'outModes' passed to 'f' must have as many modes as inModes (2), got 1",
    );
    expect(() => validateTTShape({ inModes: [2, 3], outModes: [2, 2], ranks: [1, 2, 2] }, 'f')).toThrow(
      /start and end with 1/,
    );
    expect(() => validateTTShape({ inModes: [2, 0], outModes: [2, 2], ranks: [1, 2, 1] }, 'f')).toThrow(
      "'inModes[1]' passed to 'f' must be an integer >= 1, got 0",
    );
    expect(() => fusedGateShape({ inputSize: 28, hiddenSize: 256, gates: 4, cores: 2, rank: 0 })).toThrow(
      "'rank' passed to 'fusedGateShape' must be a positive integer, got 0",
    );
    expect(() =>
      fusedGateShape({ inputSize: 28, hiddenSize: 256, gates: 4, cores: 2, rank: 2, extraCore: 'middle' as never }),
    ).toThrow(/'extraCore' passed to 'fusedGateShape' must be 'none', 'first' or 'last', got 'middle'/);
  });
});
