import * as wavefileModule from 'wavefile';
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import libsamplerate from '@alexanderolsen/libsamplerate-js';

// Node loads wavefile's CommonJS build (everything under `default`); a bundler loads its ES module
// (named exports, no default). Take WaveFile from whichever this is.
const wavefile = (
  'WaveFile' in wavefileModule ? wavefileModule : (wavefileModule as { default: typeof wavefileModule }).default
) as typeof wavefileModule;

/** Mono audio: samples in [-1, 1]. */
export interface Audio {
  readonly samples: Float32Array;
  readonly sampleRate: number;
}

function mixToMono(channels: readonly ArrayLike<number>[], length: number): Float32Array {
  const out = new Float32Array(length);
  if (channels.length === 0) return out;
  for (const ch of channels) {
    for (let i = 0; i < length; i++) out[i] = (out[i] as number) + (ch[i] as number);
  }
  if (channels.length > 1) for (let i = 0; i < length; i++) out[i] = (out[i] as number) / channels.length;
  return out;
}

/**
 * Decodes a WAV file (any bit depth wavefile reads: PCM 8–32, float 32/64,
 * A-law, µ-law) to mono float32 in [-1, 1]; channels are averaged.
 * `name` only labels errors.
 */
/** Sample rates accepted from audio headers: below 1 kHz there is no speech band to resample from. */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 768_000;
/** Largest |sample| accepted from a float WAV (full scale is 1; 100 is 40 dB above it). */
const MAX_FLOAT_SAMPLE = 100;

export function decodeWav(bytes: Uint8Array, name = 'WAV data'): Audio {
  let wav: InstanceType<typeof wavefile.WaveFile>;
  try {
    wav = new wavefile.WaveFile(bytes);
  } catch (e) {
    throw new Error(`${name}: expected a WAV file, could not parse it (${(e as Error).message})`);
  }
  const fmt = wav.fmt as { sampleRate?: number; numChannels?: number };
  const sampleRate = fmt.sampleRate ?? 0;
  if (!(sampleRate > 0))
    throw new Error(`${name}: expected a positive sample rate in the WAV header, got ${sampleRate}`);
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new Error(
      `${name}: expected a sample rate from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz in the WAV header, got ${sampleRate} Hz`,
    );
  }
  const data = wav.data as { chunkSize?: number; samples?: Uint8Array };
  if (data.chunkSize !== undefined && data.samples !== undefined && data.samples.length < data.chunkSize) {
    throw new Error(
      `${name}: truncated WAV: its data chunk declares ${data.chunkSize} bytes, the file holds ${data.samples.length}`,
    );
  }
  if (wav.bitDepth === '8a') wav.fromALaw('16');
  else if (wav.bitDepth === '8m') wav.fromMuLaw('16');
  else if (wav.bitDepth === '4') wav.fromIMAADPCM('16');
  const fmtCode = (wav.fmt as { audioFormat?: number }).audioFormat;
  const bits = Number.parseInt(wav.bitDepth, 10);
  const isFloat = wav.bitDepth === '32f' || wav.bitDepth === '64' || fmtCode === 3;
  // Integer PCM scales like libsndfile/soundfile (what librosa reads with):
  // v / 2^(bits−1), 8-bit unsigned (v − 128) / 128. wavefile's own toBitDepth
  // uses a slightly different mapping, so the raw integers are read instead.
  const scale = isFloat ? 1 : bits === 8 ? 1 / 128 : 1 / 2 ** (bits - 1);
  const shift = !isFloat && bits === 8 ? -128 : 0;
  if (!isFloat && !(bits >= 8 && bits <= 32)) throw new Error(`${name}: unsupported WAV bit depth '${wav.bitDepth}'`);
  const raw = wav.getSamples(false, Float64Array) as unknown;
  const rawChannels: ArrayLike<number>[] = Array.isArray(raw)
    ? (raw as ArrayLike<number>[])
    : [raw as ArrayLike<number>];
  const channels = rawChannels.map((ch) => Float64Array.from(ch, (v) => (v + shift) * scale));
  const length = channels[0]?.length ?? 0;
  if (isFloat) {
    // Float WAV is ±1 at full scale; far beyond it (or NaN) is a broken file, not loud speech.
    for (const ch of channels) {
      const i = ch.findIndex((v) => !(Math.abs(v) <= MAX_FLOAT_SAMPLE));
      if (i >= 0)
        throw new Error(
          `${name}: expected float samples within ±${MAX_FLOAT_SAMPLE} (full scale is ±1), got ${ch[i]} at sample ${i}`,
        );
    }
  }
  return { samples: mixToMono(channels, length), sampleRate };
}

