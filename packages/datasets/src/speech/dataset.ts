import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FeatureCache } from './cache.js';
import type { CacheStats } from './cache.js';
import { SPLIT_NAMES } from './corpus.js';
import type { SkippedFile, SpeakerCorpus, SplitName, UtteranceSource } from './corpus.js';
import { resolveFeatureOptions, speakerFeatures } from './features.js';
import type { SpeakerFeatureOptions } from './features.js';
import type { MelFrames } from './mel.js';

/** Bumped whenever feature extraction changes meaning, so cached entries are not reused. */
export const FEATURE_PIPELINE_VERSION = 1;

export interface UtteranceFeatures {
  readonly id: string;
  readonly speaker: string;
  readonly file: string;
  /** [frames, nMels] row-major. */
  readonly data: Float32Array;
  readonly frames: number;
  readonly nMels: number;
}

export interface SpeakerFeatures {
  readonly id: string;
  /** Every utterance that was processed, usable or not (see `usableUtterances`). */
  readonly utterances: readonly UtteranceFeatures[];
}

export interface SpeakerFeatureSet {
  readonly name: string;
  readonly options: SpeakerFeatureOptions;
  readonly splits: Readonly<Record<SplitName, readonly SpeakerFeatures[]>>;
  /** Every file that could not be used, with the reason (listing and extraction). */
  readonly skipped: readonly SkippedFile[];
  /** Cache counters, or null without a cache. */
  readonly cache: CacheStats | null;
}

export interface ExtractOptions {
  readonly features?: Partial<SpeakerFeatureOptions>;
  /** Directory of the feature cache; null or absent: no cache. Chosen by the caller. */
  readonly cacheDir?: string | null;
  /** 'skip' (default): a bad file goes into `skipped`; 'throw': the first bad file throws. */
  readonly onError?: 'skip' | 'throw';
  /** Called after each utterance (done, total), e.g. for a progress line. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The cache key of one utterance: pipeline version, every setting, and the audio's identity. */
export function featureCacheKey(options: SpeakerFeatureOptions, source: UtteranceSource): string {
  return JSON.stringify({ pipeline: FEATURE_PIPELINE_VERSION, options, identity: source.identity });
}

/**
 * Features for one utterance, through the cache when given. A cached entry
 * is used only if its header, size, key and checksum all match.
 */
export async function utteranceFeatures(
  source: UtteranceSource,
  options: SpeakerFeatureOptions,
  cache: FeatureCache | null,
): Promise<MelFrames> {
  const key = featureCacheKey(options, source);
  if (cache) {
    const hit = await cache.get(key);
    if (hit && hit.nMels === options.nMels) return hit;
  }
  const audio = await source.load();
  const mel = await speakerFeatures(audio, options, source.file);
  if (cache) await cache.put(key, mel);
  return mel;
}

/**
 * Extracts (or loads from the cache) the mel features of every utterance of
 * a corpus. Bad files are collected in `skipped` with the reason and left
 * out, never silently; a speaker left with no utterance is dropped and
 * listed in `skipped` too.
 */
/** Throws, naming `dir` and the reason, unless a file can be created in it (created when missing). */
async function probeWritable(dir: string): Promise<void> {
  const probe = join(dir, `.probe-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason =
      e.code === 'EACCES' || e.code === 'EPERM'
        ? 'permission denied'
        : e.code === 'EROFS'
          ? 'read-only file system'
          : e.code === 'ENOTDIR'
            ? 'a component of the path is not a directory'
            : e.message;
    throw new Error(
      `${dir}: cannot write the speaker-feature cache there: ${reason} (${e.code ?? 'error'}); choose another --cache-dir`,
      { cause: err },
    );
  }
}

export async function extractSpeakerFeatures(
  corpus: SpeakerCorpus,
  options: ExtractOptions = {},
): Promise<SpeakerFeatureSet> {
  const o = resolveFeatureOptions(options.features ?? {}, 'extractSpeakerFeatures');
  const cache = options.cacheDir ? new FeatureCache(options.cacheDir) : null;
  // A cache that cannot be written would fail every utterance, each "skipped": say what is wrong once.
  if (options.cacheDir) await probeWritable(options.cacheDir);
  const skipped: SkippedFile[] = [...corpus.skipped];
  let total = 0;
  for (const split of SPLIT_NAMES) for (const s of corpus.splits[split]) total += s.utterances.length;
  let done = 0;
  const splits = {} as Record<SplitName, SpeakerFeatures[]>;
  for (const split of SPLIT_NAMES) {
    const speakers: SpeakerFeatures[] = [];
    for (const speaker of corpus.splits[split]) {
      const utterances: UtteranceFeatures[] = [];
      for (const u of speaker.utterances) {
        try {
          const mel = await utteranceFeatures(u, o, cache);
          utterances.push({
            id: u.id,
            speaker: speaker.id,
            file: u.file,
            data: mel.data,
            frames: mel.frames,
            nMels: mel.nMels,
          });
        } catch (e) {
          if (options.onError === 'throw') throw e;
          skipped.push({ file: u.file, reason: (e as Error).message });
        }
        options.onProgress?.(++done, total);
      }
      if (utterances.length > 0) speakers.push({ id: speaker.id, utterances });
      else skipped.push({ file: speaker.id, reason: `speaker '${speaker.id}' in ${split} has no readable utterance` });
    }
    splits[split] = speakers;
  }
  return { name: corpus.name, options: o, splits, skipped, cache: cache ? { ...cache.stats } : null };
}

/** The utterances with at least `minFrames` frames (the original drops shorter ones). */
export function usableUtterances(speaker: SpeakerFeatures, minFrames: number): UtteranceFeatures[] {
  return speaker.utterances.filter((u) => u.frames >= minFrames);
}

export interface SplitSummary {
  readonly speakers: number;
  readonly utterances: number;
  /** Utterances with at least `minFrames` frames. */
  readonly usableUtterances: number;
  /** Speakers with at least one usable utterance. */
  readonly usableSpeakers: number;
  /** Frames over all utterances. */
  readonly frames: number;
  /** Frames over usable utterances. */
  readonly usableFrames: number;
}

export interface SpeakerDataSummary {
  readonly name: string;
  readonly minFrames: number;
  readonly splits: Readonly<Record<SplitName, SplitSummary>>;
  readonly skipped: number;
}

/** Per-split counts as a plain JSON object (for `exp data --dataset speakers`). */
export function summarizeSpeakerFeatures(set: SpeakerFeatureSet): SpeakerDataSummary {
  const minFrames = set.options.minFrames;
  const splits = {} as Record<SplitName, SplitSummary>;
  for (const split of SPLIT_NAMES) {
    let utterances = 0;
    let usable = 0;
    let usableSpeakers = 0;
    let frames = 0;
    let usableFrames = 0;
    for (const s of set.splits[split]) {
      let any = false;
      for (const u of s.utterances) {
        utterances++;
        frames += u.frames;
        if (u.frames >= minFrames) {
          usable++;
          usableFrames += u.frames;
          any = true;
        }
      }
      if (any) usableSpeakers++;
    }
    splits[split] = {
      speakers: set.splits[split].length,
      utterances,
      usableUtterances: usable,
      usableSpeakers,
      frames,
      usableFrames,
    };
  }
  return { name: set.name, minFrames, splits, skipped: set.skipped.length };
}
