// The reference makes this ambient declaration reach packages that typecheck these sources through the
// "source" condition (an ambient module declaration cannot be imported).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../types/espeak-ng-emscripten.d.ts" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Rng, deriveSeed } from '@ttrnn/random';
import type { Audio } from './audio.js';
import type { ESpeakModule } from '@echogarden/espeak-ng-emscripten';
import type { SpeakerCorpus, SpeakerSource, SplitName, UtteranceSource } from './corpus.js';
import { SYNTHETIC_WORDS } from './words.js';

/**
 * eSpeak-NG voices (language/accent). Checked to load (set_voice returns 0)
 * and to sound different from each other; `en-gb` is absent because it is not
 * a voice name here (set_voice returns 2 and silently keeps the default).
 */
export const SYNTHETIC_ACCENTS: readonly string[] = Object.freeze([
  'en',
  'en-us',
  'en-gb-scotland',
  'en-029',
  'en-gb-x-rp',
  'en-us-nyc',
  'en-gb-x-gbclan',
  'en-gb-x-gbcwmd',
]);

/**
 * eSpeak-NG voice variants (`voice+variant`). An unknown variant falls back
 * silently to the plain voice, so each of these is checked in the tests to
 * produce audio different from the plain voice and from every other variant.
 * 'whisper' is left out: it has no pitch, so little speaker identity.
 */
export const SYNTHETIC_VARIANTS: readonly string[] = Object.freeze([
  'm1',
  'm2',
  'm3',
  'm4',
  'm5',
  'm6',
  'm7',
  'f1',
  'f2',
  'f3',
  'f4',
  'f5',
  'klatt',
  'croak',
  'Andy',
  'Annie',
  'Gene',
  'Jacky',
  'Lee',
  'Mario',
  'Michael',
  'Storm',
  'Tweaky',
  'max',
  'quincy',
  'rob',
  'steph',
  'aunty',
  'boris',
  'edward',
  'john',
  'linda',
  'norbert',
  'shelby',
  'travis',
  'victor',
  'iven',
  'iven2',
]);

/** A synthetic speaker: a voice, a variant and a base pitch and speaking rate. */
export interface SyntheticSpeaker {
  readonly id: string;
  readonly accent: string;
  readonly variant: string;
  /** eSpeak pitch 0..99 (default 50). */
  readonly pitch: number;
  /** Words per minute (default 175). */
  readonly rate: number;
}

/** One synthetic utterance: the speaker's settings with per-utterance jitter, and its text. */
export interface SyntheticUtterance {
  readonly id: string;
  readonly speaker: SyntheticSpeaker;
  readonly text: string;
  readonly pitch: number;
  readonly rate: number;
  /** eSpeak pitch range 0..99 (default 50). */
  readonly range: number;
}

export type SyntheticSize = 'tiny' | 'quick' | 'paper';

export interface SyntheticSizeSpec {
  readonly speakers: Readonly<Record<SplitName, number>>;
  readonly utterancesPerSpeaker: number;
  /** Words per sentence, inclusive range. */
  readonly words: readonly [number, number];
}

/**
 * Corpus sizes, chosen from measurements (CPU time on one core, synthesis +
 * features): tiny's 24 utterances in a few seconds (tests); quick's 480 in
 * about 52 s, every utterance ≥ 160 frames (shortest 196); paper is
 * LibriSpeech-shaped (251/40/40 speakers) with 32 utterances each (one GE2E
 * batch's M), 10,592 utterances, about 25 minutes.
 */
export const SYNTHETIC_SIZES: Readonly<Record<SyntheticSize, SyntheticSizeSpec>> = Object.freeze({
  tiny: { speakers: { train: 4, validation: 1, test: 1 }, utterancesPerSpeaker: 4, words: [6, 8] as const },
  quick: { speakers: { train: 24, validation: 8, test: 8 }, utterancesPerSpeaker: 12, words: [7, 11] as const },
  paper: { speakers: { train: 251, validation: 40, test: 40 }, utterancesPerSpeaker: 32, words: [8, 16] as const },
});

/** Bumped whenever the recipe below changes meaning, so cached features are not reused. */
export const SYNTHETIC_RECIPE_VERSION = 2;

