import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractSpeakerFeatures, summarizeSpeakerFeatures, utteranceFeatures } from './dataset.js';
import { resolveFeatureOptions } from './features.js';
import { Ge2eBatcher } from './ge2e.js';
import { addNoise, syntheticCorpus, syntheticCorpusSpec } from './synthetic.js';

function digest(x: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(x.buffer, x.byteOffset, x.byteLength))
    .digest('hex');
}

describe('syntheticCorpusSpec', () => {
  it('is a pure function of (size, seed) with disjoint speakers and distinct voices', () => {
    const a = syntheticCorpusSpec('paper', 5);
    expect(JSON.stringify(syntheticCorpusSpec('paper', 5))).toBe(JSON.stringify(a));
    expect(JSON.stringify(syntheticCorpusSpec('paper', 6))).not.toBe(JSON.stringify(a));
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([251, 40, 40]);
    const all = [...a.train, ...a.validation, ...a.test].map((u) => u[0]!.speaker);
    expect(new Set(all.map((s) => s.id)).size).toBe(331);
    expect(new Set(all.map((s) => `${s.accent}+${s.variant}+${s.pitch < 40 ? 'low' : 'high'}`)).size).toBe(331);
    expect(a.train[0]).toHaveLength(32);
    const texts = a.train[0]!.map((u) => u.text);
    expect(new Set(texts).size).toBe(32);
    expect(() => syntheticCorpusSpec('huge' as 'tiny', 0)).toThrow(
      /'size' passed to 'syntheticCorpusSpec' must be one of tiny, quick, paper/,
    );
  });
});

describe('syntheticCorpus (tiny)', () => {
  it('yields usable features, deterministic per seed, served from the cache the second time', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'ttrnn-syn-'));
    const corpus = syntheticCorpus({ size: 'tiny', seed: 1 });
    const set = await extractSpeakerFeatures(corpus, { cacheDir });
    expect(set.skipped).toEqual([]);
    const sum = summarizeSpeakerFeatures(set);
    expect([sum.splits.train.speakers, sum.splits.validation.speakers, sum.splits.test.speakers]).toEqual([4, 1, 1]);
    expect(sum.splits.train.utterances).toBe(16);
    expect(sum.splits.train.usableUtterances).toBe(16); // every tiny sentence is ≥ 160 frames after VAD
    expect(set.cache).toMatchObject({ hits: 0, misses: 24 });
    const again = await extractSpeakerFeatures(syntheticCorpus({ size: 'tiny', seed: 1 }), { cacheDir });
    expect(again.cache).toMatchObject({ hits: 24, misses: 0 });
    // Same seed, recomputed from scratch (no cache): identical features.
    const opts = resolveFeatureOptions();
    for (const [s, u] of [
      [0, 0],
      [3, 2],
    ] as const) {
      const src = corpus.splits.train[s]!.utterances[u]!;
      const fresh = await utteranceFeatures(src, opts, null);
      expect(digest(fresh.data)).toBe(digest(set.splits.train[s]!.utterances[u]!.data));
    }
    // A different seed gives different speakers and sentences.
    const other = syntheticCorpus({ size: 'tiny', seed: 2 }).splits.train[0]!.utterances[0]!;
    expect(other.identity).not.toBe(corpus.splits.train[0]!.utterances[0]!.identity);
    // It feeds GE2E batches.
    const batch = new Ge2eBatcher(set.splits.train, { speakersPerBatch: 4, utterancesPerSpeaker: 4, seed: 0 }).next();
    expect(batch.shape).toEqual([16, 160, 40]);
    expect(batch.x.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
  });
});

describe('noise option', () => {
  it('addNoise hits the requested SNR and is reproducible from its seed', () => {
    const x = new Float32Array(16000).map((_, i) => 0.3 * Math.sin(i / 9));
    const y = addNoise({ samples: x, sampleRate: 16000 }, 10, 7);
    let ps = 0;
    let pn = 0;
    for (let i = 0; i < x.length; i++) {
      ps += (x[i] as number) ** 2;
      pn += ((y.samples[i] as number) - (x[i] as number)) ** 2;
    }
    expect(10 * Math.log10(ps / pn)).toBeCloseTo(10, 0);
    expect(Array.from(addNoise({ samples: x, sampleRate: 16000 }, 10, 7).samples)).toEqual(Array.from(y.samples));
    expect(addNoise({ samples: x, sampleRate: 16000 }, 10, 8).samples[0]).not.toBe(y.samples[0]);
  });

  it('a noisy synthetic corpus is reproducible and keyed apart from the clean one', async () => {
    const clean = syntheticCorpus({ size: 'tiny', seed: 1 }).splits.test[0]!.utterances[0]!;
    const noisy = syntheticCorpus({ size: 'tiny', seed: 1, noiseSnrDb: 5 }).splits.test[0]!.utterances[0]!;
    const noisy2 = syntheticCorpus({ size: 'tiny', seed: 1, noiseSnrDb: 5 }).splits.test[0]!.utterances[0]!;
    expect(noisy.identity).not.toBe(clean.identity);
    const [a, b, c] = [await clean.load(), await noisy.load(), await noisy2.load()];
    expect(Array.from(c.samples)).toEqual(Array.from(b.samples));
    expect(b.samples.length).toBe(a.samples.length);
    expect(b.samples.some((v, i) => v !== a.samples[i])).toBe(true);
    expect(() => syntheticCorpus({ noiseSnrDb: Number.NaN })).toThrow(/'noiseSnrDb' passed to 'syntheticCorpus'/);
  });
});
