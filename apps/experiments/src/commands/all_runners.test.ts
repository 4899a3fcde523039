import { describe, expect, it } from 'vitest';
import { PAPER_DENSE_PARAMS, paperParams } from '../paper_results.js';
import { mnistOptionsFromSweep, resolveMnistOptions } from '../experiments/mnist_run.js';
import { resolveSpeakerOptions, speakerOptionsFromSweep } from '../experiments/speaker_run.js';
import { PROFILES, QUICK_PROFILE, mnistConfigs, speakerConfigs } from '../profiles.js';
import { computeParamsTables } from './all_runners.js';

describe('computeParamsTables', () => {
  const t = computeParamsTables(QUICK_PROFILE);

  it("reproduces every count of the original's tables, and the dense baselines", () => {
    expect(t.dense).toEqual(PAPER_DENSE_PARAMS);
    let compared = 0;
    for (const row of t.rows) {
      for (const c of row.counts) {
        const orig = paperParams(row, c.rank);
        if (orig === undefined) continue;
        expect(
          c.params,
          `${row.model} ${row.cores} cores ${row.extraCore}${row.naive ? ' naive' : ''} rank ${c.rank}`,
        ).toBe(orig);
        compared++;
      }
    }
    expect(compared).toBe(11 * 5);
  });

  it('counts one bias (G·H) fewer in the paper convention for fused TT layouts', () => {
    for (const row of t.rows.filter((r) => !r.naive)) {
      for (const c of row.counts) expect(c.params - c.paramsPaper).toBe((row.model === 'lstm' ? 4 : 3) * 256);
    }
  });
});

describe('profiles and the training entry points', () => {
  it('every configuration of every profile is accepted by runMnist / runSpeaker', () => {
    for (const p of Object.values(PROFILES)) {
      for (const c of mnistConfigs(p)) {
        const o = resolveMnistOptions(mnistOptionsFromSweep(c, { runDir: '/nonexistent' }));
        expect(o).toMatchObject({ hidden: c.hidden, epochs: c.epochs, lr: c.lr, trainLimit: c.trainLimit });
      }
      for (const c of speakerConfigs(p)) {
        const o = resolveSpeakerOptions(speakerOptionsFromSweep(c, { runDir: '/nonexistent' }));
        expect(o).toMatchObject({
          hidden: c.hidden,
          steps: c.steps,
          speakers: c.speakersPerBatch,
          trainFraction: c.trainFraction,
          size: c.corpus,
        });
      }
    }
  });
});