/** Decodes a FLAC file (LibriSpeech's format) to mono float32; channels are averaged. */
export async function decodeFlac(bytes: Uint8Array, name = 'FLAC data'): Promise<Audio> {
  if (bytes.length < 4 || String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0, bytes[2] ?? 0, bytes[3] ?? 0) !== 'fLaC') {
    throw new Error(`${name}: expected a FLAC file starting with 'fLaC'`);
  }
  const decoder = new FLACDecoder();
  try {
    await decoder.ready;
    const res = await decoder.decodeFile(bytes);
    if (res.errors.length > 0) {
      throw new Error(`${name}: FLAC decoding failed (${res.errors.map((e) => e.message).join('; ')})`);
    }
    if (!(res.sampleRate > 0)) throw new Error(`${name}: expected a positive FLAC sample rate, got ${res.sampleRate}`);
    const mono = mixToMono(res.channelData, res.samplesDecoded);
    // The decoder divides by 2^(bits−1) − 1; rescale to v / 2^(bits−1) like
    // libsndfile (and so like our WAV path) so that the same PCM decodes alike.
    const b = res.bitDepth;
    if (b >= 8 && b <= 32) {
      const k = (2 ** (b - 1) - 1) / 2 ** (b - 1);
      for (let i = 0; i < mono.length; i++) mono[i] = (mono[i] as number) * k;
    }
    return { samples: mono, sampleRate: res.sampleRate };
  } finally {
    decoder.free();
  }
}

export type ResampleQuality = 'best' | 'medium' | 'fastest';

/**
 * Resamples mono audio with libsamplerate (band-limited sinc). Returns the
 * input unchanged when the rates already match.
 *
 * Porting note: the original used librosa.resample (resampy 'kaiser_best');
 * libsamplerate's SINC_BEST_QUALITY is of the same class (~120 dB SNR).
 */
export async function resample(audio: Audio, targetRate: number, quality: ResampleQuality = 'best'): Promise<Audio> {
  if (!Number.isInteger(targetRate) || targetRate <= 0) {
    throw new Error(`'targetRate' passed to 'resample' must be a positive integer, got ${targetRate}`);
  }
  if (audio.sampleRate === targetRate) return audio;
  const { create, ConverterType } = libsamplerate;
  const converterType =
    quality === 'best'
      ? ConverterType.SRC_SINC_BEST_QUALITY
      : quality === 'medium'
        ? ConverterType.SRC_SINC_MEDIUM_QUALITY
        : ConverterType.SRC_SINC_FASTEST;
  const key = `${audio.sampleRate}>${targetRate}:${quality}`;
  let src = converters.get(key);
  if (src === undefined) {
    src = create(1, audio.sampleRate, targetRate, { converterType });
    converters.set(key, src);
    src.catch(() => converters.delete(key)); // never keep a failed creation
  }
  return { samples: (await src).simple(audio.samples), sampleRate: targetRate };
}

// Converters by (rates, quality). `simple` is stateless (each call resamples
// one whole signal from scratch; checked to give identical output on reuse),
// so reusing a converter only saves the ~20 ms of creating it.
const converters = new Map<string, ReturnType<typeof libsamplerate.create>>();

/** Mean-square level in dBFS (−Infinity for digital silence). */
export function levelDbfs(wav: Float32Array): number {
  let acc = 0;
  for (let i = 0; i < wav.length; i++) acc += (wav[i] as number) * (wav[i] as number);
  return 10 * Math.log10(acc / Math.max(1, wav.length));
}

/**
 * The original's `normalize_volume(wav, -30, increase_only=True)`: scales so
 * that the mean square is `targetDbfs`, but only if that makes it louder.
 * Digital silence is returned unchanged (the original would divide by zero).
 */
export function normalizeVolume(wav: Float32Array, targetDbfs = -30, increaseOnly = true): Float32Array {
  const level = levelDbfs(wav);
  if (!Number.isFinite(level)) return wav;
  const change = targetDbfs - level;
  if (change < 0 && increaseOnly) return wav;
  const gain = 10 ** (change / 20);
  const out = new Float32Array(wav.length);
  for (let i = 0; i < wav.length; i++) out[i] = (wav[i] as number) * gain;
  return out;
}
