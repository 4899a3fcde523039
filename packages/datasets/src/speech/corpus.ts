import type { Audio } from './audio.js';

export type SplitName = 'train' | 'validation' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = Object.freeze(['train', 'validation', 'test']);

/** One utterance before feature extraction: how to get its audio, and what identifies it. */
export interface UtteranceSource {
  /** Unique within the corpus. */
  readonly id: string;
  readonly speaker: string;
  /** What errors and `skipped` entries name: a file path, or `synthetic:<id>`. */
  readonly file: string;
  /**
   * Identity of the audio for the feature cache: path + size + mtime for
   * files, the full generation recipe for synthetic audio.
   */
  readonly identity: string;
  load(): Promise<Audio>;
}

export interface SpeakerSource {
  readonly id: string;
  readonly utterances: readonly UtteranceSource[];
}

/** A corpus as lists of speakers per split (speakers are disjoint across splits). */
export interface SpeakerCorpus {
  readonly name: string;
  readonly splits: Readonly<Record<SplitName, readonly SpeakerSource[]>>;
  /** Files found but not usable at listing time (e.g. unexpected names). */
  readonly skipped: readonly SkippedFile[];
}

export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
}
