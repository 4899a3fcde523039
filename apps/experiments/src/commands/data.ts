/**
 * `pnpm run exp data --dataset mnist|fashion-mnist|speakers [--data-dir DIR] [--json]`: what a data set
 * holds, split by split, using the datasets package's summary functions. Bad data is an error (exit 1)
 * naming the file and what was expected.
 */
import { join } from 'node:path';
import { describeMnist, loadMnistSplits, speakerDataSummary } from '@ttrnn/datasets/node';
import type { MnistSummary } from '@ttrnn/datasets/node';
import { SEED_MAX } from '../args.js';
import type { OptionSpecs } from '../args.js';
import { defineCommand } from '../command.js';
import { repoRoot } from '../sweep.js';

const MNIST = { option: 'dataset', values: ['mnist', 'fashion-mnist'] } as const;
const SPEAKERS = { option: 'dataset', values: ['speakers'] } as const;

const OPTIONS: OptionSpecs = {
  dataset: {
    kind: 'string',
    description: 'which data set',
    choices: ['mnist', 'fashion-mnist', 'speakers'],
    default: 'mnist',
  },
  'data-dir': {
    kind: 'path',
    description:
      'directory with the data (MNIST: the four IDX files; speakers: LibriSpeech root or speaker folders). Default: the installed MNIST / Fashion-MNIST, the synthetic speaker corpus',
  },
  size: {
    kind: 'string',
    description: 'size of the synthetic speaker corpus (without --data-dir)',
    choices: ['tiny', 'quick', 'paper'],
    default: 'quick',
    when: SPEAKERS,
  },
  'validation-size': {
    kind: 'int',
    description: 'MNIST images held out of the training file for validation',
    default: 10_000,
    min: 1,
    when: MNIST,
  },
  seed: {
    kind: 'int',
    description: 'seed of the MNIST train/validation split (the experiments use 1)',
    default: 1,
    max: SEED_MAX,
    when: MNIST,
  },
  'corpus-seed': {
    kind: 'int',
    description: 'seed of the synthetic speaker corpus or of a speaker-folders split (the experiments use 0)',
    default: 0,
    max: SEED_MAX,
    when: SPEAKERS,
  },
  'cache-dir': {
    kind: 'path',
    description: 'speaker-feature cache (default .cache/speaker-features at the repository root)',
    when: SPEAKERS,
  },
  json: { kind: 'flag', description: 'print one JSON document instead of tables' },
};

type SpeakerSummary = Awaited<ReturnType<typeof speakerDataSummary>>;

export function formatMnistSummary(s: MnistSummary): string {
  const lines = [
    `${s.dataset} in ${s.directory}`,
    `images ${s.imageShape[0]}×${s.imageShape[1]}, ${s.numClasses} classes; files: ${s.files.train} training, ${s.files.test} test; split seed ${s.splitSeed}`,
    '',
  ];
  const names = s.classNames.map((n) => n.slice(0, 8));
  const w = Math.max(7, ...names.map((n) => n.length));
  const row = (cells: readonly (string | number)[]): string =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(10) : String(c).padStart(i === 1 ? 7 : w))).join(' ');
  lines.push(row(['split', 'size', ...names]));
  for (const split of ['train', 'validation', 'test'] as const)
    lines.push(row([split, s.splits[split].size, ...s.splits[split].labelCounts]));
  return lines.join('\n');
}

export function formatSpeakerSummary(s: SpeakerSummary): string {
  const row = (cells: readonly (string | number)[]): string =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(10) : String(c).padStart(13))).join(' ');
  const head = ['split', 'speakers', 'utterances', 'usable utt.', 'usable spk.', 'frames', 'usable frames'];
  const lines = [`${s.name}: utterances of at least ${s.minFrames} frames are usable`, '', row(head)];
  for (const split of ['train', 'validation', 'test'] as const) {
    const x = s.splits[split];
    lines.push(row([split, x.speakers, x.utterances, x.usableUtterances, x.usableSpeakers, x.frames, x.usableFrames]));
  }
  if (s.skipped > 0) {
    lines.push('', `${s.skipped} file(s) skipped:`);
    for (const f of s.skippedFiles.slice(0, 20)) lines.push(`  ${f.file}: ${f.reason}`);
    if (s.skippedFiles.length > 20) lines.push(`  … and ${s.skippedFiles.length - 20} more (see --json)`);
  }
  return lines.join('\n');
}

export const dataCommand = defineCommand({
  name: 'data',
  summary: 'sizes and label counts of each split of a data set (MNIST, Fashion-MNIST, speakers)',
  options: OPTIONS,
  async run(options) {
    const dataset = options['dataset'] as 'mnist' | 'fashion-mnist' | 'speakers';
    const dataDir = options['data-dir'] as string | undefined;
    const json = options['json'] === true;
    if (dataset === 'speakers') {
      const cacheDir = (options['cache-dir'] as string | undefined) ?? join(repoRoot(), '.cache', 'speaker-features');
      const size = options['size'] as 'tiny' | 'quick' | 'paper';
      if (!json)
        console.error(
          dataDir
            ? `reading speaker features from ${dataDir} …`
            : `synthetic corpus '${size}' (generated on first use, then cached in ${cacheDir}) …`,
        );
      const summary = await speakerDataSummary({
        ...(dataDir !== undefined ? { dataDir } : { size }),
        seed: options['corpus-seed'] as number,
        cacheDir,
        onError: 'skip',
      });
      if (Object.values(summary.splits).every((x) => x.usableUtterances === 0))
        throw new Error(
          `${dataDir ?? 'the synthetic corpus'}: no usable utterance found (expected audio files of speakers, at least ${summary.minFrames} frames long)`,
        );
      console.log(json ? JSON.stringify(summary, null, 2) : formatSpeakerSummary(summary));
      return 0;
    }
    const splits = await loadMnistSplits({
      dataset,
      seed: options['seed'] as number,
      validationSize: options['validation-size'] as number,
      ...(dataDir !== undefined ? { dataDir } : {}),
    });
    const summary = describeMnist(splits);
    console.log(json ? JSON.stringify(summary, null, 2) : formatMnistSummary(summary));
    return 0;
  },
});
