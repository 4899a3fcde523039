/**
 * One speaker-verification training run: GE2E batches of N speakers × M utterances (160-frame crops of
 * 40-channel mel features), an LSTM/GRU (dense or TT) speaker encoder, validation EER every `evalEvery`
 * steps with best-on-validation selection, and the test EER of the selected model.
 *
 * Defaults are the authors' (paper_results.ts): hidden 768, embedding 256, 1 layer, 16 × 32 per batch,
 * constant Adam 2e-3 for 40,000 steps (their code while the logged sweep ran; 1e-3 and 20,000 at HEAD),
 * gradient clipping at global norm 3, GE2E gradient scale 0.01 on w and b, validation every 50 steps, the
 * model kept when the validation EER improves by more than 1e-4, and evaluation on the first 32 utterances of
 * each speaker (16 enrol, 16 verify) over all speakers of the split at once.
 */
import {
  Ge2eBatcher,
  enrolmentSplit,
  evaluationWindows,
  extractSpeakerFeatures,
  libriSpeechCorpus,
  resolveSpeakerCorpus,
  syntheticCorpus,
} from '@ttrnn/datasets/node';
import type { Ge2eBatcherState, SpeakerCorpus, SpeakerFeatureSet, SpeakerFeatures } from '@ttrnn/datasets/node';
import { Rng, deriveSeed } from '@ttrnn/random';
import { evaluateSpeakerModel, ge2eObjective } from '@ttrnn/training/node';
import type { ProgressStream, WindowedUtterance } from '@ttrnn/training/node';
import { join } from 'node:path';
import { PAPER_SPEAKER, PAPER_SPEAKER_SCHEDULES } from '../paper_results.js';
import type { SpeakerConfig } from '../profiles.js';
import type { SpeakerOutcome } from '../report/results.js';
import { repoRoot } from '../sweep.js';
import { modelFields, resolveRunOptions, runName, trainingOptions, trainingRun } from './training_run.js';
import type { RunEnvironment, RunOptions, TrainingResult, TrainingTask } from './training_run.js';
import { SEED_MAX, SIZE_BOUNDS, pick } from '../args.js';
import type { OptionSpecs } from '../args.js';

export const SPEAKER_CORPORA = ['synthetic', 'librispeech', 'dir'] as const;
export const SPEAKER_SUBSETS = ['first', 'seeded'] as const;
export const SYNTHETIC_SIZE_NAMES = ['tiny', 'quick', 'paper'] as const;
/** Frames of a training crop and of an evaluation window (the original's `partials_n_frames`). */
export const SPEAKER_FRAMES = 160;

/** Everything the `speaker` command's flags hold (described in SPEAKER_OPTIONS below). */
export interface SpeakerRunOptions extends RunOptions {
  readonly embedding: number;
  readonly steps: number;
  readonly speakers: number;
  readonly utterances: number;
  readonly evalEvery: number;
  readonly evalUtterances: number;
  readonly subset: (typeof SPEAKER_SUBSETS)[number];
  readonly trainFraction: number;
  readonly corpus: (typeof SPEAKER_CORPORA)[number];
  readonly size: (typeof SYNTHETIC_SIZE_NAMES)[number];
  readonly corpusSeed: number;
  readonly cacheDir?: string;
  /** Off (0) unless given or `autoSpeakerCheckpoint` turns it on. */
  readonly checkpoint: number;
}

export const DEFAULT_SPEAKER_OPTIONS: SpeakerRunOptions = {
  cell: 'lstm',
  tt: null,
  ...pick(PAPER_SPEAKER, ['hidden', 'layers', 'embedding']),
  steps: PAPER_SPEAKER_SCHEDULES['logged-sweep'].steps,
  speakers: PAPER_SPEAKER.speakersPerBatch,
  utterances: PAPER_SPEAKER.utterancesPerSpeaker,
  lr: PAPER_SPEAKER_SCHEDULES['logged-sweep'].lr,
  clip: PAPER_SPEAKER.clip,
  evalEvery: PAPER_SPEAKER.validationEvery,
  evalUtterances: PAPER_SPEAKER.evaluation.utterancesPerSpeaker,
  subset: 'first',
  trainLimit: 0,
  testLimit: 0,
  trainFraction: 1,
  seed: 1,
  corpus: 'synthetic',
  size: 'paper',
  corpusSeed: 0,
  resume: false,
  checkpointEvery: 100,
  checkpoint: 0,
};

