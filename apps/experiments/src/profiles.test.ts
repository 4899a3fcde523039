import { describe, expect, it } from 'vitest';
import {
  PROFILES,
  PROFILE_NAMES,
  configId,
  dense,
  mnistConfigs,
  modelId,
  pmnistConfigs,
  speakerConfigs,
  tt,
  validateGrid,
  validateProfile,
} from './profiles.js';
import { validateModel } from './experiments/training_run.js';

describe('profiles', () => {
  it('are well-formed and give every configuration a unique, stable id', () => {
    for (const name of PROFILE_NAMES) {
      const p = PROFILES[name];
      expect(p.name).toBe(name);
      expect(() => validateProfile(p)).not.toThrow();
      const ids = [...mnistConfigs(p), ...pmnistConfigs(p), ...speakerConfigs(p)].map(configId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^[a-z0-9-]+$/);
      expect(p.scaledDown.length).toBeGreaterThan(0);
    }
  });

  it('quick is a strict scale-down of paper', () => {
    const q = PROFILES.quick;
    const p = PROFILES.paper;
    expect(q.mnist.settings.hidden).toBeLessThan(p.mnist.settings.hidden);
    expect(q.mnist.settings.epochs).toBeLessThan(p.mnist.settings.epochs);
    expect(mnistConfigs(q).length).toBeLessThan(mnistConfigs(p).length);
    expect(q.speaker.settings.hidden).toBeLessThan(p.speaker.settings.hidden);
  });

  it("paper uses the paper's MNIST settings and the full TT grid", () => {
    const p = PROFILES.paper;
    expect(p.mnist.settings).toMatchObject({
      hidden: 256,
      epochs: 20,
      batch: 128,
      lr: 1e-2,
      lrDecayEvery: 10,
      trainLimit: 0,
    });
    const ids = mnistConfigs(p).map(configId);
    expect(ids).toContain('mnist-lstm');
    expect(ids).toContain('mnist-gru');
    expect(ids).toContain('mnist-ttgru-c4-r10');
    expect(ids.length).toBe(2 + 2 * 3 * 6);
    expect(p.speaker.settings).toMatchObject({
      hidden: 768,
      embedding: 256,
      speakersPerBatch: 16,
      utterancesPerSpeaker: 32,
    });
  });

  it('runs permuted pixel MNIST as its own experiment, dense LSTM and TT-LSTM, under ids of its own', () => {
    for (const name of PROFILE_NAMES) {
      const ids = pmnistConfigs(PROFILES[name]).map(configId);
      expect(ids.slice(0, 2)).toEqual(['pmnist-lstm', 'pmnist-ttlstm-c2-r4']);
      expect(pmnistConfigs(PROFILES[name]).every((c) => c.experiment === 'pmnist')).toBe(true);
    }
    const q = PROFILES.quick.pmnist.settings;
    const p = PROFILES.paper.pmnist.settings;
    expect(p).toMatchObject({ hidden: 256, epochs: 20, trainLimit: 0, testLimit: 0 });
    expect(q.hidden).toBeLessThan(p.hidden);
    expect(q.trainLimit).toBeGreaterThan(0);
    expect(PROFILES.quick.scaledDown.some((l) => l.startsWith('Permuted pixel MNIST'))).toBe(true);
    const bad = { ...PROFILES.quick, pmnist: { ...PROFILES.quick.pmnist, settings: { ...q, hidden: 0 } } };
    expect(() => validateProfile(bad)).toThrow(
      "profile quick: pmnist-lstm: 'hidden' passed to 'runMnist' must be an integer from 1 to 4096, got 0",
    );
  });

  it('shares the 100% speaker runs between the main table and the data-efficiency curve', () => {
    const ids = speakerConfigs(PROFILES.quick).map(configId);
    expect(ids.filter((i) => i === 'speaker-lstm')).toHaveLength(1);
    expect(ids).toContain('speaker-lstm-f20');
  });

  it('names models readably and stably', () => {
    expect(modelId(dense('lstm'))).toBe('lstm');
    expect(modelId({ cell: 'gru', tt: { cores: 3, rank: 4, extraCore: 'first', naive: false } })).toBe(
      'ttgru-c3-r4-first',
    );
    expect(modelId({ cell: 'lstm', tt: { cores: 2, rank: 2, extraCore: 'none', naive: true } })).toBe(
      'ttlstm-c2-r2-naive',
    );
  });

  it('rejects impossible grids and models, naming the field', () => {
    expect(() => validateGrid({ models: ['lstm'], cores: [0], ranks: [2] }, 'grid')).toThrow(
      /'config.tt.cores' passed to 'grid' must be a positive integer, got 0/,
    );
    expect(() => validateGrid({ models: ['lstm'], cores: [2], ranks: [0] }, 'grid')).toThrow(
      /'config.tt.rank' passed to 'grid' must be a positive integer, got 0/,
    );
    expect(() => validateGrid({ models: ['rnn' as 'lstm'], cores: [2], ranks: [1] }, 'grid')).toThrow(
      /'config.cell' passed to 'grid' must be one of 'lstm', 'gru', got 'rnn'/,
    );
    expect(() => validateGrid({ models: [], cores: [2], ranks: [1] }, 'grid')).toThrow(/the grid names no model/);
    expect(() => validateModel(tt('lstm', 2, 1.5), 'm')).toThrow(
      /'config.tt.rank' passed to 'm' must be a positive integer, got 1.5/,
    );
    expect(() =>
      validateModel({ cell: 'lstm', tt: { cores: 2, rank: 2, extraCore: 'first', naive: true } }, 'm'),
    ).toThrow(/'config.tt.extraCore' .* must be 'none' with the naive layout/);
    const bad = {
      ...PROFILES.quick,
      speaker: { ...PROFILES.quick.speaker, dataEfficiency: { models: [dense('lstm')], fractions: [0] } },
    };
    expect(() => validateProfile(bad)).toThrow(
      "profile quick: speaker-lstm-f0: 'trainFraction' passed to 'runSpeaker' must be a finite number greater than 0 and at most 1, got 0",
    );
  });
});
