import { Rng } from '@ttrnn/random';
import type { RngState } from '@ttrnn/random';
import { RandomCycler } from './cycler.js';
import type { RandomCyclerState } from './cycler.js';
import { usableUtterances } from './dataset.js';
import type { SpeakerFeatures, UtteranceFeatures } from './dataset.js';

export interface Ge2eBatchOptions {
  /** N: speakers per batch (the paper: 16). */
  readonly speakersPerBatch: number;
  /** M: utterances per speaker (the paper: 32). */
  readonly utterancesPerSpeaker: number;
  /** Frames per training crop (the original: 160). */
  readonly frames: number;
  /** Shorter utterances are never drawn (the original: 160). */
  readonly minFrames: number;
  readonly seed: number;
}

export const DEFAULT_GE2E_BATCH: Ge2eBatchOptions = Object.freeze({
  speakersPerBatch: 16,
  utterancesPerSpeaker: 32,
  frames: 160,
  minFrames: 160,
  seed: 0,
});

export interface Ge2eBatch {
  /** [N·M, frames, nMels], speaker-major: rows s·M … s·M + M − 1 are speaker s. */
  readonly x: Float32Array;
  readonly shape: readonly [number, number, number];
  /** The N speaker ids, in batch order. */
  readonly speakers: readonly string[];
  /** The N·M utterance ids, in row order. */
  readonly utterances: readonly string[];
  /** The crop start frame of each row. */
  readonly starts: readonly number[];
}

/** Everything needed to resume a `Ge2eBatcher` bit-exactly (plain JSON). */
export interface Ge2eBatcherState {
  readonly batches: number;
  readonly rng: { words: RngState; spare: number | null };
  readonly speakers: RandomCyclerState;
  /** Utterance cycler states by speaker index (only speakers drawn so far). */
  readonly utterances: Readonly<Record<string, RandomCyclerState>>;
}

/**
 * GE2E training batches: N speakers × M utterances, each a random crop of
 * `frames` frames. Speakers and each speaker's utterances are drawn through
 * `RandomCycler`s (every item once per cycle, reshuffled each cycle), all
 * driven by one seeded generator, so `getState`/`setState` resume a run
 * exactly.
 *
 * Speakers with fewer than M usable utterances cannot fill a batch without
 * repeating an utterance; they are left out and listed in `excludedSpeakers`.
 *
 * Porting note: the original picks a crop start in [0, frames − 160)
 * (numpy randint's open upper bound), so an utterance of exactly 160 frames
 * would fail there; here the start is in [0, frames − 160].
 */
export class Ge2eBatcher {
  readonly options: Ge2eBatchOptions;
  readonly nMels: number;
  /** Speakers left out: fewer than M usable utterances. */
  readonly excludedSpeakers: readonly { id: string; usableUtterances: number }[];
  private readonly speakers: { id: string; utterances: UtteranceFeatures[] }[];
  private readonly rng: Rng;
  private readonly speakerCycler: RandomCycler;
  private utteranceCyclers = new Map<number, RandomCycler>();
  private batches = 0;

  constructor(speakers: readonly SpeakerFeatures[], options: Partial<Ge2eBatchOptions> = {}) {
    const o: Ge2eBatchOptions = { ...DEFAULT_GE2E_BATCH, ...options };
    for (const key of ['speakersPerBatch', 'utterancesPerSpeaker', 'frames', 'minFrames'] as const) {
      if (!Number.isInteger(o[key]) || o[key] <= 0) {
        throw new Error(`'${key}' passed to 'Ge2eBatcher' must be a positive integer, got ${o[key]}`);
      }
    }
    if (o.minFrames < o.frames) {
      throw new Error(`'minFrames' passed to 'Ge2eBatcher' must be ≥ frames (${o.frames}), got ${o.minFrames}`);
    }
    this.options = o;
    const M = o.utterancesPerSpeaker;
    const kept: { id: string; utterances: UtteranceFeatures[] }[] = [];
    const excluded: { id: string; usableUtterances: number }[] = [];
    for (const s of speakers) {
      const usable = usableUtterances(s, o.minFrames);
      if (usable.length >= M) kept.push({ id: s.id, utterances: usable });
      else excluded.push({ id: s.id, usableUtterances: usable.length });
    }
    if (kept.length < o.speakersPerBatch) {
      const short = excluded
        .slice(0, 8)
        .map((e) => `${e.id} (${e.usableUtterances})`)
        .join(', ');
      throw new Error(
        `'Ge2eBatcher' needs ${o.speakersPerBatch} speakers with at least ${M} usable utterances (≥ ${o.minFrames} frames) ` +
          `but the corpus has ${kept.length} of ${speakers.length}` +
          (excluded.length > 0 ? `; speakers with too few: ${short}${excluded.length > 8 ? ', …' : ''}` : ''),
      );
    }
    const nMels = kept[0]?.utterances[0]?.nMels ?? 0;
    for (const s of kept) {
      for (const u of s.utterances) {
        if (u.nMels !== nMels)
          throw new Error(`${u.file}: expected ${nMels} mel channels like the rest of the corpus, got ${u.nMels}`);
      }
    }
    this.nMels = nMels;
    this.speakers = kept;
    this.excludedSpeakers = excluded;
    this.rng = new Rng(o.seed);
    this.speakerCycler = new RandomCycler(kept.length);
  }

