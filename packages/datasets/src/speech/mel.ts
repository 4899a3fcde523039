import { PowerSpectrum } from './fft.js';

/** Hz → mel on the Slaney (Auditory Toolbox) scale, librosa's `hz_to_mel(htk=False)`. */
export function hzToMelSlaney(hz: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return hz >= minLogHz ? minLogMel + Math.log(hz / minLogHz) / logStep : hz / fSp;
}

/** Inverse of `hzToMelSlaney`. */
export function melToHzSlaney(mel: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return mel >= minLogMel ? minLogHz * Math.exp(logStep * (mel - minLogMel)) : fSp * mel;
}

export interface MelFilterbankOptions {
  readonly sampleRate: number;
  readonly nFft: number;
  readonly nMels: number;
  /** Lowest band edge in Hz (librosa default 0). */
  readonly fMin?: number;
  /** Highest band edge in Hz (librosa default sampleRate / 2). */
  readonly fMax?: number;
}

/**
 * The mel filterbank of `librosa.filters.mel(sr, n_fft, n_mels)` with its
 * defaults (htk=False, norm='slaney'): triangles on the Slaney mel scale, each
 * scaled by 2 / (bandwidth in Hz) so that every filter has the same area.
 * Computed in float64 and rounded once to float32, as librosa does.
 *
 * @returns weights: [nMels, nFft / 2 + 1], row-major.
 */
export function melFilterbank(options: MelFilterbankOptions): Float32Array {
  const { sampleRate, nFft, nMels } = options;
  const fMin = options.fMin ?? 0;
  const fMax = options.fMax ?? sampleRate / 2;
  for (const [name, v] of [
    ['sampleRate', sampleRate],
    ['nFft', nFft],
    ['nMels', nMels],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0) {
      throw new Error(`'${name}' passed to 'melFilterbank' must be a positive integer, got ${v}`);
    }
  }
  if (!(fMin >= 0 && fMax > fMin && fMax <= sampleRate / 2)) {
    throw new Error(
      `'fMin'/'fMax' passed to 'melFilterbank' must satisfy 0 ≤ fMin < fMax ≤ sampleRate/2, got ${fMin}/${fMax}`,
    );
  }
  const bins = Math.floor(nFft / 2) + 1;
  const fftFreqs = new Float64Array(bins);
  for (let k = 0; k < bins; k++) fftFreqs[k] = (k * sampleRate) / 2 / (bins - 1); // np.linspace(0, sr/2, bins)
  const melMin = hzToMelSlaney(fMin);
  const melMax = hzToMelSlaney(fMax);
  const melF = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) {
    melF[i] = melToHzSlaney(melMin + ((melMax - melMin) * i) / (nMels + 1));
  }
  const out = new Float32Array(nMels * bins);
  for (let i = 0; i < nMels; i++) {
    const f0 = melF[i] as number;
    const f1 = melF[i + 1] as number;
    const f2 = melF[i + 2] as number;
    const enorm = 2 / (f2 - f0);
    for (let k = 0; k < bins; k++) {
      const f = fftFreqs[k] as number;
      const lower = (f - f0) / (f1 - f0);
      const upper = (f2 - f) / (f2 - f1);
      out[i * bins + k] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
  }
  return out;
}

/** Periodic Hann window (scipy `get_window('hann', n, fftbins=True)`). */
export function hannPeriodic(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

export interface MelSpectrogramOptions {
  readonly sampleRate: number;
  readonly nFft: number;
  readonly hopLength: number;
  readonly nMels: number;
  /** Natural log of (mel + logEpsilon) instead of power. */
  readonly log: boolean;
  readonly logEpsilon: number;
}

export const DEFAULT_MEL_OPTIONS: MelSpectrogramOptions = Object.freeze({
  sampleRate: 16_000,
  nFft: 400,
  hopLength: 160,
  nMels: 40,
  log: false,
  logEpsilon: 1e-6,
});

/** A feature matrix: `data` is [frames, nMels], row-major (time-major, as the original's `.T`). */
export interface MelFrames {
  readonly data: Float32Array;
  readonly frames: number;
  readonly nMels: number;
}

/**
 * `librosa.feature.melspectrogram(y, sr, n_fft, hop_length, n_mels).T` with
 * librosa's STFT conventions: periodic Hann window of length n_fft,
 * center=True with reflect padding of n_fft/2 on both sides (the original used
 * librosa < 0.10, whose default pad_mode was 'reflect'), power 2, so
 * `frames = 1 + floor(len / hop)`.
 *
 * Porting note: the paper text says log-mel but the original code feeds power
 * mel; `log: true` switches to ln(mel + logEpsilon).
 */
export function melSpectrogram(wav: Float32Array, options: Partial<MelSpectrogramOptions> = {}): MelFrames {
  const o = { ...DEFAULT_MEL_OPTIONS, ...options };
  const { nFft, hopLength, nMels } = o;
  if (!Number.isInteger(hopLength) || hopLength <= 0) {
    throw new Error(`'hopLength' passed to 'melSpectrogram' must be a positive integer, got ${hopLength}`);
  }
  const pad = Math.floor(nFft / 2);
  if (wav.length <= pad) {
    throw new Error(
      `'wav' passed to 'melSpectrogram' must be longer than nFft/2 = ${pad} samples for reflect padding, got ${wav.length}`,
    );
  }
  const fb = melFilterbank({ sampleRate: o.sampleRate, nFft, nMels });
  const bins = Math.floor(nFft / 2) + 1;
  const window = hannPeriodic(nFft);
  const spec = new PowerSpectrum(nFft);
  const frames = 1 + Math.floor(wav.length / hopLength);
  const n = wav.length;
  const frame = new Float64Array(nFft);
  const power = new Float64Array(bins);
  const out = new Float32Array(frames * nMels);
  for (let t = 0; t < frames; t++) {
    const start = t * hopLength - pad;
    for (let i = 0; i < nFft; i++) {
      let j = start + i;
      // numpy 'reflect' (edge sample not repeated); one reflection suffices as pad < n.
      if (j < 0) j = -j;
      else if (j >= n) j = 2 * (n - 1) - j;
      frame[i] = (wav[j] as number) * (window[i] as number);
    }
    spec.power(frame, power);
    for (let m = 0; m < nMels; m++) {
      let acc = 0;
      const row = m * bins;
      for (let k = 0; k < bins; k++) acc += (fb[row + k] as number) * (power[k] as number);
      out[t * nMels + m] = o.log ? Math.log(acc + o.logEpsilon) : acc;
    }
  }
  return { data: out, frames, nMels };
}
