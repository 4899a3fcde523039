import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMetrics } from '@ttrnn/training/node';
import { QUICK_PROFILE, stabilityConfigs } from '../profiles.js';
import type { StabilityConfig } from '../profiles.js';
import { clock, tempDirs } from '../test_util/run.js';
import { CHANCE, runStability, stabilityOutcome } from './stability.js';

const tempDir = tempDirs('stability');

const run = { params: 10, paramsPaper: 9, steps: 30, trainSeconds: 1, maxTrainLoss: 2.31 };

describe('stabilityOutcome', () => {
  it('takes the last and the best epoch, and counts nothing as diverged in a run that learns', () => {
    const o = stabilityOutcome(
      [
        { valAccuracy: 0.6, trainLoss: 1.2 },
        { valAccuracy: 0.8, trainLoss: 0.7 },
        { valAccuracy: 0.75, trainLoss: 0.6 },
      ],
      { ...run, stoppedByNaN: false },
    );
    expect(o).toMatchObject({
      finalAccuracy: 0.75,
      bestAccuracy: 0.8,
      finalTrainLoss: 0.6,
      diverged: null,
      epochAccuracies: [0.6, 0.8, 0.75],
    });
  });

  it('counts a non-finite stop as diverged with chance as its final accuracy, keeping the best epoch before it', () => {
    const o = stabilityOutcome([{ valAccuracy: 0.4, trainLoss: 1.9 }], { ...run, stoppedByNaN: true });
    expect(o).toMatchObject({ diverged: 'nan', finalAccuracy: CHANCE, bestAccuracy: 0.4 });
    expect(stabilityOutcome([], { ...run, stoppedByNaN: true })).toMatchObject({
      diverged: 'nan',
      finalAccuracy: CHANCE,
      bestAccuracy: CHANCE,
      finalTrainLoss: null,
    });
  });

  it('tells a run that blew up and ended at chance from one that learns slowly', () => {
    const stuck = stabilityOutcome(
      [
        { valAccuracy: 0.3, trainLoss: 5 },
        { valAccuracy: 0.098, trainLoss: 2.303 },
      ],
      { ...run, stoppedByNaN: false, maxTrainLoss: 14 },
    );
    expect(stuck).toMatchObject({ diverged: 'chance', finalAccuracy: 0.098, bestAccuracy: 0.3 });
    // The same accuracies, but the loss never rose above its start: slow, not diverged.
    const slow = stabilityOutcome(
      [
        { valAccuracy: 0.3, trainLoss: 2.29 },
        { valAccuracy: 0.098, trainLoss: 2.3 },
      ],
      { ...run, stoppedByNaN: false, maxTrainLoss: 2.31 },
    );
    expect(slow.diverged).toBeNull();
    // Blew up but recovered: not diverged either.
    expect(
      stabilityOutcome([{ valAccuracy: 0.6, trainLoss: 1 }], { ...run, stoppedByNaN: false, maxTrainLoss: 14 })
        .diverged,
    ).toBeNull();
  });
});

describe('runStability', () => {
  it('trains a configuration of the quick grid on real MNIST and summarises its epochs', async () => {
    const runDir = tempDir();
    const base = stabilityConfigs(QUICK_PROFILE).find((c) => c.tt !== null && c.cell === 'lstm' && c.lr === 1e-2)!;
    const config: StabilityConfig = { ...base, hidden: 16, epochs: 2, trainLimit: 256, testLimit: 128 };
    const o = await runStability(config, { id: 'x', runDir }, { now: clock() });
    const metrics = readMetrics(join(runDir, 'metrics.jsonl'));
    const epochs = metrics.filter((l) => l['type'] === 'epoch');
    expect(o.epochAccuracies).toEqual(epochs.map((e) => e['valAccuracy']));
    expect(o.finalAccuracy).toBe(epochs[1]!['valAccuracy']);
    expect(o.bestAccuracy).toBe(Math.max(...o.epochAccuracies));
    expect(o.steps).toBe(4);
    const losses = metrics.filter((l) => l['type'] === 'step').map((l) => l['loss'] as number);
    expect(o.maxTrainLoss).toBe(Math.max(...losses));
    expect(o.params).toBeGreaterThan(0);
  });
});
