import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEAKER_FEATURES, preprocessWav, resolveFeatureOptions, speakerFeatures } from './features.js';
import { synthesize } from './synthetic.js';

describe('speakerFeatures', () => {
  it('turns espeak speech (22,050 Hz) into 16 kHz power-mel frames [frames, 40]', async () => {
    const a = await synthesize('en+m2', 'Seven golden horses walked slowly across the river.', {
      pitch: 40,
      rate: 170,
      range: 50,
    });
    const m = await speakerFeatures(a);
    const wav = await preprocessWav(a);
    expect(m.nMels).toBe(40);
    expect(m.frames).toBe(1 + Math.floor(wav.length / 160));
    expect(wav.length % 480).toBe(0); // whole 30 ms VAD windows
    expect(wav.length).toBeLessThanOrEqual(Math.ceil((a.samples.length * 16000) / 22050));
    expect(m.data.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
    const log = await speakerFeatures(a, { log: true });
    expect(log.data[5]).toBeCloseTo(Math.log((m.data[5] as number) + DEFAULT_SPEAKER_FEATURES.logEpsilon), 4);
  });

  it('names the input for empty, silent, non-finite and speechless audio', async () => {
    await expect(preprocessWav({ samples: new Float32Array(0), sampleRate: 16000 }, {}, 'a.wav')).rejects.toThrow(
      /a\.wav: audio is empty/,
    );
    await expect(preprocessWav({ samples: new Float32Array(16000), sampleRate: 16000 }, {}, 'b.wav')).rejects.toThrow(
      /b\.wav: audio is digital silence/,
    );
    await expect(
      preprocessWav({ samples: new Float32Array([0.1, Number.NaN]), sampleRate: 16000 }, {}, 'c.wav'),
    ).rejects.toThrow(/c\.wav: audio contains non-finite samples/);
    // A constant offset is not silence to the level check, but the VAD finds no speech in it.
    await expect(
      preprocessWav({ samples: new Float32Array(16000).fill(0.01), sampleRate: 16000 }, {}, 'd.wav'),
    ).rejects.toThrow(/d\.wav: voice activity detection found no speech/);
  });

  it('validates options by name', () => {
    expect(() => resolveFeatureOptions({ nMels: 0 }, 'f')).toThrow(
      /'nMels' passed to 'f' must be a positive integer, got 0/,
    );
  });
});
