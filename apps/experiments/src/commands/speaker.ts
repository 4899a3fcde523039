/**
 * `pnpm run exp speaker [options]`: one speaker-verification training run (GE2E) with the paper's
 * defaults (see experiments/speaker_run.ts).
 */
import { SEED_MAX, SIZE_BOUNDS } from '../args.js';
import { percent, trainingCommand, trainingOptions } from '../experiments/cli_common.js';
import {
  DEFAULT_SPEAKER_OPTIONS as D,
  SPEAKER_CORPORA,
  SPEAKER_SUBSETS,
  SYNTHETIC_SIZE_NAMES,
  resolveSpeakerOptions,
  runSpeaker,
} from '../experiments/speaker_run.js';
import type { SpeakerRunOptions, SpeakerRunResult } from '../experiments/speaker_run.js';

export const speakerCommand = trainingCommand<SpeakerRunOptions, SpeakerRunResult>({
  name: 'speaker',
  summary:
    "train and test one speaker-verification encoder with GE2E (the authors' defaults: hidden 768, 16×32, clip 3, Adam 2e-3, 40k steps)",
  options: trainingOptions(
    D,
    {
      embedding: { kind: 'int', description: 'embedding size', default: D.embedding, min: 1, max: SIZE_BOUNDS.hidden },
      steps: {
        kind: 'int',
        description: "training steps (the authors': 40,000 for their logged sweep, 20,000 at HEAD)",
        default: D.steps,
        min: 1,
      },
      speakers: { kind: 'int', description: 'N: speakers per batch', default: D.speakers, min: 2, max: 4096 },
      utterances: {
        kind: 'int',
        description: 'M: utterances per speaker per batch',
        default: D.utterances,
        min: 2,
        max: 4096,
      },
      lr: {
        kind: 'number',
        description: "Adam learning rate, constant (the authors': 2e-3 for their logged sweep, 1e-3 at HEAD)",
        default: D.lr,
        above: 0,
        max: 10,
      },
      clip: { kind: 'number', description: 'clip gradients to this global norm', default: D.clip ?? 3, above: 0 },
      'eval-every': {
        kind: 'int',
        description: "steps between validations (the authors': 50; 0: min(500, steps)); must divide --steps",
        default: D.evalEvery,
      },
      'eval-utterances': {
        kind: 'int',
        description:
          "utterances per validation/test speaker, the first ones in corpus order, half enrol (the authors': 32; 0 = every usable one)",
        default: D.evalUtterances,
      },
      subset: {
        kind: 'string',
        description:
          "with --train-fraction: the first int(f·N) training speakers (the authors') or a seeded random round(f·N)",
        choices: [...SPEAKER_SUBSETS],
        default: D.subset,
      },
      'train-limit': { kind: 'int', description: 'training speakers used, 0 = all', default: D.trainLimit },
      'test-limit': {
        kind: 'int',
        description: 'validation and test speakers evaluated, 0 = all, else at least 2',
        default: D.testLimit,
      },
      'train-fraction': {
        kind: 'number',
        description: 'fraction of the training speakers (data efficiency)',
        default: D.trainFraction,
        above: 0,
        max: 1,
      },
      corpus: {
        kind: 'string',
        description: 'speech corpus: generated in-process, a LibriSpeech root, or speaker folders',
        choices: [...SPEAKER_CORPORA],
        default: D.corpus,
      },
      size: {
        kind: 'string',
        description: 'size of the synthetic corpus',
        choices: [...SYNTHETIC_SIZE_NAMES],
        default: D.size,
        when: { option: 'corpus', values: ['synthetic'] },
      },
      'corpus-seed': {
        kind: 'int',
        description: 'seed of the synthetic corpus (or of a speaker-folders split)',
        default: D.corpusSeed,
        max: SEED_MAX,
      },
      'data-dir': {
        kind: 'path',
        description: 'LibriSpeech root or speaker-folders corpus (with --corpus librispeech|dir)',
        when: { option: 'corpus', values: ['librispeech', 'dir'] },
      },
      'cache-dir': {
        kind: 'path',
        description: 'feature cache (default .cache/speaker-features at the repository root)',
      },
    },
    '16 when a step would store over ~512 MiB (e.g. hidden 768, 16×32), else off',
  ),
  resolve: resolveSpeakerOptions,
  run: runSpeaker,
  describe: (r) => [
    `  corpus            ${r.corpus}: ${r.trainSpeakers ?? '?'} training, ${r.validationSpeakers} validation, ${r.testSpeakers} test speakers (${r.testUtterances ?? '?'} test utterances evaluated)`,
    `  parameters        ${r.params} (paper convention ${r.paramsPaper})`,
    `  validation EER    ${percent(r.validationEer)} (best step ${r.bestStep ?? 'n/a'})`,
    `  test EER          ${percent(r.testEer)}`,
  ],
  after: (r) => {
    const skipped = r.skippedFiles ?? [];
    if (skipped.length === 0) return [];
    return [
      `  skipped           ${skipped.length} input file(s) or speaker(s) that could not be read:`,
      ...skipped.slice(0, 20).map((f) => `    ${f.file}: ${f.reason}`),
      ...(skipped.length > 20 ? [`    … and ${skipped.length - 20} more (see --json)`] : []),
    ];
  },
});
