/**
 * Experiment profiles: which configurations `pnpm run exp all` runs, at which size.
 *
 * `quick` (the default) scales every experiment down so that the whole run finishes in about ten minutes on a
 * 2-core CPU with the wasm backend; `paper` uses the paper's settings and is meant for a long run or a native
 * backend. Every configuration has a stable id (its run directory under `runs/`).
 */
import { pick } from './args.js';
import type { CellKind, ModelConfig } from '@ttrnn/cells';
import { DEFAULT_SPEAKER_SCHEDULE, PAPER_MNIST, PAPER_SPEAKER, PAPER_SPEAKER_SCHEDULES } from './paper_results.js';
import type { SpeakerSchedule } from './paper_results.js';
import { mnistOptionsFromSweep, resolveMnistOptions } from './experiments/mnist_run.js';
import type { MnistRunOptions } from './experiments/mnist_run.js';
import { resolveSpeakerOptions, speakerOptionsFromSweep } from './experiments/speaker_run.js';
import type { SpeakerRunOptions } from './experiments/speaker_run.js';
import { validateModel } from './experiments/training_run.js';

export const PROFILE_NAMES = ['quick', 'paper'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/**
 * `authors` (the default) follows the authors' code where it makes a choice: MNIST epochs in one fixed order,
 * data-efficiency subsets of the first int(f·N) training speakers, evaluation on the first 32 utterances of
 * each speaker (16 enrol, 16 verify). `ttrnn` is this project's deliberate alternative: MNIST reshuffled
 * every epoch, a seeded random subset of round(f·N) speakers, and evaluation on every usable utterance
 * (half enrol, half verify: more trials, more of them across recording sessions).
 */
export const PROTOCOL_NAMES = ['authors', 'ttrnn'] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];
export const DEFAULT_PROTOCOL: ProtocolName = 'authors';

/**
 * A model of a sweep: its cell and TT layout (`tt: null` for a dense cell), the same fields as in the cells
 * package's ModelConfig; the sizes come from the experiment's settings and data.
 */
export type ModelSpec = Pick<ModelConfig, 'cell' | 'tt'>;

/** Row-by-row MNIST training settings shared by every model of a sweep (the `mnist` command's options). */
export type MnistSettings = Pick<
  MnistRunOptions,
  'hidden' | 'layers' | 'epochs' | 'batch' | 'lr' | 'lrDecayEvery' | 'trainLimit' | 'testLimit' | 'seed' | 'order'
>;

/** Speaker-verification settings shared by every model of a sweep (the `speaker` command's, the batch named apart). */
export type SpeakerSettings = Pick<
  SpeakerRunOptions,
  'hidden' | 'embedding' | 'layers' | 'steps' | 'lr' | 'evalEvery' | 'seed' | 'evalUtterances' | 'subset'
> & {
  /** Size of the synthetic corpus (the datasets package's preset), or 'librispeech' for real data. */
  readonly corpus: string;
  readonly speakersPerBatch: number;
  readonly utterancesPerSpeaker: number;
  readonly clip: number;
  /** Which of the authors' schedules set `lr` and `steps`, or `scaled` (the quick profile's own). */
  readonly schedule: SpeakerSchedule | 'scaled';
};

/** A configuration of a sweep: its experiment, its model and its experiment's settings. */
type SweepConfig<E, S> = { readonly experiment: E } & ModelSpec & S;
export type MnistConfig = SweepConfig<'mnist', MnistSettings>;
/** Permuted-pixel sequential MNIST: 784 time steps of one pixel each, in a fixed random order. */
export type PmnistConfig = SweepConfig<'pmnist', MnistSettings>;
/** Fraction of the training speakers used (data-efficiency experiment); 1 = all. */
export type SpeakerConfig = SweepConfig<'speaker', SpeakerSettings & { readonly trainFraction: number }>;
/** One stability run: row MNIST at one learning rate and seed (the settings' `lr`, `seed`), without clipping. */
export type StabilityConfig = SweepConfig<'stability', MnistSettings>;
export type ExperimentConfig = MnistConfig | PmnistConfig | SpeakerConfig | StabilityConfig;

/** A grid of TT models: every combination of cores × ranks, for each cell kind. */
export interface TtGrid {
  readonly models: readonly CellKind[];
  readonly cores: readonly number[];
  readonly ranks: readonly number[];
}

