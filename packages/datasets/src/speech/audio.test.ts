import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFlac, decodeWav, levelDbfs, normalizeVolume, resample } from './audio.js';
import { readAudioFile } from './audio_file.js';
import { FIXTURES } from './test_util.js';

describe('decoding', () => {
  it('decodes the WAV and FLAC fixtures (same PCM) to identical mono float32 at 16 kHz', async () => {
    const wav = await readAudioFile(`${FIXTURES}hello_16k.wav`);
    const flac = await readAudioFile(`${FIXTURES}hello_16k.flac`);
    expect(wav.sampleRate).toBe(16000);
    expect(flac.sampleRate).toBe(16000);
    expect(wav.samples.length).toBeGreaterThan(8000);
    expect(flac.samples.length).toBe(wav.samples.length);
    let maxDiff = 0;
    let peak = 0;
    for (let i = 0; i < wav.samples.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs((wav.samples[i] as number) - (flac.samples[i] as number)));
      peak = Math.max(peak, Math.abs(wav.samples[i] as number));
    }
    expect(maxDiff).toBeLessThan(1e-6);
    expect(peak).toBeGreaterThan(0.05);
    expect(peak).toBeLessThanOrEqual(1);
  });

  it('mixes a stereo WAV to mono and scales 16-bit PCM to [-1, 1]', () => {
    // Hand-built 16-bit stereo WAV: L = 16384, R = -8192 → mono (0.5 − 0.25) / 2 = 0.125.
    const frames = 4;
    const buf = Buffer.alloc(44 + frames * 4);
    buf.write('RIFF', 0, 'latin1');
    buf.writeUInt32LE(36 + frames * 4, 4);
    buf.write('WAVEfmt ', 8, 'latin1');
    buf.writeUInt32LE(16, 16);
    buf.writeUInt16LE(1, 20);
    buf.writeUInt16LE(2, 22);
    buf.writeUInt32LE(8000, 24);
    buf.writeUInt32LE(8000 * 4, 28);
    buf.writeUInt16LE(4, 32);
    buf.writeUInt16LE(16, 34);
    buf.write('data', 36, 'latin1');
    buf.writeUInt32LE(frames * 4, 40);
    for (let i = 0; i < frames; i++) {
      buf.writeInt16LE(16384, 44 + i * 4);
      buf.writeInt16LE(-8192, 46 + i * 4);
    }
    const a = decodeWav(new Uint8Array(buf), 'stereo.wav');
    expect(a.sampleRate).toBe(8000);
    expect(Array.from(a.samples)).toEqual([0.125, 0.125, 0.125, 0.125]);
  });

  it('names the file for missing, empty and non-audio input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ttrnn-audio-'));
    await expect(readAudioFile(join(dir, 'nope.wav'))).rejects.toThrow(/nope\.wav: cannot read audio file \(ENOENT\)/);
    writeFileSync(join(dir, 'empty.flac'), new Uint8Array(0));
    await expect(readAudioFile(join(dir, 'empty.flac'))).rejects.toThrow(/empty\.flac: audio file is empty/);
    writeFileSync(join(dir, 'text.wav'), 'not audio at all');
    await expect(readAudioFile(join(dir, 'text.wav'))).rejects.toThrow(/text\.wav: expected a WAV \(RIFF\) or FLAC/);
    const flac = readFileSync(`${FIXTURES}hello_16k.flac`);
    await expect(decodeFlac(new Uint8Array(flac.subarray(0, 200)), 'cut.flac')).rejects.toThrow(/cut\.flac/);
  });
});

describe('resample', () => {
  it('keeps a 1 kHz tone at 1 kHz going 22,050 → 16,000 Hz', async () => {
    const sr = 22050;
    const x = new Float32Array(sr).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / sr));
    const y = await resample({ samples: x, sampleRate: sr }, 16000);
    expect(y.sampleRate).toBe(16000);
    expect(Math.abs(y.samples.length - 16000)).toBeLessThanOrEqual(2);
    // Compare with the ideal tone in the middle (away from filter edges).
    let err = 0;
    for (let i = 2000; i < 14000; i++)
      err = Math.max(err, Math.abs((y.samples[i] as number) - 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000)));
    expect(err).toBeLessThan(1e-3);
    // The converter is reused between calls; the output must not depend on earlier calls.
    await resample({ samples: x.map((v) => -v), sampleRate: sr }, 16000);
    const again = await resample({ samples: x, sampleRate: sr }, 16000);
    expect(Array.from(again.samples)).toEqual(Array.from(y.samples));
  });
});