function sentence(rng: Rng, minWords: number, maxWords: number): string {
  const n = minWords + rng.int(maxWords - minWords + 1);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(SYNTHETIC_WORDS[rng.int(SYNTHETIC_WORDS.length)] as string);
  const first = words[0] as string;
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return `${words.join(' ')}.`;
}

/**
 * The speakers and utterances of a synthetic corpus, a pure function of
 * (size, seed). Speakers are distinct (accent, variant, pitch band) cells of
 * a seeded shuffle of the grid, so no two speakers share a voice; splits take
 * consecutive, disjoint runs of that list.
 */
export function syntheticCorpusSpec(size: SyntheticSize, seed: number): Record<SplitName, SyntheticUtterance[][]> {
  const spec = SYNTHETIC_SIZES[size];
  if (spec === undefined) {
    throw new Error(
      `'size' passed to 'syntheticCorpusSpec' must be one of ${Object.keys(SYNTHETIC_SIZES).join(', ')}, got ${String(size)}`,
    );
  }
  const total = spec.speakers.train + spec.speakers.validation + spec.speakers.test;
  // Two pitch bands (low 30±8, high 62±8) double the grid to 8 × 38 × 2 = 608 cells.
  const cells: [number, number, number][] = [];
  for (let a = 0; a < SYNTHETIC_ACCENTS.length; a++) {
    for (let v = 0; v < SYNTHETIC_VARIANTS.length; v++) for (let b = 0; b < 2; b++) cells.push([a, v, b]);
  }
  if (total > cells.length)
    throw new Error(`'size' passed to 'syntheticCorpusSpec' needs ${total} speakers, at most ${cells.length} exist`);
  const rng = new Rng(deriveSeed(seed, 1));
  rng.shuffle(cells);
  const out: Record<SplitName, SyntheticUtterance[][]> = { train: [], validation: [], test: [] };
  let next = 0;
  for (const split of ['train', 'validation', 'test'] as const) {
    for (let s = 0; s < spec.speakers[split]; s++, next++) {
      const [a, v, b] = cells[next] as [number, number, number];
      const srng = new Rng(deriveSeed(seed, 2, next));
      const speaker: SyntheticSpeaker = {
        id: `syn${String(next).padStart(3, '0')}`,
        accent: SYNTHETIC_ACCENTS[a] as string,
        variant: SYNTHETIC_VARIANTS[v] as string,
        pitch: (b === 0 ? 22 : 54) + srng.int(17),
        rate: 140 + srng.int(61),
      };
      const utts: SyntheticUtterance[] = [];
      for (let u = 0; u < spec.utterancesPerSpeaker; u++) {
        const urng = new Rng(deriveSeed(seed, 3, next, u));
        utts.push({
          id: `${speaker.id}-${String(u).padStart(3, '0')}`,
          speaker,
          text: sentence(urng, spec.words[0], spec.words[1]),
          pitch: Math.min(99, Math.max(0, speaker.pitch - 3 + urng.int(7))),
          rate: Math.round(speaker.rate * (0.93 + 0.14 * urng.uniform())),
          range: 40 + urng.int(21),
        });
      }
      out[split].push(utts);
    }
  }
  return out;
}

// eSpeak's voice data (24 MB), read once and handed to every fresh instance
// (Emscripten's getPreloadedPackage hook) instead of each instance reading
// and copying the file again: this halves the cost of a fresh instance.
let espeakData: ArrayBuffer | null = null;
function espeakDataPackage(): ArrayBuffer {
  if (espeakData === null) {
    const main = createRequire(import.meta.url).resolve('@echogarden/espeak-ng-emscripten');
    const buf = readFileSync(join(dirname(main), 'espeak-ng.data'));
    espeakData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  }
  return espeakData;
}

/**
 * One eSpeak instance that speaks utterances in sequence. Its output is a
 * deterministic function of everything it has said so far:
 *
 * - state carries over between utterances inside one instance (measured:
 *   the same call gives different audio after another utterance), so the
 *   n-th output depends on the n − 1 before it;
 * - eSpeak seeds its random generator from the wall clock (Emscripten's
 *   `emscripten_date_now` → `Date.now`), so the same call gives different
 *   audio a second later. `Date.now` is pinned to 0 for the synchronous span
 *   of voice set-up and synthesis only (no other JavaScript can run inside
 *   it) and restored right after.
 *
 * A fresh instance costs about 5× a short utterance (the wasm2js code runs
 * unoptimised again in each instance), so the synthetic corpus uses one
 * session per speaker rather than one instance per utterance.
 */
