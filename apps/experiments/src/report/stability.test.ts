import { describe, expect, it } from 'vitest';
import { QUICK_PROFILE, stabilityConfigs } from '../profiles.js';
import type { RunRecord, StabilityOutcome } from './results.js';
import type { StabilityConfig } from '../profiles.js';
import { renderStability, stabilityRows } from './stability.js';
import { renderSvg } from './svg.js';

function outcome(final: number, best: number, diverged: StabilityOutcome['diverged'] = null): StabilityOutcome {
  return {
    params: 1234,
    paramsPaper: 1200,
    epochAccuracies: [best, final],
    finalAccuracy: final,
    bestAccuracy: best,
    finalTrainLoss: 1,
    maxTrainLoss: 3,
    diverged,
    steps: 75,
    trainSeconds: 3,
  };
}

const configs = stabilityConfigs(QUICK_PROFILE);
const lstm = (lr: number, seed: number): StabilityConfig =>
  configs.find((c) => c.cell === 'lstm' && c.tt === null && c.lr === lr && c.seed === seed)!;
const ttlstm = (lr: number, seed: number): StabilityConfig =>
  configs.find((c) => c.cell === 'lstm' && c.tt !== null && c.lr === lr && c.seed === seed)!;
const rec = (config: StabilityConfig, o: StabilityOutcome): RunRecord<StabilityConfig, StabilityOutcome> => ({
  id: 'x',
  config,
  status: 'done',
  reused: false,
  seconds: 1,
  outcome: o,
});

const records = [
  rec(lstm(1e-2, 1), outcome(0.9, 0.92)),
  rec(lstm(1e-2, 2), outcome(0.8, 0.84)),
  rec(lstm(1e-2, 3), outcome(0.7, 0.8)),
  rec(lstm(1e-1, 1), outcome(0.1, 0.5, 'nan')),
  rec(lstm(1e-1, 2), outcome(0.1, 0.1, 'chance')),
  rec(ttlstm(1e-1, 1), outcome(0.6, 0.6)),
  { id: 'y', config: ttlstm(1e-1, 2), status: 'failed', reused: false, seconds: 1, error: 'boom' } as RunRecord<
    StabilityConfig,
    StabilityOutcome
  >,
];

describe('stability report', () => {
  it('groups runs by model and learning rate: mean ± sample sd over seeds, diverged counts, failed runs left out', () => {
    const rows = stabilityRows(records);
    expect(rows.map((r) => [r.model.tt?.cores ?? 0, r.lr, r.runs, r.nan, r.chance])).toEqual([
      [0, 1e-2, 3, 0, 0],
      [0, 1e-1, 2, 1, 1],
      [2, 1e-1, 1, 0, 0],
    ]);
    // 0.9, 0.8, 0.7: mean 0.8, sd 0.1; best 0.92, 0.84, 0.8: mean 0.52/0.6.
    expect(rows[0]!.final.mean).toBeCloseTo(0.8, 12);
    expect(rows[0]!.final.sd).toBeCloseTo(0.1, 12);
    expect(rows[0]!.best.mean).toBeCloseTo(0.853333333333, 9);
    expect(rows[2]!.final.sd).toBe(0);
  });

  it('writes the table, the headline and one figure per cell kind with a band per model', async () => {
    const { lines, images, headline } = renderStability(records);
    const md = lines.join('\n');
    expect(md).toContain('| LSTM | 1e-2 | 80.0 ± 10.0% | 85.3 ± 6.1% | 0 (0 + 0) / 3 | 1,234 |');
    expect(md).toContain('| LSTM | 1e-1 | 10.0 ± 0.0% | 30.0 ± 28.3% | 2 (1 + 1) / 2 | 1,234 |');
    expect(headline).toContain(
      'Stability, LSTM: no diverged run at 1e-2; best mean final accuracy 80.0 ± 10.0% at 1e-2.',
    );
    expect(Object.keys(images)).toEqual(['stability_lstm.svg']);
    const svg = await renderSvg(images['stability_lstm.svg']!);
    // One band (area) per model: LSTM and TT-LSTM.
    expect(svg.match(/class="mark-area role-mark[^"]*"/g)).toHaveLength(2);
    expect(svg).toContain('TT-LSTM 2 cores rank 2');
  });
});