describe('normalizeVolume (−30 dBFS, increase only)', () => {
  it('raises a quiet signal to −30 dBFS', () => {
    const x = new Float32Array(1000).map((_, i) => 0.001 * Math.sin(i / 5));
    expect(levelDbfs(x)).toBeLessThan(-60);
    const y = normalizeVolume(x, -30, true);
    expect(levelDbfs(y)).toBeCloseTo(-30, 4);
    // A pure gain: the waveform shape is unchanged.
    expect((y[10] as number) / (x[10] as number)).toBeCloseTo((y[20] as number) / (x[20] as number), 3);
  });

  it('leaves a loud signal alone (increase only), but lowers it without the flag', () => {
    const x = new Float32Array(1000).map((_, i) => 0.5 * Math.sin(i / 5)); // about −9 dBFS
    expect(normalizeVolume(x, -30, true)).toBe(x);
    expect(levelDbfs(normalizeVolume(x, -30, false))).toBeCloseTo(-30, 4);
  });

  it('returns digital silence unchanged', () => {
    const x = new Float32Array(100);
    expect(normalizeVolume(x)).toBe(x);
  });
});

describe('hostile WAV files', () => {
  /** A mono WAV: 16-bit PCM, or 32-bit float (format 3), with `rate` in the header. */
  function wav(samples: number[], rate: number, float = false): Buffer {
    const bytes = float ? 4 : 2;
    const buf = Buffer.alloc(44 + samples.length * bytes);
    buf.write('RIFF', 0, 'latin1');
    buf.writeUInt32LE(36 + samples.length * bytes, 4);
    buf.write('WAVEfmt ', 8, 'latin1');
    buf.writeUInt32LE(16, 16);
    buf.writeUInt16LE(float ? 3 : 1, 20);
    buf.writeUInt16LE(1, 22);
    buf.writeUInt32LE(rate, 24);
    buf.writeUInt32LE(rate * bytes, 28);
    buf.writeUInt16LE(bytes, 32);
    buf.writeUInt16LE(bytes * 8, 34);
    buf.write('data', 36, 'latin1');
    buf.writeUInt32LE(samples.length * bytes, 40);
    samples.forEach((v, i) => (float ? buf.writeFloatLE(v, 44 + i * 4) : buf.writeInt16LE(v, 44 + i * 2)));
    return buf;
  }
  const CASES: [string, () => Buffer, RegExp][] = [
    [
      'a 1 Hz sample rate',
      () => wav([1, 2, 3, 4], 1),
      /x\.wav: expected a sample rate from 1000 to 768000 Hz in the WAV header, got 1 Hz/,
    ],
    [
      'float samples near 1e33',
      () => wav([0.1, 1e33, 0.2], 16000, true),
      /x\.wav: expected float samples within ±100 \(full scale is ±1\), got 9\.99\d*e\+32 at sample 1/,
    ],
    [
      'a NaN float sample',
      () => wav([0.1, Number.NaN], 16000, true),
      /x\.wav: expected float samples within ±100 .*got NaN at sample 1/,
    ],
    [
      'a truncated data chunk',
      () =>
        wav(
          Array.from({ length: 100 }, (_, i) => i),
          16000,
        ).subarray(0, 44 + 120),
      /x\.wav: truncated WAV: its data chunk declares 200 bytes, the file holds 120/,
    ],
  ];
  it.each(CASES)('refuses %s, naming the file', (_what, make, expected) => {
    expect(() => decodeWav(new Uint8Array(make()), 'x.wav')).toThrow(expected);
  });
  it('accepts float samples a little beyond full scale', () => {
    expect(Array.from(decodeWav(new Uint8Array(wav([0.5, -1.5], 16000, true)), 'x.wav').samples)).toEqual([0.5, -1.5]);
  });
});