export class SynthesisSession {
  private module: ESpeakModule | null = null;
  /** Utterances spoken so far. */
  spoken = 0;

  static async open(): Promise<SynthesisSession> {
    const s = new SynthesisSession();
    // Imported here, not at the top: eSpeak NG is GPL-3.0, and only this corpus may load it.
    const { default: createESpeak } = await import('@echogarden/espeak-ng-emscripten');
    s.module = await createESpeak({ getPreloadedPackage: () => espeakDataPackage() });
    return s;
  }

  say(voice: string, text: string, settings: { pitch: number; rate: number; range: number }): Audio {
    const m = this.module;
    if (m === null) throw new Error(`'SynthesisSession.say' called on a closed session`);
    const realNow = Date.now;
    Date.now = () => 0;
    try {
      const w = new m.eSpeakNGWorker();
      try {
        const r = w.set_voice(voice);
        if (r !== 0)
          throw new Error(
            `'voice' passed to 'synthesize' is not an eSpeak-NG voice: '${voice}' (set_voice returned ${r})`,
          );
        w.set_pitch(settings.pitch);
        w.set_rate(settings.rate);
        w.set_range(settings.range);
        const chunks: Int16Array[] = [];
        w.synthesize(text, (samples) => {
          if (samples && samples.length > 0) chunks.push(samples);
          return false; // keep going
        });
        this.spoken++;
        let n = 0;
        for (const c of chunks) n += c.length;
        const samples = new Float32Array(n);
        let o = 0;
        for (const c of chunks) {
          for (let i = 0; i < c.length; i++) samples[o + i] = (c[i] as number) / 32768;
          o += c.length;
        }
        return { samples, sampleRate: w.get_samplerate() };
      } finally {
        m.destroy(w);
      }
    } finally {
      Date.now = realNow;
    }
  }

  /** Drops the instance (its memory is reclaimed by the garbage collector). */
  close(): void {
    this.module = null;
  }
}

/** One utterance from a fresh eSpeak instance (22,050 Hz), bit-reproducible. */
export async function synthesize(
  voice: string,
  text: string,
  settings: { pitch: number; rate: number; range: number },
): Promise<Audio> {
  const session = await SynthesisSession.open();
  try {
    return session.say(voice, text, settings);
  } finally {
    session.close();
  }
}

/** `accent+variant`, the eSpeak voice string of a speaker. */
export function syntheticVoice(speaker: SyntheticSpeaker): string {
  return `${speaker.accent}+${speaker.variant}`;
}

function sayUtterance(session: SynthesisSession, u: SyntheticUtterance): Audio {
  return session.say(syntheticVoice(u.speaker), u.text, { pitch: u.pitch, rate: u.rate, range: u.range });
}

/**
 * The audio of utterance `index` of one synthetic speaker: a fresh session
 * says the speaker's utterances 0..index in order (see `SynthesisSession`).
 */
export async function synthesizeSpeakerUtterance(
  utterances: readonly SyntheticUtterance[],
  index: number,
): Promise<Audio> {
  if (!Number.isInteger(index) || index < 0 || index >= utterances.length) {
    throw new Error(
      `'index' passed to 'synthesizeSpeakerUtterance' must be in [0, ${utterances.length}), got ${index}`,
    );
  }
  const session = await SynthesisSession.open();
  try {
    for (let i = 0; i < index; i++) sayUtterance(session, utterances[i] as SyntheticUtterance);
    return sayUtterance(session, utterances[index] as SyntheticUtterance);
  } finally {
    session.close();
  }
}

export interface SyntheticCorpusOptions {
  readonly size: SyntheticSize;
  readonly seed: number;
  /**
   * Adds seeded white Gaussian noise at this signal-to-noise ratio in dB
   * (relative to the utterance's mean square) to every utterance, a knob to
   * make the task harder; null (default): clean speech.
   */
  readonly noiseSnrDb: number | null;
}

