/**
 * A small, hand-made results object for tests of the report (numbers invented, shaped like a real run).
 */
import { protocolDifferences } from '../differences.js';
import { QUICK_PROFILE, configId, dense, mnistConfigs, pmnistConfigs, speakerConfigs, tt } from '../profiles.js';
import type { ExperimentConfig } from '../profiles.js';
import type { MnistOutcome, ResultsFile, SpeakerOutcome } from './results.js';

function mnistOutcome(params: number, acc: number): MnistOutcome {
  return {
    params,
    paramsPaper: params - 512,
    validationAccuracy: acc + 0.002,
    testAccuracy: acc,
    curve: [
      {
        step: 47,
        epoch: 1,
        trainLoss: 0.9,
        trainAccuracy: acc - 0.2,
        validationLoss: 0.7,
        validationAccuracy: acc - 0.1,
      },
      { step: 94, epoch: 2, trainLoss: 0.4, trainAccuracy: acc - 0.05, validationLoss: 0.35, validationAccuracy: acc },
    ],
    gradNorms: Array.from({ length: 20 }, (_, i) => (params > 100_000 ? 0.01 : 0.8) * (1 + i / 20)),
    trainSeconds: 12.5,
    stepMs: 130,
  };
}

function speakerOutcome(params: number, eer: number): SpeakerOutcome {
  return {
    params,
    paramsPaper: params - 400,
    validationEer: eer + 0.01,
    testEer: eer,
    curve: [
      { step: 10, trainLoss: 3, trainEer: 0.4, validationEer: 0.42 },
      { step: 20, trainLoss: 2.5, trainEer: 0.3, validationEer: 0.33 },
    ],
    gradNorms: Array.from({ length: 10 }, (_, i) => (params > 100_000 ? 1e-3 : 1) * (1 + i / 10)),
    trainSeconds: 30,
    testSpeakers: 8,
    testUtterances: 96,
  };
}

/** A finished run of a configuration. */
const finished = <C extends ExperimentConfig, O>(config: C, outcome: O, seconds: number, reused = false) =>
  ({ id: configId(config), config, status: 'done', reused, outcome, seconds }) as const;

/** A results object covering every section: one MNIST run failed, everything else finished. */
export function fixtureResults(): ResultsFile {
  const mnist = mnistConfigs(QUICK_PROFILE).map((config, i) => {
    const dense = config.tt === null;
    if (configId(config) === 'mnist-ttlstm-c3-r4')
      return {
        id: configId(config),
        config,
        status: 'failed' as const,
        reused: false,
        error: 'out of | memory',
        seconds: 3,
      };
    const outcome = mnistOutcome(dense ? 100_000 + 1000 * i : 2000 + 700 * i, dense ? 0.95 : 0.9 + i * 0.004);
    return finished(config, outcome, 12, i % 2 === 0);
  });
  const pmnist = pmnistConfigs(QUICK_PROFILE).map((config) => {
    const outcome = mnistOutcome(config.tt === null ? 17_226 : 1_898, config.tt === null ? 0.31 : 0.26);
    return finished(config, { ...outcome, maxRssMiB: 900 + (config.tt?.cores ?? 0) }, 40);
  });
  // Its own speaker grid, so the fixture does not change when the quick profile is retuned.
  const speakerProfile = {
    ...QUICK_PROFILE,
    speaker: {
      ...QUICK_PROFILE.speaker,
      models: [dense('lstm'), tt('lstm', 2, 2), tt('lstm', 4, 4)],
      dataEfficiency: { models: [dense('lstm'), tt('lstm', 2, 2)], fractions: [0.2, 0.6, 1] },
    },
  };
  const speaker = speakerConfigs(speakerProfile).map((config) => {
    const eer = 0.1 + (1 - config.trainFraction) * 0.1 + (config.tt === null ? 0.03 : 0);
    return finished(config, speakerOutcome(config.tt === null ? 300_000 : 5000 + config.tt.rank * 100, eer), 30);
  });
  return {
    version: 1,
    environment: {
      backend: 'wasm',
      tfjsVersion: '4.22.0',
      cpuModel: 'Test CPU',
      cpuCores: 2,
      loadAverage: 0.5,
      nodeVersion: 'v20.20.2',
      platform: 'linux x64',
      profile: 'quick',
      run: 'fixture',
      date: '2026-01-02T03:04:05.000Z',
      command: 'pnpm run exp all',
      seeds: { mnist: 1, speaker: 1 },
    },
    protocol: { name: 'authors', speakerSchedule: 'scaled' },
    differences: protocolDifferences(QUICK_PROFILE, { speakerData: 'synthetic' }),
    scaledDown: QUICK_PROFILE.scaledDown,
    expectations: ['Dense LSTM: about 95% at this scale.'],
    params: {
      hidden: 256,
      input: 28,
      classes: 10,
      dense: { lstm: 294_410, gru: 222_218 },
      rows: [
        {
          model: 'lstm',
          cores: 2,
          extraCore: 'none',
          naive: false,
          counts: [
            { rank: 1, params: 3546, paramsPaper: 2522 },
            { rank: 2, params: 5034, paramsPaper: 4010 },
          ],
        },
        {
          model: 'gru',
          cores: 4,
          extraCore: 'none',
          naive: false,
          counts: [{ rank: 1, params: 1751, paramsPaper: 983 }],
        },
      ],
    },
    mnist,
    pmnist,
    speaker,
    timing: [{ model: 'LSTM', params: 294_410, inferenceMs: 30.5, trainStepMs: 410.2 }],
    wallSeconds: 321,
    notes: [],
  };
}
