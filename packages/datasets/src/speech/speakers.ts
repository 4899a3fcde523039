import { join } from 'node:path';
import type { SpeakerCorpus } from './corpus.js';
import { extractSpeakerFeatures, summarizeSpeakerFeatures } from './dataset.js';
import type { ExtractOptions, SpeakerDataSummary, SpeakerFeatureSet } from './dataset.js';
import { libriSpeechCorpus, looksLikeLibriSpeech, speakerFoldersCorpus } from './loaders.js';
import { syntheticCorpus } from './synthetic.js';
import type { SyntheticSize } from './synthetic.js';

export interface SpeakerDataOptions extends ExtractOptions {
  /**
   * A LibriSpeech root (holding train-clean-100/, dev-clean/, test-clean/)
   * or a speaker-folders corpus; absent: the embedded synthetic corpus.
   */
  readonly dataDir?: string;
  /** Size of the synthetic corpus (ignored with `dataDir`). Default 'quick'. */
  readonly size?: SyntheticSize;
  /** Seed of the synthetic corpus or of the speaker-folders split. Default 0. */
  readonly seed?: number;
  /** Synthetic corpus only: white noise at this SNR in dB (see `syntheticCorpus`). */
  readonly noiseSnrDb?: number | null;
}

/** Picks the corpus for `dataDir` (LibriSpeech, speaker folders) or the synthetic default. */
export async function resolveSpeakerCorpus(
  options: Omit<SpeakerDataOptions, keyof ExtractOptions> = {},
): Promise<SpeakerCorpus> {
  const seed = options.seed ?? 0;
  if (options.dataDir === undefined) {
    return syntheticCorpus({ size: options.size ?? 'quick', seed, noiseSnrDb: options.noiseSnrDb ?? null });
  }
  if (await looksLikeLibriSpeech(options.dataDir)) return libriSpeechCorpus({ root: options.dataDir });
  // The LibriSpeech tarballs unpack into a `LibriSpeech/` folder: accept its parent too.
  const nested = join(options.dataDir, 'LibriSpeech');
  if (await looksLikeLibriSpeech(nested)) return libriSpeechCorpus({ root: nested });
  return speakerFoldersCorpus({ root: options.dataDir, seed });
}

/** Corpus + features (through the cache when `cacheDir` is given). */
export async function loadSpeakerData(options: SpeakerDataOptions = {}): Promise<SpeakerFeatureSet> {
  const corpus = await resolveSpeakerCorpus(options);
  return extractSpeakerFeatures(corpus, options);
}

/**
 * What `pnpm run exp data --dataset speakers [--data-dir DIR]` prints: per
 * split, speakers, utterances, usable utterances (≥ minFrames) and frames,
 * plus the skipped files with reasons.
 */
export async function speakerDataSummary(
  options: SpeakerDataOptions = {},
): Promise<SpeakerDataSummary & { skippedFiles: { file: string; reason: string }[] }> {
  const set = await loadSpeakerData(options);
  return {
    ...summarizeSpeakerFeatures(set),
    skippedFiles: set.skipped.map((s) => ({ file: s.file, reason: s.reason })),
  };
}