const D = DEFAULT_SPEAKER_OPTIONS;

/** The `speaker` command's option table, which checks the options given in code too. */
export const SPEAKER_OPTIONS: OptionSpecs = trainingOptions(
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
);

/** `features`: to use instead of loading the configured corpus (tests). */
export type SpeakerRunEnvironment = RunEnvironment & { readonly features?: SpeakerFeatureSet };

export interface SpeakerRunResult extends SpeakerOutcome, TrainingResult {
  readonly experiment: 'speaker';
  readonly corpus: string;
  readonly bestStep: number | null;
  readonly validationSpeakers: number;
  /** Input files (and speakers) left out because they could not be read, each with the reason (absent in older results). */
  readonly skippedFiles?: readonly { readonly file: string; readonly reason: string }[];
}

/**
 * The gradient-checkpointing chunk used when `checkpoint` is not given: off for small encoders, chunks of
 * 16 frames when the backward would store more than about 512 MiB. The estimate, ~80 bytes per
 * (utterance, frame, hidden unit), is what a training step measured here: 16 × 12 utterances at hidden
 * 768 aborted wasm's 4 GiB heap without checkpointing and trained with chunks of 16 (the paper's 16 × 32
 * batch needs it all the more). Chunking gives the same numbers, ~30% more compute.
 */
export function autoSpeakerCheckpoint(speakers: number, utterances: number, hidden: number): number {
  const storedBytes = speakers * utterances * SPEAKER_FRAMES * hidden * 80;
  return storedBytes > 512 * 2 ** 20 ? 16 : 0;
}

export function resolveSpeakerOptions(options: Partial<SpeakerRunOptions>): SpeakerRunOptions {
  const fn = 'runSpeaker';
  const resolved = resolveRunOptions(options, DEFAULT_SPEAKER_OPTIONS, SPEAKER_OPTIONS, fn);
  const o = {
    ...resolved,
    checkpoint: options.checkpoint ?? autoSpeakerCheckpoint(resolved.speakers, resolved.utterances, resolved.hidden),
  };
  if (o.evalUtterances === 1)
    throw new Error(`'evalUtterances' passed to '${fn}' must be 0 (all) or at least 2, got 1`);
  // Verification scores each speaker against the others: one speaker gives no impostor trial.
  if (o.testLimit === 1)
    throw new Error(
      `'testLimit' passed to '${fn}' must be 0 (all) or at least 2 (speaker verification needs two speakers), got 1`,
    );
  if (o.corpus !== 'synthetic' && o.dataDir === undefined)
    throw new Error(`'dataDir' passed to '${fn}' is required for the '${o.corpus}' corpus`);
  if (o.corpus === 'synthetic' && o.dataDir !== undefined)
    throw new Error(`'dataDir' passed to '${fn}' applies only to the 'librispeech' and 'dir' corpora`);
  const evalEvery = o.evalEvery === 0 ? Math.min(500, o.steps) : o.evalEvery;
  if (o.steps % evalEvery !== 0) {
    throw new Error(`'steps' passed to '${fn}' (${o.steps}) must be a multiple of 'evalEvery' (${evalEvery})`);
  }
  return { ...o, evalEvery };
}

export function speakerRunConfig(o: SpeakerRunOptions): Record<string, unknown> {
  return {
    experiment: 'speaker',
    ...modelFields(o),
    ...pick(o, ['embedding', 'steps', 'speakers', 'utterances', 'lr', 'clip', 'evalEvery', 'evalUtterances']),
    ...pick(o, ['subset', 'trainLimit', 'testLimit', 'trainFraction', 'seed', 'corpus']),
    ...(o.corpus === 'synthetic' ? { size: o.size } : { dataDir: o.dataDir }),
    corpusSeed: o.corpusSeed,
    // Only when on, so configs (and run names) of runs without it stay as they were.
    ...(o.checkpoint > 0 ? { checkpoint: o.checkpoint } : {}),
  };
}

