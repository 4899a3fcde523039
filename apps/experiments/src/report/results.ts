/**
 * The shape of `results/<run>/results.json`: every number the report shows, in one JSON document.
 * The report is rendered from this alone, so it can be regenerated from a finished (or half-finished) run.
 */
import type { CellKind } from '@ttrnn/cells';
import type { ExtraCore } from '@ttrnn/tt';
import type { Difference } from '../differences.js';
import type { SpeakerSchedule } from '../paper_results.js';
import type { MnistConfig, PmnistConfig, ProtocolName, SpeakerConfig, StabilityConfig } from '../profiles.js';

/** Where and how the numbers were produced. */
export interface Environment {
  readonly backend: string;
  readonly tfjsVersion: string;
  readonly cpuModel: string;
  readonly cpuCores: number;
  /** 1-minute load average when the run started (timings are only meaningful when it is below cpuCores). */
  readonly loadAverage?: number;
  readonly nodeVersion: string;
  readonly platform: string;
  readonly profile: string;
  readonly run: string;
  /** ISO date given by the entry point. */
  readonly date: string;
  /** The command line that produced the run. */
  readonly command: string;
  readonly seeds: Readonly<Record<string, number>>;
}

/** One point of a learning curve. `step` counts optimiser steps; `epoch` may be fractional. */
export interface CurvePoint {
  readonly step: number;
  readonly epoch?: number;
  readonly trainLoss?: number;
  readonly trainAccuracy?: number;
  readonly validationLoss?: number;
  readonly validationAccuracy?: number;
  readonly trainEer?: number;
  readonly validationEer?: number;
}

/** What the report needs from every training run. */
export interface RunOutcome {
  /** Parameters, both TT biases counted (the implementation's count). */
  readonly params: number;
  /** Parameters by the authors' notebook convention (one TT bias fewer). */
  readonly paramsPaper: number;
  readonly curve: readonly CurvePoint[];
  /** Global gradient norms of the first optimiser steps. */
  readonly gradNorms: readonly number[];
  readonly trainSeconds: number;
  /** Median wall time of a training step, milliseconds. */
  readonly stepMs?: number;
}

/** What the report needs from one MNIST run (accuracies are fractions in [0, 1]). */
export interface MnistOutcome extends RunOutcome {
  readonly validationAccuracy: number;
  readonly testAccuracy: number;
  readonly trainExamples?: number;
  readonly testExamples?: number;
  /**
   * The process's maximum resident set size (MiB) when the run ended: a high-water mark since the process
   * started, so it bounds this run's peak from above (earlier runs of the same invocation count too).
   */
  readonly maxRssMiB?: number;
}

/** What the report needs from one speaker-verification run (EERs are fractions in [0, 1]). */
export interface SpeakerOutcome extends RunOutcome {
  readonly validationEer: number;
  readonly testEer: number;
  readonly trainSpeakers?: number;
  /** Test speakers evaluated, and utterances evaluated over all of them (enrol and verify). */
  readonly testSpeakers?: number;
  readonly testUtterances?: number;
}

/** One run of the stability experiment (accuracies are fractions in [0, 1], on the validation images). */
export interface StabilityOutcome extends Pick<RunOutcome, 'params' | 'paramsPaper' | 'trainSeconds'> {
  /** Validation accuracy after each finished epoch. */
  readonly epochAccuracies: readonly number[];
  /** After the last epoch; chance (0.1) when a non-finite loss stopped the run (its model outputs NaN). */
  readonly finalAccuracy: number;
  /** The best epoch's; chance when no epoch finished. */
  readonly bestAccuracy: number;
  /** Training loss of the last finished epoch, or null. */
  readonly finalTrainLoss: number | null;
  /** The largest training loss of any step (NaN when no step finished). */
  readonly maxTrainLoss: number;
  /** `nan`: stopped by a non-finite loss or gradient norm; `chance`: ended at chance (see stability.ts); null: trained. */
  readonly diverged: 'nan' | 'chance' | null;
  readonly steps: number;
}

export interface RunRecord<C, O> {
  readonly id: string;
  readonly config: C;
  readonly status: 'done' | 'failed' | 'pending';
  readonly reused: boolean;
  readonly outcome?: O;
  readonly error?: string;
  readonly seconds: number;
}

/** One row of our parameter table: a layout, counted at each rank. */
export interface ParamsRow {
  readonly model: CellKind;
  readonly cores: number;
  readonly extraCore: ExtraCore;
  readonly naive: boolean;
  readonly counts: readonly { readonly rank: number; readonly params: number; readonly paramsPaper: number }[];
}

export interface ParamsTables {
  readonly hidden: number;
  readonly input: number;
  readonly classes: number;
  readonly dense: Readonly<Record<CellKind, number>>;
  readonly rows: readonly ParamsRow[];
}

/** A row of the speed table (from the timing command). */
export interface TimingRow {
  readonly model: string;
  readonly params: number;
  readonly inferenceMs: number;
  readonly trainStepMs: number;
}

/** One invocation of `all` on a run directory (a run may take several: interrupted, resumed, extended). */
export interface Invocation {
  readonly date: string;
  readonly command: string;
  readonly backend: string;
  readonly loadAverage?: number;
  readonly wallSeconds: number;
  /** Configurations trained (or measured) by this invocation. */
  readonly ran: number;
  /** Configurations read back from earlier invocations. */
  readonly reused: number;
}

export interface ResultsFile {
  readonly version: 1;
  readonly environment: Environment;
  /** The protocol the runs followed (absent in results written before protocols existed). */
  readonly protocol?: { readonly name: ProtocolName; readonly speakerSchedule: SpeakerSchedule | 'scaled' };
  /** Every difference from the authors' runs, generated from the profile run (differences.ts). */
  readonly differences?: readonly Difference[];
  readonly scaledDown: readonly string[];
  /** What accuracy / EER is plausible at the scale run. */
  readonly expectations: readonly string[];
  readonly params: ParamsTables | null;
  /** Why the parameter tables are missing, when they are. */
  readonly paramsNote?: string;
  readonly mnist: readonly RunRecord<MnistConfig, MnistOutcome>[];
  /** Permuted-pixel MNIST runs (absent in results written before the experiment existed). */
  readonly pmnist?: readonly RunRecord<PmnistConfig, MnistOutcome>[];
  readonly speaker: readonly RunRecord<SpeakerConfig, SpeakerOutcome>[];
  /** The stability experiment's runs (absent in results written before it existed). */
  readonly stability?: readonly RunRecord<StabilityConfig, StabilityOutcome>[];
  readonly timing: readonly TimingRow[] | null;
  readonly timingNote?: string;
  /** Seconds since the command started, at the time of writing. */
  readonly wallSeconds: number;
  /** Notes about skipped parts (missing data, unavailable commands). */
  readonly notes: readonly string[];
  /** Every invocation on this run directory, oldest first, this one last. */
  readonly invocations?: readonly Invocation[];
}