export interface Profile {
  readonly name: ProfileName;
  readonly description: string;
  /** Whose protocol the data order, subsets and evaluation follow (see PROTOCOL_NAMES). */
  readonly protocol: ProtocolName;
  readonly mnist: {
    readonly settings: MnistSettings;
    readonly grid: TtGrid;
    /** Dense baselines. */
    readonly dense: readonly CellKind[];
    /** Extra TT layouts beyond the grid (extra core, naive). */
    readonly extra: readonly ModelSpec[];
  };
  /** Permuted-pixel MNIST (784 steps, gradient checkpointing): the models, all at the same settings. */
  readonly pmnist: { readonly settings: MnistSettings; readonly models: readonly ModelSpec[] };
  readonly speaker: {
    readonly settings: SpeakerSettings;
    /** Models at 100% of the training speakers (dense and TT). */
    readonly models: readonly ModelSpec[];
    /** Data-efficiency experiment: these models at these fractions of the training speakers. */
    readonly dataEfficiency: { readonly models: readonly ModelSpec[]; readonly fractions: readonly number[] };
  };
  /**
   * Stability and hyperparameter selection (the paper's third claim): every model at every learning rate
   * with every seed, on row MNIST at `settings` (whose own `lr` and `seed` are replaced).
   */
  readonly stability: {
    readonly settings: MnistSettings;
    readonly models: readonly ModelSpec[];
    readonly lrs: readonly number[];
    readonly seeds: readonly number[];
  };
  /** Parameter tables: pure computation, always the paper's full layout. */
  readonly params: { readonly ranks: readonly number[]; readonly cores: readonly number[] };
  /** What was scaled down, for the report (one line each). */
  readonly scaledDown: readonly string[];
  /** What accuracy / EER is plausible at this scale, for the report (one line each). */
  readonly expectations: readonly string[];
}

/** A dense model of `cell`. */
export const dense = (cell: CellKind): ModelSpec => ({ cell, tt: null });
/** A TT model of `cell` in the fused layout with no extra core. */
export const tt = (cell: CellKind, cores: number, rank: number): ModelSpec => ({
  cell,
  tt: { cores, rank, extraCore: 'none', naive: false },
});

/** The authors' row-MNIST settings on all 50,000 training and 10,000 test images. */
const PAPER_ROW_MNIST: MnistSettings = {
  ...pick(PAPER_MNIST, ['hidden', 'layers', 'epochs', 'batch', 'lr', 'lrDecayEvery']),
  trainLimit: 0,
  testLimit: 0,
  seed: 1,
  order: PAPER_MNIST.order,
};

/** Quick row-MNIST settings; the permuted-pixel and stability runs change their sizes only. */
const QUICK_MNIST: MnistSettings = {
  ...PAPER_ROW_MNIST,
  hidden: 128,
  epochs: 3,
  lrDecayEvery: 0,
  trainLimit: 20_000,
  testLimit: 2000,
};

const LOGGED = PAPER_SPEAKER_SCHEDULES[DEFAULT_SPEAKER_SCHEDULE];

/** The authors' speaker settings, on the synthetic corpus of the paper's size unless LibriSpeech is given. */
const PAPER_SPEAKER_SETTINGS: SpeakerSettings = {
  corpus: 'paper',
  ...pick(PAPER_SPEAKER, ['hidden', 'embedding', 'layers']),
  steps: LOGGED.steps,
  ...pick(PAPER_SPEAKER, ['speakersPerBatch', 'utterancesPerSpeaker']),
  lr: LOGGED.lr,
  clip: PAPER_SPEAKER.clip,
  evalEvery: PAPER_SPEAKER.validationEvery,
  seed: 1,
  schedule: DEFAULT_SPEAKER_SCHEDULE,
  evalUtterances: PAPER_SPEAKER.evaluation.utterancesPerSpeaker,
  subset: 'first',
};