async function loadCorpus(o: SpeakerRunOptions): Promise<SpeakerCorpus> {
  if (o.corpus === 'synthetic') return syntheticCorpus({ size: o.size, seed: o.corpusSeed });
  if (o.corpus === 'librispeech') return libriSpeechCorpus({ root: o.dataDir as string });
  return resolveSpeakerCorpus({ dataDir: o.dataDir as string, seed: o.corpusSeed });
}

/**
 * The evaluated utterances of each validation/test speaker as windows, enrolment half first: of the first
 * `limit` speakers (0 = all), the first `utterances` usable utterances each (0 = all).
 */
export function evaluationSet(
  speakers: readonly SpeakerFeatures[],
  limit: number,
  utterances: number,
): WindowedUtterance[][] {
  const split = enrolmentSplit(limit > 0 ? speakers.slice(0, limit) : speakers, SPEAKER_FRAMES, utterances);
  return split.speakers.map((s) =>
    [...s.enrol, ...s.verify].map((u) => ({
      windows: evaluationWindows(u, { frames: SPEAKER_FRAMES, overlap: 0.5 }).windows,
    })),
  );
}

/**
 * The training speakers of a run, in corpus order: of the first `trainLimit` (0 = all), a fraction. `first`
 * keeps the first int(f·N), as the authors' data-efficiency runs (Porting notes: they take them in their
 * directory listing's order, here the sorted corpus order); `seeded` keeps a seeded random round(f·N). Never
 * fewer than one batch's speakers (GE2E needs them), so a small fraction of a small corpus may use more.
 */
export function trainingSpeakers<S>(
  all: readonly S[],
  o: Pick<SpeakerRunOptions, 'trainLimit' | 'trainFraction' | 'subset' | 'speakers' | 'seed'>,
): S[] {
  const limited = o.trainLimit > 0 ? Math.min(o.trainLimit, all.length) : all.length;
  const wanted = o.subset === 'first' ? Math.floor(limited * o.trainFraction) : Math.round(limited * o.trainFraction);
  const count = Math.max(Math.min(o.speakers, limited), wanted);
  if (o.subset === 'first') return all.slice(0, count);
  const order = new Rng(deriveSeed(o.seed, 5)).permutation(limited);
  const keep = new Set(order.slice(0, count));
  return all.filter((_, i) => keep.has(i));
}

/** The run's corpus as features, from the feature cache (extracted into it on a first use). */
async function speakerFeatures(o: SpeakerRunOptions, label: string, env: RunEnvironment): Promise<SpeakerFeatureSet> {
  const corpus = await loadCorpus(o);
  let lastShown = -Infinity;
  return extractSpeakerFeatures(corpus, {
    cacheDir: o.cacheDir ?? join(repoRoot(), '.cache', 'speaker-features'),
    onProgress: (done, total) => {
      const t = env.now();
      if (env.progress && (done === total || t - lastShown > 10_000)) {
        lastShown = t;
        env.progress.write(`${label}: features ${done}/${total}\n`);
      }
    },
  });
}

/**
 * Fills the feature cache for the corpora of `runs` (each distinct corpus once), so that runs started
 * together in several worker processes read the cache instead of each extracting the same features.
 */
export async function prepareSpeakerFeatures(
  runs: readonly Partial<SpeakerRunOptions>[],
  now: () => number,
  progress: ProgressStream,
): Promise<void> {
  const key = (o: SpeakerRunOptions): string => JSON.stringify([o.corpus, o.size, o.corpusSeed, o.dataDir, o.cacheDir]);
  for (const o of new Map(runs.map(resolveSpeakerOptions).map((o) => [key(o), o])).values()) {
    const corpus = o.corpus === 'synthetic' ? `synthetic ${o.size}` : o.dataDir;
    await speakerFeatures(o, `speaker corpus ${corpus}`, { now, progress });
  }
}

/**
 * Trains and evaluates one speaker encoder. A finished run directory returns its stored result; an
 * interrupted one needs `resume`.
 */
