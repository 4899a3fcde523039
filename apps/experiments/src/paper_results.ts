/**
 * The numbers the original's authors logged, as data (from /work/shared/reference/README.md, which was
 * produced by running the authors' PyTorch implementation `onucharles/tensorized-rnn` at commit 69fc031).
 * The report prints them beside ours; nothing here is computed by this repository.
 */

export type CellKind = 'lstm' | 'gru';
export type ExtraCore = 'none' | 'first' | 'last';

/** One row of the parameter tables: a TT layout and its count by rank. */
export interface PaperParamRow {
  readonly model: CellKind;
  readonly cores: number;
  readonly extraCore: ExtraCore;
  readonly naive: boolean;
  /** Parameters (both TT biases counted, the implementation's count) by rank. */
  readonly params: Readonly<Record<number, number>>;
}

/** The ranks of the parameter tables. */
export const PAPER_PARAM_RANKS: readonly number[] = [1, 2, 4, 8, 16];

/** Sequence classifier of the tables: input 28, 28 steps, hidden 256, one layer, 10 classes. */
export const PAPER_CLASSIFIER = { input: 28, steps: 28, hidden: 256, layers: 1, classes: 10 } as const;

/** Dense baselines of the same classifier. */
export const PAPER_DENSE_PARAMS: Readonly<Record<CellKind, number>> = { lstm: 294_410, gru: 222_218 };

function row(model: CellKind, cores: number, counts: number[], extraCore: ExtraCore = 'none', naive = false): PaperParamRow {
  const params: Record<number, number> = {};
  PAPER_PARAM_RANKS.forEach((r, i) => {
    params[r] = counts[i]!;
  });
  return { model, cores, extraCore, naive, params };
}

/** The parameter tables of the original (TT models include the TT head and both TT biases). */
export const PAPER_PARAM_TABLE: readonly PaperParamRow[] = [
  row('lstm', 2, [3546, 5034, 8010, 13962, 25866]),
  row('lstm', 2, [2866, 4314, 9130, 26442, 91786], 'first'),
  row('lstm', 2, [2866, 4410, 9706, 29130, 103306], 'last'),
  row('lstm', 2, [2874, 5738, 11466, 22922, 45834], 'none', true),
  row('lstm', 3, [2486, 3106, 4922, 10858, 31946]),
  row('lstm', 4, [2274, 2658, 3930, 8490, 25674]),
  row('gru', 2, [2874, 4202, 6858, 12170, 22794]),
  row('gru', 2, [2352, 3798, 8610, 25914, 91242], 'first'),
  row('gru', 2, [3722, 5898, 10250, 18954, 36362], 'none', true),
  row('gru', 3, [1914, 2474, 4170, 9866, 30474]),
  row('gru', 4, [1750, 2098, 3226, 7210, 22090]),
];

/**
 * The authors' analysis notebooks count one bias fewer for TT models: G·H less (G = 4 gates for LSTM,
 * 3 for GRU). This is the "paper" convention of the tables.
 */
export function paperConventionParams(model: CellKind, hidden: number, implementationCount: number, tt: boolean): number {
  return tt ? implementationCount - (model === 'lstm' ? 4 : 3) * hidden : implementationCount;
}

/** The authors' logged parameter count for a layout, if the tables hold it. */
export function paperParams(model: CellKind, cores: number, rank: number, extraCore: ExtraCore = 'none', naive = false): number | undefined {
  const r = PAPER_PARAM_TABLE.find((x) => x.model === model && x.cores === cores && x.extraCore === extraCore && x.naive === naive);
  return r?.params[rank];
}

/** Row-by-row MNIST as the authors ran it. */
export const PAPER_MNIST = {
  optimizer: 'Adam',
  lr: 1e-2,
  lrDecay: '×0.1 every 10 epochs',
  epochs: 20,
  batch: 128,
  hidden: 256,
  trainSize: 50_000,
  validationSize: 10_000,
  normalisation: '(x − 0.1307) / 0.3081',
  /** Test accuracy of the dense LSTM, percent. */
  denseLstmAccuracy: 99.07,
  /** Range of test accuracy of TT-LSTM with 2–4 cores and ranks 1–10, percent. */
  ttLstmAccuracyRange: [97.3, 98.6] as const,
  /** Their parameter range, both TT biases counted. */
  ttLstmParamsRange: [2_000, 17_000] as const,
} as const;

/** One speaker-verification result of the authors: test EER in percent. */
export interface PaperSpeakerResult {
  readonly model: CellKind;
  /** 0 for the dense model. */
  readonly cores: number;
  readonly rank: number;
  readonly params: number;
  readonly eer: number;
}

/** Speaker verification as the authors ran it (LibriSpeech train-clean-100, dev-clean, test-clean). */
export const PAPER_SPEAKER = {
  speakersPerBatch: 16,
  utterancesPerSpeaker: 32,
  hidden: 768,
  embedding: 256,
  layers: 1,
  clip: 3,
  optimizer: 'Adam',
  results: [
    { model: 'lstm', cores: 0, rank: 0, params: 2_680_000, eer: 7.33 },
    { model: 'lstm', cores: 2, rank: 2, params: 13_000, eer: 4.34 },
    { model: 'lstm', cores: 4, rank: 4, params: 6_500, eer: 4.28 },
  ] as readonly PaperSpeakerResult[],
  /** Range of EER over TT-LSTM with 2–4 cores × ranks 1–4, percent. */
  ttEerRange: [4.3, 6.9] as const,
  /** Test EER (percent) against the fraction of training speakers used. */
  dataEfficiency: {
    fractions: [0.2, 0.4, 0.6, 0.8, 1.0],
    lstm: [12.89, 10.27, 8.56, 7.91, 7.33],
    ttLstm: [10.47, 7.17, 5.04, 6.54, 4.34],
  },
} as const;

/** Speed of the original on a 2-core CPU (batch 128, 28 steps, input 28, hidden 256), milliseconds. */
export const PAPER_TIMING: readonly {
  readonly model: string;
  readonly params: number;
  readonly inferenceMs: string;
  readonly trainStepMs: string;
}[] = [
  { model: 'LSTM (original cell)', params: 294_410, inferenceMs: '35', trainStepMs: '118–139' },
  { model: 'TT-LSTM 2 cores rank 2', params: 5_034, inferenceMs: '34', trainStepMs: '121–144' },
  { model: 'TT-LSTM 2 cores rank 8', params: 13_962, inferenceMs: '79–93', trainStepMs: '305–353' },
  { model: 'TT-LSTM 3 cores rank 4', params: 4_922, inferenceMs: '72–93', trainStepMs: '277–287' },
  { model: 'PyTorch native nn.LSTM', params: 295_434, inferenceMs: '37', trainStepMs: '106–112' },
];