export const QUICK_PROFILE: Profile = {
  name: 'quick',
  description: 'every experiment scaled down to finish in about 10 minutes on a 2-core CPU (wasm backend)',
  protocol: DEFAULT_PROTOCOL,
  mnist: {
    settings: QUICK_MNIST,
    grid: { models: ['lstm'], cores: [2, 3], ranks: [1, 2, 4] },
    dense: ['lstm', 'gru'],
    extra: [tt('lstm', 4, 4), tt('gru', 2, 2)],
  },
  pmnist: {
    // 784 steps per sequence: a training step costs ~15× a row-MNIST step (~1 s at hidden 64), so 50 steps only.
    settings: { ...QUICK_MNIST, hidden: 64, epochs: 1, trainLimit: 6400, testLimit: 1000 },
    models: [dense('lstm'), tt('lstm', 2, 4)],
  },
  speaker: {
    settings: {
      ...PAPER_SPEAKER_SETTINGS,
      corpus: 'quick',
      hidden: 128,
      embedding: 64,
      steps: 150,
      speakersPerBatch: 5,
      utterancesPerSpeaker: 6,
      // 1e-2 made the small encoder's embeddings collapse within 50 steps (validation threshold near 1);
      // 3e-3 trained both the dense and the TT encoder to about 15% test EER in 100 steps.
      lr: 3e-3,
      schedule: 'scaled',
    },
    models: [dense('lstm'), tt('lstm', 2, 2)],
    dataEfficiency: { models: [dense('lstm'), tt('lstm', 2, 2)], fractions: [0.2, 0.6, 1] },
  },
  stability: {
    // 75 steps per run (3 epochs of 3,200 images) at hidden 64: 48 runs in about 2 minutes on 2 cores.
    settings: { ...QUICK_MNIST, hidden: 64, trainLimit: 3200, testLimit: 1000 },
    models: [dense('lstm'), tt('lstm', 2, 2), dense('gru'), tt('gru', 2, 2)],
    lrs: [1e-4, 1e-3, 1e-2, 1e-1],
    seeds: [1, 2, 3],
  },
  params: { ranks: [1, 2, 4, 8, 16], cores: [2, 3, 4] },
  scaledDown: [
    'Stability: dense LSTM/GRU and TT-LSTM/TT-GRU 2 cores rank 2 at hidden 64, 3 epochs of 3,200 images (75 steps), learning rates 1e-4, 1e-3, 1e-2, 1e-1 × seeds 1–3, validation on 1,000 images (paper profile: hidden 256, 5 epochs on 50,000 images, 7 learning rates).',
    'Row MNIST: hidden 128 (paper 256), 20,000 training images (paper 50,000), 3 epochs (paper 20), no learning-rate decay, validation and test on 2,000 images each.',
    'TT grid: TT-LSTM with 2–3 cores × ranks 1, 2, 4, TT-LSTM 4 cores rank 4 and TT-GRU 2 cores rank 2 (paper: 2–4 cores × ranks 1–10 for both cells).',
    "Speaker verification: the synthetic corpus 'quick' generated in-process with espeak-ng (24 training, 8 validation, 8 test speakers, 12 utterances each; paper: LibriSpeech train-clean-100, 251 speakers), hidden 128 (paper 768), embedding 64 (paper 256), 5 speakers × 6 utterances per batch (paper 16 × 32), 150 steps at Adam 3e-3 (the authors: 40,000 at 2e-3 for the logged sweep), validation every 50 steps as the authors; dense LSTM and TT-LSTM 2 cores rank 2 only (paper: 2–4 cores × ranks 1–4). Evaluation follows the chosen protocol; with 12 utterances per speaker the authors' first 32 are all 12 (6 enrol, 6 verify).",
    'Permuted pixel MNIST: dense LSTM and TT-LSTM 2 cores rank 4 only, hidden 64 (paper profile 256), 6,400 training images for 1 epoch (50 steps; paper profile: all 50,000 for 20 epochs, about 7,800 steps), validation and test on 1,000 images each.',
    'Data efficiency: 20%, 60% and 100% of the training speakers (paper 20–100% in steps of 20).',
    'Speed table: the timing command with --quick (fewer models and rounds; `pnpm run exp timing` and `pnpm run bench` measure more).',
  ],
  expectations: [
    'Row MNIST after 3 epochs on 20,000 images (about 470 steps): dense LSTM/GRU around 94–96% test accuracy; TT models learn more slowly and sit about 2–10 points below the dense LSTM at this point of training (3 cores at ranks 1–2 lowest, 2 cores rank 4 highest) (in the paper they reach 97–98.6% after 20 epochs on 50,000 images, about 7,800 steps).',
    'Permuted pixel MNIST after 50 steps: 20–40% test accuracy is what a model can reach this early (chance is 10%); a 784-step recurrence learns far more slowly than the 28-step row view, so these numbers only show that both models train, not how they compare at convergence (published LSTMs reach about 90% after many epochs).',
    'Speaker verification after 150 steps on 24 synthetic speakers, evaluated on 8 test speakers: EERs of 15–40% are plausible (chance is 50%); with 8 test speakers an EER is estimated from few trials, so differences of several points between models are within noise. 20% of the training speakers (5) is one batch: expect near-chance EERs there.',
  ],
};

