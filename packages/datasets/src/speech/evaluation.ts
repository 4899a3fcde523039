import { usableUtterances } from './dataset.js';
import type { SpeakerFeatures, UtteranceFeatures } from './dataset.js';

export interface WindowOptions {
  /** Window length in frames (the original: 160). */
  readonly frames: number;
  /** Overlap fraction in [0, 1) (the original: 0.5, so a step of 80 frames). */
  readonly overlap: number;
}

export const DEFAULT_WINDOWS: WindowOptions = Object.freeze({ frames: 160, overlap: 0.5 });

export interface EvaluationWindows {
  /** Start frame of each window. */
  readonly starts: number[];
  /** Each window: [frames, nMels] row-major (a copy). */
  readonly windows: Float32Array[];
  readonly shape: readonly [number, number];
}

/**
 * The evaluation windows of one utterance: full windows of `frames` frames
 * at a step of round(frames·(1 − overlap)), starting at frame 0; the
 * utterance's embedding is the mean of the windows' embeddings. A trailing
 * part shorter than a window is not covered (an utterance of 160..239 frames
 * gives one window).
 */
export function evaluationWindows(
  utt: Pick<UtteranceFeatures, 'data' | 'frames' | 'nMels'> & { file?: string },
  options: Partial<WindowOptions> = {},
): EvaluationWindows {
  const o = { ...DEFAULT_WINDOWS, ...options };
  if (!Number.isInteger(o.frames) || o.frames <= 0) {
    throw new Error(`'frames' passed to 'evaluationWindows' must be a positive integer, got ${o.frames}`);
  }
  if (!(o.overlap >= 0 && o.overlap < 1)) {
    throw new Error(`'overlap' passed to 'evaluationWindows' must be in [0, 1), got ${o.overlap}`);
  }
  if (utt.frames < o.frames) {
    throw new Error(
      `'evaluationWindows': ${utt.file ?? 'utterance'} has ${utt.frames} frames, fewer than one window of ${o.frames}`,
    );
  }
  const step = Math.max(1, Math.round(o.frames * (1 - o.overlap)));
  const D = utt.nMels;
  const starts: number[] = [];
  const windows: Float32Array[] = [];
  for (let s = 0; s + o.frames <= utt.frames; s += step) {
    starts.push(s);
    windows.push(utt.data.slice(s * D, (s + o.frames) * D));
  }
  return { starts, windows, shape: [o.frames, D] };
}

export interface EnrolmentSpeaker {
  readonly speaker: string;
  /** The first half of the speaker's evaluated utterances (floor(n/2)); their mean embedding is the centroid. */
  readonly enrol: UtteranceFeatures[];
  /** The rest, each scored against every centroid. */
  readonly verify: UtteranceFeatures[];
}

export interface EnrolmentSplit {
  readonly speakers: EnrolmentSpeaker[];
  /** Speakers with fewer than 2 usable utterances (cannot both enrol and verify). */
  readonly excluded: { speaker: string; usableUtterances: number }[];
}

/**
 * The evaluation split: per speaker, in corpus order (LibriSpeech: sorted by chapter, then utterance), the
 * first `utterances` usable utterances (0 = all of them); their first half enrols and the rest verify.
 * The original evaluates the first 32 (`utterances: 32`): 16 enrol, 16 verify. Porting notes: a speaker
 * with fewer usable utterances than asked for enrols the first half of what it has (the original's corpus
 * has none: every LibriSpeech test-clean speaker has more than 32).
 */
export function enrolmentSplit(speakers: readonly SpeakerFeatures[], minFrames = 160, utterances = 0): EnrolmentSplit {
  if (!Number.isInteger(utterances) || utterances < 0 || utterances === 1) {
    throw new Error(`'utterances' passed to 'enrolmentSplit' must be 0 (all) or an integer ≥ 2, got ${utterances}`);
  }
  const out: EnrolmentSpeaker[] = [];
  const excluded: { speaker: string; usableUtterances: number }[] = [];
  for (const s of speakers) {
    const all = usableUtterances(s, minFrames);
    const usable = utterances > 0 ? all.slice(0, utterances) : all;
    if (usable.length < 2) {
      excluded.push({ speaker: s.id, usableUtterances: usable.length });
      continue;
    }
    const half = Math.floor(usable.length / 2);
    out.push({ speaker: s.id, enrol: usable.slice(0, half), verify: usable.slice(half) });
  }
  return { speakers: out, excluded };
}
