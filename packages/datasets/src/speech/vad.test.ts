import { describe, expect, it } from 'vitest';
import { resample } from './audio.js';
import { synthesize } from './synthetic.js';
import { loadReference } from './test_util.js';
import { speechMask, trimLongSilences, vadFlags } from './vad.js';

const ref = loadReference();

describe('speechMask (the original trim_long_silences mask)', () => {
  it('matches the numpy/scipy port (width 8, max silence 6)', () => {
    const { flags, width, maxSilence, mask } = ref.speechMask;
    expect(Array.from(speechMask(Uint8Array.from(flags), width, maxSilence))).toEqual(mask);
  });

  it('matches it for an odd width and even structuring element (5, 3)', () => {
    const { width, maxSilence, mask } = ref.speechMaskEven;
    expect(Array.from(speechMask(Uint8Array.from(ref.speechMask.flags), width, maxSilence))).toEqual(mask);
  });

  it('rounds an average of exactly one half down (numpy round half to even)', () => {
    // Width 2 over [1, 0]: averages 0.5 and 0 → both silent; no dilation (max silence 0).
    expect(Array.from(speechMask(Uint8Array.from([1, 0]), 2, 0))).toEqual([0, 0]);
  });
});

describe('trimLongSilences on real speech', () => {
  it('removes an inserted 1.5 s silence and keeps most of the speech', async () => {
    const speech = (
      await resample(
        await synthesize('en-us+m3', 'The careful sailor walked across the bridge.', {
          pitch: 50,
          rate: 175,
          range: 50,
        }),
        16000,
      )
    ).samples;
    const sr = 16000;
    const gap = new Float32Array(Math.round(1.5 * sr));
    // speech | 1.5 s silence | speech
    const wav = new Float32Array(speech.length * 2 + gap.length);
    wav.set(speech, 0);
    wav.set(gap, speech.length);
    wav.set(speech, speech.length + gap.length);
    const flags = await vadFlags(wav, sr, 3, 30);
    const voiced = flags.reduce((a, b) => a + b, 0);
    expect(voiced).toBeGreaterThan(flags.length / 3);
    const trimmed = await trimLongSilences(wav, sr);
    // At most 6 + a few smoothing windows of the gap survive (30 ms each); the gap was 50 windows.
    expect(wav.length - trimmed.length).toBeGreaterThan(gap.length - 12 * 480);
    // Most speech stays: trimmed keeps ≥ 80 % of the two speech copies.
    expect(trimmed.length).toBeGreaterThan(0.8 * 2 * speech.length);
    // The output is made of whole 30 ms windows of the input.
    expect(trimmed.length % 480).toBe(0);
  });

  it('removes everything from pure silence', async () => {
    expect((await trimLongSilences(new Float32Array(16000), 16000)).length).toBe(0);
  });
});