export const PAPER_PROFILE: Profile = {
  name: 'paper',
  description: "the authors' settings and protocol (long: hours per model on CPU; meant for a native backend)",
  protocol: DEFAULT_PROTOCOL,
  mnist: {
    settings: PAPER_ROW_MNIST,
    grid: { models: ['lstm', 'gru'], cores: [2, 3, 4], ranks: [1, 2, 4, 6, 8, 10] },
    dense: ['lstm', 'gru'],
    extra: [],
  },
  pmnist: { settings: PAPER_ROW_MNIST, models: [dense('lstm'), tt('lstm', 2, 4), tt('lstm', 3, 4)] },
  speaker: {
    settings: PAPER_SPEAKER_SETTINGS,
    models: [dense('lstm'), ...[2, 3, 4].flatMap((c) => [1, 2, 3, 4].map((r) => tt('lstm', c, r)))],
    dataEfficiency: {
      models: [dense('lstm'), tt('lstm', 2, 2)],
      fractions: [...PAPER_SPEAKER.dataEfficiency.fractions],
    },
  },
  stability: {
    // Not in the paper: its MNIST model and data, 5 epochs (the differences show early), no decay.
    settings: { ...PAPER_ROW_MNIST, epochs: 5, lrDecayEvery: 0 },
    models: [dense('lstm'), tt('lstm', 2, 4), dense('gru'), tt('gru', 2, 4)],
    lrs: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1],
    seeds: [1, 2, 3],
  },
  params: { ranks: [1, 2, 4, 8, 16], cores: [2, 3, 4] },
  scaledDown: [
    "Stability (not an experiment of the paper): 5 epochs per run at the paper's MNIST size, no learning-rate decay, 7 learning rates from 1e-4 to 1e-1 × 3 seeds.",
    "Speaker verification uses the synthetic corpus ('paper' size: 251/40/40 speakers) unless --speaker-data-dir points at LibriSpeech: EERs are then not comparable with the paper's numbers.",
  ],
  expectations: [
    'Row MNIST: dense LSTM about 99%, TT-LSTM 97–98.6% (the paper).',
    'Speaker verification on LibriSpeech: 4–7% EER (the paper); on the synthetic corpus, lower or higher depending on its difficulty.',
  ],
};

export const PROFILES: Readonly<Record<ProfileName, Profile>> = { quick: QUICK_PROFILE, paper: PAPER_PROFILE };

/** The profile under a protocol: MNIST order, data-efficiency subset and evaluation utterances. */
export function withProtocol(p: Profile, protocol: ProtocolName): Profile {
  const authors = protocol === 'authors';
  const order = authors ? 'fixed' : 'reshuffle';
  return {
    ...p,
    protocol,
    mnist: { ...p.mnist, settings: { ...p.mnist.settings, order } },
    pmnist: { ...p.pmnist, settings: { ...p.pmnist.settings, order } },
    stability: { ...p.stability, settings: { ...p.stability.settings, order } },
    speaker: {
      ...p.speaker,
      settings: {
        ...p.speaker.settings,
        evalUtterances: authors ? PAPER_SPEAKER.evaluation.utterancesPerSpeaker : 0,
        subset: authors ? 'first' : 'seeded',
      },
    },
  };
}

/**
 * The paper profile with one of the authors' two speaker schedules (learning rate and steps). The quick
 * profile has its own scaled schedule: asking it for one of the authors' is an error.
 */
export function withSpeakerSchedule(p: Profile, schedule: SpeakerSchedule): Profile {
  if (p.name !== 'paper')
    throw new Error(
      `'speaker-schedule' applies to the paper profile only (the ${p.name} profile scales the schedule down), got '${schedule}'`,
    );
  const { lr, steps } = PAPER_SPEAKER_SCHEDULES[schedule];
  return { ...p, speaker: { ...p.speaker, settings: { ...p.speaker.settings, schedule, lr, steps } } };
}

/** A stable, filesystem-safe id for a model: `lstm`, `ttlstm-c3-r4`, `ttgru-c2-r2-first`, `ttlstm-c2-r2-naive`. */
export function modelId(m: ModelSpec): string {
  if (m.tt === null) return m.cell;
  const { cores, rank, extraCore, naive } = m.tt;
  return `tt${m.cell}-c${cores}-r${rank}${extraCore !== 'none' ? `-${extraCore}` : ''}${naive ? '-naive' : ''}`;
}

/** A readable name: `LSTM`, `TT-LSTM 3 cores rank 4`. */
export function modelLabel(m: ModelSpec): string {
  const cell = m.cell.toUpperCase();
  if (m.tt === null) return cell;
  const extra = m.tt.extraCore !== 'none' ? `, extra core ${m.tt.extraCore}` : '';
  return `TT-${cell} ${m.tt.cores} cores rank ${m.tt.rank}${extra}${m.tt.naive ? ', naive' : ''}`;
}

