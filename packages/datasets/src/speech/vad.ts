// The reference makes this ambient declaration reach packages that typecheck these sources through the
// "source" condition (an ambient module declaration cannot be imported).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../types/fvad-wasm.d.ts" />
import createFvad from '@echogarden/fvad-wasm';
import type { FvadModule } from '@echogarden/fvad-wasm';

export interface VadOptions {
  /** WebRTC VAD aggressiveness 0..3. */
  readonly mode: 0 | 1 | 2 | 3;
  /** Window length in ms (10, 20 or 30). */
  readonly windowMs: 10 | 20 | 30;
  /** Width of the moving average over window decisions. */
  readonly movingAverageWidth: number;
  /** Longest silence kept, in windows. */
  readonly maxSilenceWindows: number;
}

/** The original's settings (Resemblyzer `hparams`). */
export const DEFAULT_VAD_OPTIONS: VadOptions = Object.freeze({
  mode: 3,
  windowMs: 30,
  movingAverageWidth: 8,
  maxSilenceWindows: 6,
});

// The WASM module is stateless between calls (each call owns its VAD handle),
// so one loaded instance is shared.
let fvadModule: Promise<FvadModule> | null = null;
function loadFvad(): Promise<FvadModule> {
  fvadModule ??= createFvad();
  return fvadModule;
}

/** Raw WebRTC VAD decisions, one per full window (a trailing partial window is dropped). */
export async function vadFlags(
  wav: Float32Array,
  sampleRate: number,
  mode: number,
  windowMs: number,
): Promise<Uint8Array> {
  const m = await loadFvad();
  const perWindow = (windowMs * sampleRate) / 1000;
  if (!Number.isInteger(perWindow)) {
    throw new Error(
      `'windowMs' passed to 'vadFlags' must give a whole number of samples at ${sampleRate} Hz, got ${windowMs}`,
    );
  }
  const nWindows = Math.floor(wav.length / perWindow);
  const flags = new Uint8Array(nWindows);
  const handle = m._fvad_new();
  if (handle === 0) throw new Error(`'vadFlags' could not allocate a WebRTC VAD instance`);
  const ptr = m._malloc(perWindow * 2);
  try {
    if (m._fvad_set_mode(handle, mode) !== 0) throw new Error(`'mode' passed to 'vadFlags' must be 0..3, got ${mode}`);
    if (m._fvad_set_sample_rate(handle, sampleRate) !== 0) {
      throw new Error(`'sampleRate' passed to 'vadFlags' must be 8000, 16000, 32000 or 48000, got ${sampleRate}`);
    }
    for (let w = 0; w < nWindows; w++) {
      // HEAP16 may be replaced when the heap grows, so read it each window.
      const heap = m.HEAP16;
      const base = ptr >> 1;
      for (let i = 0; i < perWindow; i++) {
        // The original: np.round(wav * 32767).astype(int16) (round half to even; clipped here, not wrapped).
        let v = roundHalfEven((wav[w * perWindow + i] as number) * 32767);
        if (v > 32767) v = 32767;
        else if (v < -32768) v = -32768;
        heap[base + i] = v;
      }
      const r = m._fvad_process(handle, ptr, perWindow);
      if (r < 0) throw new Error(`'vadFlags': WebRTC VAD rejected a window of ${perWindow} samples`);
      flags[w] = r;
    }
  } finally {
    m._free(ptr);
    m._fvad_free(handle);
  }
  return flags;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Window mask of the original's `trim_long_silences`: moving average of the
 * flags (width w, zero-padded (w−1)/2 left and w/2 right), numpy rounding
 * (half to even, so an average of exactly 0.5 is silence), then binary
 * dilation with a centred structuring element of maxSilence + 1 ones.
 */
export function speechMask(flags: Uint8Array, movingAverageWidth: number, maxSilenceWindows: number): Uint8Array {
  const n = flags.length;
  const w = movingAverageWidth;
  const left = Math.floor((w - 1) / 2);
  const smoothed = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = i - left; j < i - left + w; j++) if (j >= 0 && j < n) sum += flags[j] as number;
    smoothed[i] = roundHalfEven(sum / w) >= 1 ? 1 : 0;
  }
  // scipy.ndimage.binary_dilation with ones(L): origin at L // 2; the element
  // is reflected, so out[i] = OR mask[i − (L−1−L//2) .. i + L//2].
  const len = maxSilenceWindows + 1;
  const c = Math.floor(len / 2);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = i - (len - 1 - c); j <= i + c; j++) {
      if (j >= 0 && j < n && smoothed[j] === 1) {
        out[i] = 1;
        break;
      }
    }
  }
  return out;
}

/**
 * The original's `trim_long_silences`: drops the trailing partial window, runs
 * the WebRTC VAD on 30 ms windows, smooths and dilates the decisions
 * (`speechMask`) and keeps only the samples of windows in the mask, so
 * silences longer than `maxSilenceWindows` windows are cut out.
 */
export async function trimLongSilences(
  wav: Float32Array,
  sampleRate: number,
  options: Partial<VadOptions> = {},
): Promise<Float32Array> {
  const o = { ...DEFAULT_VAD_OPTIONS, ...options };
  const flags = await vadFlags(wav, sampleRate, o.mode, o.windowMs);
  const mask = speechMask(flags, o.movingAverageWidth, o.maxSilenceWindows);
  const perWindow = (o.windowMs * sampleRate) / 1000;
  let kept = 0;
  for (let i = 0; i < mask.length; i++) kept += mask[i] as number;
  const out = new Float32Array(kept * perWindow);
  let o2 = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 1) {
      out.set(wav.subarray(i * perWindow, (i + 1) * perWindow), o2);
      o2 += perWindow;
    }
  }
  return out;
}