  /** Number of speakers that can be drawn. */
  get speakerCount(): number {
    return this.speakers.length;
  }

  private cyclerFor(s: number): RandomCycler {
    let c = this.utteranceCyclers.get(s);
    if (!c) {
      c = new RandomCycler((this.speakers[s] as { utterances: UtteranceFeatures[] }).utterances.length);
      this.utteranceCyclers.set(s, c);
    }
    return c;
  }

  next(): Ge2eBatch {
    const { speakersPerBatch: N, utterancesPerSpeaker: M, frames: T } = this.options;
    const D = this.nMels;
    const x = new Float32Array(N * M * T * D);
    const speakerIdx = this.speakerCycler.sample(N, this.rng);
    const speakers: string[] = [];
    const utterances: string[] = [];
    const starts: number[] = [];
    let row = 0;
    for (const s of speakerIdx) {
      const speaker = this.speakers[s] as { id: string; utterances: UtteranceFeatures[] };
      speakers.push(speaker.id);
      for (const u of this.cyclerFor(s).sample(M, this.rng)) {
        const utt = speaker.utterances[u] as UtteranceFeatures;
        const start = this.rng.int(utt.frames - T + 1);
        x.set(utt.data.subarray(start * D, (start + T) * D), row * T * D);
        utterances.push(utt.id);
        starts.push(start);
        row++;
      }
    }
    this.batches++;
    return { x, shape: [N * M, T, D], speakers, utterances, starts };
  }

  getState(): Ge2eBatcherState {
    const utterances: Record<string, RandomCyclerState> = {};
    for (const [s, c] of [...this.utteranceCyclers.entries()].sort((a, b) => a[0] - b[0]))
      utterances[String(s)] = c.getState();
    return { batches: this.batches, rng: this.rng.getState(), speakers: this.speakerCycler.getState(), utterances };
  }

  /** Restores a state from `getState` of a batcher over the same speakers and options. */
  setState(state: Ge2eBatcherState): void {
    if (
      state === null ||
      typeof state !== 'object' ||
      !Number.isInteger(state.batches) ||
      typeof state.utterances !== 'object'
    ) {
      throw new Error(
        `'state' passed to 'Ge2eBatcher.setState' must come from 'Ge2eBatcher.getState', got ${JSON.stringify(state)}`,
      );
    }
    this.rng.setState(state.rng);
    this.speakerCycler.setState(state.speakers);
    const cyclers = new Map<number, RandomCycler>();
    for (const [k, v] of Object.entries(state.utterances)) {
      const s = Number(k);
      if (!Number.isInteger(s) || s < 0 || s >= this.speakers.length) {
        throw new Error(
          `'state' passed to 'Ge2eBatcher.setState' names speaker index ${k}, but there are ${this.speakers.length} speakers`,
        );
      }
      const c = new RandomCycler((this.speakers[s] as { utterances: UtteranceFeatures[] }).utterances.length);
      c.setState(v);
      cyclers.set(s, c);
    }
    this.utteranceCyclers = cyclers;
    this.batches = state.batches;
  }

  /** Batches drawn so far. */
  get batchCount(): number {
    return this.batches;
  }
}
