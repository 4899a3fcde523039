import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SYNTHETIC_ACCENTS, SYNTHETIC_VARIANTS, synthesize } from './synthetic.js';

// In its own file so that vitest runs it in parallel with the corpus tests
// (each check needs a fresh eSpeak instance, the slow part).

const SAY = { pitch: 50, rate: 175, range: 50 };

function digest(x: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(x.buffer, x.byteOffset, x.byteLength))
    .digest('hex');
}

describe('synthetic voices', () => {
  it('every accent and every variant produces audio distinct from the rest (no silent fallback)', async () => {
    const seen = new Map<string, string>();
    const check = async (voice: string) => {
      const a = await synthesize(voice, 'Hello, the water is over there, my dog.', SAY);
      expect(a.sampleRate).toBe(22050);
      expect(a.samples.length).toBeGreaterThan(2000);
      const h = digest(a.samples);
      expect(seen.get(h), `${voice} sounds exactly like ${seen.get(h)}`).toBeUndefined();
      seen.set(h, voice);
    };
    for (const accent of SYNTHETIC_ACCENTS) await check(accent);
    for (const variant of SYNTHETIC_VARIANTS) await check(`en+${variant}`);
  });

  it('refuses a voice eSpeak does not know instead of falling back', async () => {
    await expect(synthesize('en-gb', 'Hello', SAY)).rejects.toThrow(
      /'voice' passed to 'synthesize' is not an eSpeak-NG voice: 'en-gb'/,
    );
  });

  it('is bit-reproducible (a fresh instance per utterance)', async () => {
    const a = await synthesize('en-us+f2', 'The golden rabbit', SAY);
    await synthesize('en-029+m5', 'Something else first', { pitch: 80, rate: 250, range: 90 });
    const b = await synthesize('en-us+f2', 'The golden rabbit', SAY);
    expect(digest(b.samples)).toBe(digest(a.samples));
  });
});