/** The run id of a configuration (its directory name under `runs/`). */
export function configId(c: ExperimentConfig): string {
  const id = `${c.experiment}-${modelId(c)}`;
  if (c.experiment === 'stability') return `${id}-lr${c.lr.toExponential()}-s${c.seed}`;
  return c.experiment === 'speaker' && c.trainFraction !== 1 ? `${id}-f${Math.round(c.trainFraction * 100)}` : id;
}

/** Rejects an empty grid, and any model of the grid that `validateModel` rejects. */
export function validateGrid(grid: TtGrid, where: string): void {
  if (grid.models.length === 0 && (grid.cores.length > 0 || grid.ranks.length > 0))
    throw new Error(`${where}: the grid names no model`);
  for (const cell of grid.models)
    for (const cores of grid.cores) for (const rank of grid.ranks) validateModel(tt(cell, cores, rank), where);
}

/**
 * Checks a profile with the runs' own checks: every configuration must resolve to the options of its run (the
 * error names the configuration and the option); besides, the MNIST grid must name a model.
 */
export function validateProfile(p: Profile): void {
  validateGrid(p.mnist.grid, `profile ${p.name} mnist`);
  // The one cross-field check a command line can break (`all --steps`), in the profile's own words.
  const { steps, evalEvery } = p.speaker.settings;
  if (steps % evalEvery !== 0)
    throw new Error(
      `profile ${p.name}: 'speaker.steps' (${steps}) must be a multiple of 'speaker.evalEvery' (${evalEvery})`,
    );
  for (const lr of p.stability.lrs)
    if (!(lr > 0 && lr < 10))
      throw new Error(`profile ${p.name}: every 'stability.lrs' value must lie in (0, 10), got ${lr}`);
  for (const c of [...mnistConfigs(p), ...pmnistConfigs(p), ...speakerConfigs(p), ...stabilityConfigs(p)]) {
    try {
      if (c.experiment === 'speaker') resolveSpeakerOptions(speakerOptionsFromSweep(c, { runDir: '' }));
      else resolveMnistOptions(mnistOptionsFromSweep({ ...c, experiment: 'mnist' }, { runDir: '' }));
    } catch (err) {
      throw new Error(`profile ${p.name}: ${configId(c)}: ${(err as Error).message}`);
    }
  }
}

/** Every MNIST configuration of a profile: dense baselines first, then the TT grid, then the extras. */
export function mnistConfigs(p: Profile): MnistConfig[] {
  const models: ModelSpec[] = [
    ...p.mnist.dense.map(dense),
    ...p.mnist.grid.models.flatMap((model) =>
      p.mnist.grid.cores.flatMap((cores) => p.mnist.grid.ranks.map((rank) => tt(model, cores, rank))),
    ),
    ...p.mnist.extra,
  ];
  return dedupe(models.map((m) => ({ experiment: 'mnist' as const, ...m, ...p.mnist.settings })));
}

/** Every permuted-pixel MNIST configuration, in the profile's order. */
export function pmnistConfigs(p: Profile): PmnistConfig[] {
  return dedupe(p.pmnist.models.map((m) => ({ experiment: 'pmnist' as const, ...m, ...p.pmnist.settings })));
}

/** Every stability configuration: model by model, each over the learning rates, each over the seeds. */
export function stabilityConfigs(p: Profile): StabilityConfig[] {
  const s = p.stability;
  return dedupe(
    s.models.flatMap((m) =>
      s.lrs.flatMap((lr) =>
        s.seeds.map((seed) => ({ experiment: 'stability' as const, ...m, ...s.settings, lr, seed })),
      ),
    ),
  );
}

/** Every speaker configuration: the models at 100%, then the data-efficiency runs (100% runs shared). */
export function speakerConfigs(p: Profile): SpeakerConfig[] {
  const s = p.speaker;
  const main = s.models.map((m) => ({ experiment: 'speaker' as const, ...m, ...s.settings, trainFraction: 1 }));
  const eff = s.dataEfficiency.models.flatMap((m) =>
    s.dataEfficiency.fractions.map((f) => ({ experiment: 'speaker' as const, ...m, ...s.settings, trainFraction: f })),
  );
  return dedupe([...main, ...eff]);
}

/** The configurations without repeats (the first of each id: repeats are equal configurations). */
function dedupe<C extends ExperimentConfig>(configs: C[]): C[] {
  return [...new Map(configs.map((c) => [configId(c), c])).values()];
}
