import { describe, expect, it } from 'vitest';
import { countParams } from './count_params.js';
import type { ModelConfig } from './model_config.js';

const RANKS = [1, 2, 4, 8, 16];

// The tables of the reference README (the original's counts: sequence
// classifier, input 28, hidden 256, 1 layer, 10 classes, TT head included).
const TT_LSTM: [string, number, 'none' | 'first' | 'last', boolean, number[]][] = [
  ['2 cores', 2, 'none', false, [3546, 5034, 8010, 13962, 25866]],
  ['2 cores, extra core first', 2, 'first', false, [2866, 4314, 9130, 26442, 91786]],
  ['2 cores, extra core last', 2, 'last', false, [2866, 4410, 9706, 29130, 103306]],
  ['2 cores, naive', 2, 'none', true, [2874, 5738, 11466, 22922, 45834]],
  ['3 cores', 3, 'none', false, [2486, 3106, 4922, 10858, 31946]],
  ['4 cores', 4, 'none', false, [2274, 2658, 3930, 8490, 25674]],
];
const TT_GRU: [string, number, 'none' | 'first' | 'last', boolean, number[]][] = [
  ['2 cores', 2, 'none', false, [2874, 4202, 6858, 12170, 22794]],
  ['2 cores, extra core first', 2, 'first', false, [2352, 3798, 8610, 25914, 91242]],
  ['2 cores, naive', 2, 'none', true, [3722, 5898, 10250, 18954, 36362]],
  ['3 cores', 3, 'none', false, [1914, 2474, 4170, 9866, 30474]],
  ['4 cores', 4, 'none', false, [1750, 2098, 3226, 7210, 22090]],
];

function mnist(cell: 'lstm' | 'gru', tt: ModelConfig['tt']): ModelConfig {
  return { task: 'classifier', cell, tt, inputSize: 28, hiddenSize: 256, layers: 1, outputSize: 10 };
}

describe('countParams', () => {
  it('reproduces the dense baselines 294,410 (LSTM) and 222,218 (GRU)', () => {
    expect(countParams(mnist('lstm', null))).toMatchObject({ params: 294410, paramsPaper: 294410 });
    expect(countParams(mnist('gru', null))).toMatchObject({ params: 222218, paramsPaper: 222218 });
  });

  for (const [cell, table, gh] of [
    ['lstm', TT_LSTM, 1024],
    ['gru', TT_GRU, 768],
  ] as const) {
    describe.each(table)(`TT-${cell.toUpperCase()} %s`, (_label, cores, extraCore, naive, expected) => {
      it.each(RANKS.map((r, i) => [r, expected[i]!]))('rank %i: %i parameters', (rank, params) => {
        const count = countParams(mnist(cell, { cores, rank, extraCore, naive }));
        expect(count.params).toBe(params);
        // The notebooks leave out the input-TT bias (naive TT-LSTM has none to leave out).
        expect(count.params - count.paramsPaper).toBe(naive && cell === 'lstm' ? 0 : gh);
      });
    });
  }

  it('lists every matrix with its TT shape', () => {
    const count = countParams({ ...mnist('lstm', { cores: 2, rank: 2, extraCore: 'first', naive: false }), layers: 2 });
    expect(count.matrices.map((m) => m.name)).toEqual([
      'rnn.cell0.input_weights',
      'rnn.cell0.hidden_weights',
      'rnn.cell1.input_weights',
      'rnn.cell1.hidden_weights',
      'head',
    ]);
    expect(count.matrices[0]!.tt).toEqual({ inModes: [1, 4, 7], outModes: [4, 16, 16], ranks: [1, 2, 2, 1] });
    expect(count.matrices[2]!.tt).toEqual({ inModes: [1, 16, 16], outModes: [4, 16, 16], ranks: [1, 2, 2, 1] });
    expect(count.matrices[4]!.tt).toEqual({ inModes: [16, 16], outModes: [2, 5], ranks: [1, 2, 1] });
    expect(count.paramsPaper).toBe(count.params - 2 * 1024);
  });

  it('counts the speaker encoder as the original (GE2E scale and offset in params) and as the notebooks (in neither bias nor scalars)', () => {
    const speaker = (tt: ModelConfig['tt'], layers = 1): ModelConfig => ({
      task: 'speaker',
      cell: 'lstm',
      tt,
      inputSize: 40,
      hiddenSize: 768,
      layers,
      outputSize: 256,
    });
    // Dense: 40·3072 + 768·3072 + 3072 + 768·256 + 256 + 2 (the paper's 2.68M).
    expect(countParams(speaker(null)).params).toBe(40 * 3072 + 768 * 3072 + 3072 + 768 * 256 + 256 + 2);
    // 2 cores rank 2: input [5,8]→[48,64], hidden [24,32]→[48,64], head [24,32]→[16,16]; paper: about 13k.
    const tt = countParams(speaker({ cores: 2, rank: 2, extraCore: 'none', naive: false }));
    const expected =
      48 * 5 * 2 + 2 * 64 * 8 + (48 * 24 * 2 + 2 * 64 * 32) + 2 * 3072 + (16 * 24 * 2 + 2 * 16 * 32) + 256 + 2;
    expect(tt.params).toBe(expected);
    // The authors' notebooks: no input-TT bias and no GE2E scalars (their logged 13,024 and 2,682,112).
    expect(tt.paramsPaper).toBe(expected - 3072 - 2);
    expect(tt.paramsPaper).toBe(13_024);
    expect(countParams(speaker(null)).paramsPaper).toBe(2_682_112);
    expect(countParams(speaker({ cores: 2, rank: 2, extraCore: 'none', naive: false }, 3)).params).toBe(
      expected + 2 * ((48 * 24 * 2 + 2 * 64 * 32) * 2 + 2 * 3072),
    );
  });

  it('rejects bad configurations with the field named', () => {
    expect(() => countParams({ ...mnist('lstm', { cores: 2, rank: 0, extraCore: 'none', naive: false }) })).toThrow(
      /'config.tt.rank' passed to 'countParams' must be a positive integer, got 0/,
    );
    expect(() =>
      countParams({ ...mnist('lstm', { cores: 2, rank: 2, extraCore: 'middle' as 'none', naive: false }) }),
    ).toThrow(/config.tt.extraCore.*'none', 'first', 'last', got 'middle'/);
    expect(() => countParams({ ...mnist('lstm', { cores: 2, rank: 2, extraCore: 'first', naive: true }) })).toThrow(
      /naive/,
    );
    expect(() => countParams({ ...mnist('lstm', null), hiddenSize: 0 })).toThrow(/config.hiddenSize/);
    expect(() => countParams({ ...mnist('lstm', null), cell: 'rnn' as 'lstm' })).toThrow(/config.cell/);
    expect(() => countParams({ ...mnist('lstm', null), extra: 1 } as ModelConfig)).toThrow(/unknown field 'extra'/);
  });
});
