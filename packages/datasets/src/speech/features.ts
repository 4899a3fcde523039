import { normalizeVolume, resample } from './audio.js';
import type { Audio, ResampleQuality } from './audio.js';
import { melSpectrogram } from './mel.js';
import type { MelFrames } from './mel.js';
import { trimLongSilences } from './vad.js';
import type { VadOptions } from './vad.js';

/** Every setting of the speaker-feature pipeline; part of the feature-cache key. */
export interface SpeakerFeatureOptions {
  readonly sampleRate: number;
  readonly resampleQuality: ResampleQuality;
  /** Volume normalisation target in dBFS (louder only); null disables it. */
  readonly targetDbfs: number | null;
  /** WebRTC VAD silence trimming; null disables it. */
  readonly vad: VadOptions | null;
  readonly nFft: number;
  readonly hopLength: number;
  readonly nMels: number;
  /** ln(mel + logEpsilon) instead of power mel. */
  readonly log: boolean;
  readonly logEpsilon: number;
  /** Utterances with fewer frames are unusable (dropped from training and evaluation). */
  readonly minFrames: number;
}

/**
 * The original's preprocessing (Resemblyzer-style hparams): 16 kHz, −30 dBFS
 * (increase only), WebRTC VAD mode 3 on 30 ms windows with a moving average
 * of 8 and silences over 6 windows removed, 40 mel channels with a 25 ms
 * window and 10 ms hop, power (not log), 160-frame minimum.
 */
export const DEFAULT_SPEAKER_FEATURES: SpeakerFeatureOptions = Object.freeze({
  sampleRate: 16_000,
  resampleQuality: 'best',
  targetDbfs: -30,
  vad: Object.freeze({ mode: 3, windowMs: 30, movingAverageWidth: 8, maxSilenceWindows: 6 }),
  nFft: 400,
  hopLength: 160,
  nMels: 40,
  log: false,
  logEpsilon: 1e-6,
  minFrames: 160,
});

/** Fills defaults and validates; errors name `fn`. */
export function resolveFeatureOptions(
  options: Partial<SpeakerFeatureOptions> = {},
  fn = 'resolveFeatureOptions',
): SpeakerFeatureOptions {
  const o: SpeakerFeatureOptions = { ...DEFAULT_SPEAKER_FEATURES, ...options };
  for (const key of ['sampleRate', 'nFft', 'hopLength', 'nMels', 'minFrames'] as const) {
    if (!Number.isInteger(o[key]) || o[key] <= 0) {
      throw new Error(`'${key}' passed to '${fn}' must be a positive integer, got ${o[key]}`);
    }
  }
  return o;
}

/**
 * The waveform stage of the original's `preprocess_wav`: resample to the
 * target rate, normalise volume (increase only), trim long silences.
 * Throws with `name` for empty or silent input.
 */
export async function preprocessWav(
  audio: Audio,
  options: Partial<SpeakerFeatureOptions> = {},
  name = 'audio',
): Promise<Float32Array> {
  const o = resolveFeatureOptions(options, 'preprocessWav');
  if (audio.samples.length === 0) throw new Error(`${name}: audio is empty (0 samples)`);
  let peak = 0;
  for (let i = 0; i < audio.samples.length; i++) peak = Math.max(peak, Math.abs(audio.samples[i] as number));
  if (!Number.isFinite(peak)) throw new Error(`${name}: audio contains non-finite samples`);
  if (peak === 0) throw new Error(`${name}: audio is digital silence (all samples are 0)`);
  let wav = (await resample(audio, o.sampleRate, o.resampleQuality)).samples;
  if (o.targetDbfs !== null) wav = normalizeVolume(wav, o.targetDbfs, true);
  if (o.vad !== null) {
    wav = await trimLongSilences(wav, o.sampleRate, o.vad);
    if (wav.length === 0) throw new Error(`${name}: voice activity detection found no speech`);
  }
  return wav;
}

/** Audio → mel frames [frames, nMels] with the full pipeline. */
export async function speakerFeatures(
  audio: Audio,
  options: Partial<SpeakerFeatureOptions> = {},
  name = 'audio',
): Promise<MelFrames> {
  const o = resolveFeatureOptions(options, 'speakerFeatures');
  const wav = await preprocessWav(audio, o, name);
  if (wav.length <= Math.floor(o.nFft / 2)) {
    throw new Error(
      `${name}: only ${wav.length} samples left after preprocessing, too short for one ${o.nFft}-point frame`,
    );
  }
  return melSpectrogram(wav, {
    sampleRate: o.sampleRate,
    nFft: o.nFft,
    hopLength: o.hopLength,
    nMels: o.nMels,
    log: o.log,
    logEpsilon: o.logEpsilon,
  });
}
