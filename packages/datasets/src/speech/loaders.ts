import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng, deriveSeed } from '@ttrnn/random';
import { readAudioFile } from './audio_file.js';
import type { SkippedFile, SpeakerCorpus, SpeakerSource, SplitName, UtteranceSource } from './corpus.js';

const AUDIO_EXT = /\.(wav|flac)$/i;

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function sortedEntries(dir: string) {
  try {
    return (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  } catch (e) {
    throw new Error(`${dir}: cannot list directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

async function fileSource(path: string, id: string, speaker: string): Promise<UtteranceSource> {
  const st = await stat(path);
  return {
    id,
    speaker,
    file: path,
    identity: JSON.stringify({ path, size: st.size, mtimeMs: st.mtimeMs }),
    load: () => readAudioFile(path),
  };
}

/** Every .wav/.flac file under `dir`, at any depth, sorted by path. */
async function audioFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await sortedEntries(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await audioFilesUnder(p)));
    else if (e.isFile() && AUDIO_EXT.test(e.name)) out.push(p);
  }
  return out;
}

export interface LibriSpeechOptions {
  /** The folder that holds the subset folders (e.g. `LibriSpeech/`). */
  readonly root: string;
  /** Subset folders per split; the paper's: train-clean-100 / dev-clean / test-clean. */
  readonly subsets?: Readonly<Record<SplitName, readonly string[]>>;
}

export const LIBRISPEECH_PAPER_SUBSETS: Readonly<Record<SplitName, readonly string[]>> = Object.freeze({
  train: ['train-clean-100'],
  validation: ['dev-clean'],
  test: ['test-clean'],
});

/**
 * LibriSpeech: `<root>/<subset>/<speaker>/<chapter>/<speaker>-<chapter>-<utt>.flac`.
 * The speaker comes from the folder; a file whose name does not carry the
 * same speaker and chapter is reported in `skipped`, not used. A missing
 * subset folder is an error naming it.
 */
export async function libriSpeechCorpus(options: LibriSpeechOptions): Promise<SpeakerCorpus> {
  const subsets = options.subsets ?? LIBRISPEECH_PAPER_SUBSETS;
  const skipped: SkippedFile[] = [];
  const splits = {} as Record<SplitName, SpeakerSource[]>;
  const seen = new Map<string, SplitName>();
  for (const split of ['train', 'validation', 'test'] as const) {
    const speakers = new Map<string, UtteranceSource[]>();
    for (const subset of subsets[split]) {
      const dir = join(options.root, subset);
      if (!(await isDir(dir))) {
        throw new Error(
          `${dir}: LibriSpeech subset folder for the ${split} split not found (expected <root>/${subset}/<speaker>/<chapter>/*.flac)`,
        );
      }
      for (const sp of await sortedEntries(dir)) {
        if (!sp.isDirectory()) continue;
        const speaker = sp.name;
        const prev = seen.get(speaker);
        if (prev !== undefined && prev !== split) {
          throw new Error(
            `${join(dir, speaker)}: speaker ${speaker} is in both the ${prev} and ${split} splits; splits must have disjoint speakers`,
          );
        }
        seen.set(speaker, split);
        for (const ch of await sortedEntries(join(dir, speaker))) {
          if (!ch.isDirectory()) continue;
          const chDir = join(dir, speaker, ch.name);
          const pattern = new RegExp(`^${speaker}-${ch.name}-\\d+\\.flac$`);
          for (const f of await sortedEntries(chDir)) {
            if (!f.isFile() || !AUDIO_EXT.test(f.name)) continue;
            const path = join(chDir, f.name);
            if (!pattern.test(f.name)) {
              skipped.push({
                file: path,
                reason: `expected a name like ${speaker}-${ch.name}-0000.flac in this folder`,
              });
              continue;
            }
            const list = speakers.get(speaker) ?? [];
            list.push(await fileSource(path, f.name.replace(/\.flac$/, ''), speaker));
            speakers.set(speaker, list);
          }
        }
      }
    }
    splits[split] = [...speakers.entries()].map(([id, utterances]) => ({ id, utterances }));
  }
  return { name: `librispeech:${options.root}`, splits, skipped };
}

export interface SpeakerFoldersOptions {
  /**
   * Either a folder with `train/`, `validation/` (or `dev/`) and `test/`
   * subfolders, each laid out as `<split>/<speaker>/**\/*.{wav,flac}`, or a
   * folder laid out as `<root>/<speaker>/**\/*.{wav,flac}` whose speakers are
   * divided between the splits by `fractions` and `seed`.
   */
  readonly root: string;
  /** Used only without split folders; default LibriSpeech's 251:40:40. */
  readonly fractions?: Readonly<Record<SplitName, number>>;
  readonly seed?: number;
}

async function speakersUnder(dir: string): Promise<SpeakerSource[]> {
  const out: SpeakerSource[] = [];
  for (const e of await sortedEntries(dir)) {
    if (!e.isDirectory()) continue;
    const files = await audioFilesUnder(join(dir, e.name));
    const utterances = await Promise.all(
      files.map((f) => fileSource(f, `${e.name}/${f.slice(join(dir, e.name).length + 1)}`, e.name)),
    );
    if (utterances.length > 0) out.push({ id: e.name, utterances });
  }
  return out;
}

/** Generic layout: one folder per speaker, audio files at any depth below it. */
export async function speakerFoldersCorpus(options: SpeakerFoldersOptions): Promise<SpeakerCorpus> {
  const root = options.root;
  if (!(await isDir(root))) throw new Error(`${root}: speaker corpus folder not found`);
  const valName = (await isDir(join(root, 'validation')))
    ? 'validation'
    : (await isDir(join(root, 'dev')))
      ? 'dev'
      : null;
  if ((await isDir(join(root, 'train'))) && (await isDir(join(root, 'test')))) {
    const splits: Record<SplitName, SpeakerSource[]> = {
      train: await speakersUnder(join(root, 'train')),
      validation: valName ? await speakersUnder(join(root, valName)) : [],
      test: await speakersUnder(join(root, 'test')),
    };
    const seen = new Map<string, SplitName>();
    for (const split of ['train', 'validation', 'test'] as const) {
      for (const s of splits[split]) {
        const prev = seen.get(s.id);
        if (prev)
          throw new Error(
            `${root}: speaker '${s.id}' is in both the ${prev} and ${split} splits; splits must have disjoint speakers`,
          );
        seen.set(s.id, split);
      }
    }
    return { name: `folders:${root}`, splits, skipped: [] };
  }
  const speakers = await speakersUnder(root);
  if (speakers.length === 0)
    throw new Error(`${root}: no speaker folders with .wav or .flac files (expected <root>/<speaker>/**/*.wav|flac)`);
  const f = options.fractions ?? { train: 251, validation: 40, test: 40 };
  const sum = f.train + f.validation + f.test;
  if (!(sum > 0) || f.train < 0 || f.validation < 0 || f.test < 0) {
    throw new Error(
      `'fractions' passed to 'speakerFoldersCorpus' must be non-negative with a positive sum, got ${JSON.stringify(f)}`,
    );
  }
  const order = new Rng(deriveSeed(options.seed ?? 0, 17)).permutation(speakers.length);
  // At least one speaker in a split with a positive share, when there are enough speakers.
  const atLeastOne = (share: number) => {
    const n = Math.round((speakers.length * share) / sum);
    return share > 0 && n === 0 && speakers.length >= 3 ? 1 : n;
  };
  const nVal = atLeastOne(f.validation);
  const nTest = atLeastOne(f.test);
  const pick = (lo: number, hi: number) =>
    order
      .slice(lo, hi)
      .sort((a, b) => a - b)
      .map((i) => speakers[i] as SpeakerSource);
  const nTrain = speakers.length - nVal - nTest;
  return {
    name: `folders:${root}`,
    splits: {
      train: pick(0, nTrain),
      validation: pick(nTrain, nTrain + nVal),
      test: pick(nTrain + nVal, speakers.length),
    },
    skipped: [],
  };
}

/** True if `root` holds at least one known LibriSpeech subset folder. */
export async function looksLikeLibriSpeech(root: string): Promise<boolean> {
  for (const s of ['train-clean-100', 'train-clean-360', 'train-other-500', 'dev-clean', 'test-clean']) {
    if (await isDir(join(root, s))) return true;
  }
  return false;
}