/**
 * `audio` plus white Gaussian noise at `snrDb` relative to its mean square,
 * from a generator seeded by `seed` (so the noisy audio is reproducible).
 */
export function addNoise(audio: Audio, snrDb: number, seed: number): Audio {
  if (!Number.isFinite(snrDb)) throw new Error(`'snrDb' passed to 'addNoise' must be a finite number, got ${snrDb}`);
  const x = audio.samples;
  let power = 0;
  for (let i = 0; i < x.length; i++) power += (x[i] as number) * (x[i] as number);
  power /= Math.max(1, x.length);
  const std = Math.sqrt(power / 10 ** (snrDb / 10));
  const rng = new Rng(seed);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] as number) + std * rng.normal();
  return { samples: out, sampleRate: audio.sampleRate };
}

/**
 * The embedded default corpus: generated in-process with eSpeak-NG
 * (GPL-3.0), no files and no network. Audio is synthesised lazily, when
 * features are extracted (and not at all when the feature cache holds them).
 */
export function syntheticCorpus(options: Partial<SyntheticCorpusOptions> = {}): SpeakerCorpus {
  const size = options.size ?? 'quick';
  const seed = options.seed ?? 0;
  const noise = options.noiseSnrDb ?? null;
  if (!Number.isFinite(seed))
    throw new Error(`'seed' passed to 'syntheticCorpus' must be a finite number, got ${seed}`);
  if (noise !== null && !Number.isFinite(noise)) {
    throw new Error(`'noiseSnrDb' passed to 'syntheticCorpus' must be a finite number or null, got ${noise}`);
  }
  const spec = syntheticCorpusSpec(size, seed);
  // One open session at a time (an eSpeak instance holds tens of MB), for the
  // speaker being loaded; utterances loaded in order continue it, any other
  // load starts a fresh session and replays the speaker's earlier utterances.
  let current: { id: string; session: SynthesisSession } | null = null;
  const load = async (utts: readonly SyntheticUtterance[], index: number): Promise<Audio> => {
    const id = (utts[0] as SyntheticUtterance).speaker.id;
    if (current === null || current.id !== id || current.session.spoken > index) {
      current?.session.close();
      current = null;
      current = { id, session: await SynthesisSession.open() };
    }
    const { session } = current;
    try {
      while (session.spoken < index) sayUtterance(session, utts[session.spoken] as SyntheticUtterance);
      const clean = sayUtterance(session, utts[index] as SyntheticUtterance);
      if (noise === null) return clean;
      const speakerNumber = Number((utts[0] as SyntheticUtterance).speaker.id.slice(3));
      return addNoise(clean, noise, deriveSeed(seed, 4, speakerNumber, index));
    } finally {
      if (session.spoken >= utts.length && current?.session === session) {
        session.close();
        current = null;
      }
    }
  };
  const recipe = (u: SyntheticUtterance) => ({
    voice: syntheticVoice(u.speaker),
    text: u.text,
    pitch: u.pitch,
    rate: u.rate,
    range: u.range,
  });
  const toSpeakers = (list: SyntheticUtterance[][]): SpeakerSource[] =>
    list.map((utts) => ({
      id: (utts[0] as SyntheticUtterance).speaker.id,
      utterances: utts.map((u, index): UtteranceSource => ({
        id: u.id,
        speaker: u.speaker.id,
        file: `synthetic:${u.id}`,
        // The audio depends on every utterance the session said before it.
        identity: JSON.stringify({
          synthetic: SYNTHETIC_RECIPE_VERSION,
          engine: '@echogarden/espeak-ng-emscripten@0.3.5',
          sequence: utts.slice(0, index + 1).map(recipe),
          ...(noise === null ? {} : { noiseSnrDb: noise, noiseSeed: [seed, 4, u.speaker.id, index] }),
        }),
        load: () => load(utts, index),
      })),
    }));
  return {
    name: `synthetic-${size}-seed${seed}${noise === null ? '' : `-snr${noise}`}`,
    splits: { train: toSpeakers(spec.train), validation: toSpeakers(spec.validation), test: toSpeakers(spec.test) },
    skipped: [],
  };
}