export function runSpeaker(options: Partial<SpeakerRunOptions>, env: SpeakerRunEnvironment): Promise<SpeakerRunResult> {
  const o = resolveSpeakerOptions(options);
  const config = speakerRunConfig(o);
  const name = runName('speaker', o, config);
  const metrics = ['validationEer', 'testEer'] as const;
  return trainingRun<SpeakerRunResult>({ experiment: 'speaker', options: o, config, name, metrics, prepare }, env);
  async function prepare(): Promise<TrainingTask> {
    const features = env.features ?? (await speakerFeatures(o, name, env));
    const { name: corpus, skipped } = features;
    const batcher = new Ge2eBatcher(trainingSpeakers(features.splits.train, o), {
      speakersPerBatch: o.speakers,
      utterancesPerSpeaker: o.utterances,
      frames: SPEAKER_FRAMES,
      minFrames: SPEAKER_FRAMES,
      seed: deriveSeed(o.seed, 1),
    });
    const valSet = evaluationSet(features.splits.validation, o.testLimit, o.evalUtterances);
    const testSet = evaluationSet(features.splits.test, o.testLimit, o.evalUtterances);
    if (valSet.length < 2 || testSet.length < 2) {
      throw new Error(
        `${corpus}: the validation and test splits need at least 2 speakers with 2 usable utterances each, got ${valSet.length} and ${testSet.length}`,
      );
    }
    // Evaluation windows per forward pass: the whole-sequence input projection holds
    // frames × windows × 4·hidden floats, so cap it near 128 MiB to stay well inside wasm's 4 GiB heap
    // (256 windows at hidden 768 aborted with an out-of-memory in the wasm heap).
    const evalBatch = Math.max(8, Math.min(256, Math.floor(2 ** 25 / (SPEAKER_FRAMES * 4 * o.hidden))));
    const embed = { frames: SPEAKER_FRAMES, features: batcher.nMels, batchSize: evalBatch };
    return {
      task: 'speaker',
      inputSize: batcher.nMels,
      outputSize: o.embedding,
      // GE2E batches from the stateful batcher, `evalEvery` of them per "epoch".
      source: {
        numBatches: o.evalEvery,
        batch: () => batcher.next(),
        getState: () => batcher.getState(),
        setState: (state) => batcher.setState(state as Ge2eBatcherState),
      },
      objective: (model) => ge2eObjective(model, o.speakers, o.utterances),
      epochs: o.steps / o.evalEvery,
      lrDecayEvery: 0,
      validate: (m) => evaluateSpeakerModel(m, valSet, { ...embed, prefix: 'val' }),
      selection: { metric: 'valEer', mode: 'min', minDelta: 1e-4 },
      test: (m) => evaluateSpeakerModel(m, testSet, { ...embed, prefix: 'test' }),
      fields: (outcome) => ({
        corpus,
        skippedFiles: skipped.map((f) => ({ file: f.file, reason: f.reason })),
        bestStep: outcome.best?.step ?? null,
        trainSpeakers: batcher.speakerCount,
        validationSpeakers: valSet.length,
        testSpeakers: testSet.length,
        testUtterances: testSet.reduce((n, u) => n + u.length, 0),
      }),
      curve: { trainLoss: 'trainLoss', trainEer: 'trainEer', validationEer: 'valEer' },
    };
  }
}

/** The options of a sweep configuration of `pnpm run exp all` (profiles.ts) in a sweep's run directory. */
export function speakerOptionsFromSweep(
  c: SpeakerConfig,
  ctx: { readonly runDir: string; readonly dataDir?: string },
): Partial<SpeakerRunOptions> {
  const { experiment: _, schedule: __, corpus: name, speakersPerBatch, utterancesPerSpeaker, ...options } = c;
  const sizes: readonly string[] = SYNTHETIC_SIZE_NAMES;
  const corpus = ctx.dataDir !== undefined ? (name === 'librispeech' ? 'librispeech' : 'dir') : 'synthetic';
  return {
    ...options,
    speakers: speakersPerBatch,
    utterances: utterancesPerSpeaker,
    corpus,
    ...(corpus === 'synthetic' && sizes.includes(name) ? { size: name as SpeakerRunOptions['size'] } : {}),
    ...(ctx.dataDir !== undefined ? { dataDir: ctx.dataDir } : {}),
    runDir: ctx.runDir,
    resume: 'auto',
  };
}
