import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeatureCache } from './cache.js';
import type { UtteranceSource } from './corpus.js';
import { resolveFeatureOptions } from './features.js';
import { utteranceFeatures } from './dataset.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ttrnn-cache-'));
}

/** A synthetic source that counts how often its audio is produced (= cache misses that recompute). */
function countingSource(): UtteranceSource & { loads: number } {
  const src = {
    id: 'u1',
    speaker: 's1',
    file: 'synthetic:u1',
    identity: 'tone-v1',
    loads: 0,
    load: async () => {
      src.loads++;
      // 2 s of a warbling tone at 16 kHz: loud enough to pass the VAD partly; VAD is off below anyway.
      const x = new Float32Array(32000).map(
        (_, i) => 0.3 * Math.sin((2 * Math.PI * (300 + 50 * Math.sin(i / 4000)) * i) / 16000),
      );
      return { samples: x, sampleRate: 16000 };
    },
  };
  return src;
}

const opts = resolveFeatureOptions({ vad: null });

describe('FeatureCache', () => {
  it('stores and reloads features bit-exactly; a second read is a hit', async () => {
    const cache = new FeatureCache(tempDir());
    const src = countingSource();
    const a = await utteranceFeatures(src, opts, cache);
    const b = await utteranceFeatures(src, opts, cache);
    expect(src.loads).toBe(1);
    expect(cache.stats.hits).toBe(1);
    expect(b.frames).toBe(a.frames);
    expect(Buffer.from(b.data.buffer).equals(Buffer.from(a.data.buffer))).toBe(true);
  });

  it('rebuilds when a setting changes', async () => {
    const cache = new FeatureCache(tempDir());
    const src = countingSource();
    const a = await utteranceFeatures(src, opts, cache);
    const b = await utteranceFeatures(src, { ...opts, log: true }, cache);
    expect(src.loads).toBe(2);
    expect(b.data[0]).not.toBe(a.data[0]);
    const c = await utteranceFeatures(src, { ...opts, nMels: 20 }, cache);
    expect(src.loads).toBe(3);
    expect(c.nMels).toBe(20);
  });

  it('rebuilds when the source identity changes (e.g. file size or mtime)', async () => {
    const cache = new FeatureCache(tempDir());
    const src = countingSource();
    await utteranceFeatures(src, opts, cache);
    await utteranceFeatures({ ...src, identity: 'tone-v2', load: src.load }, opts, cache);
    expect(src.loads).toBe(2);
  });

  for (const [what, corrupt] of [
    ['truncated', (b: Buffer) => b.subarray(0, b.length - 7)],
    [
      'a flipped payload byte',
      (b: Buffer) => {
        const c = Buffer.from(b);
        c[c.length - 3] = (c[c.length - 3] as number) ^ 0xff;
        return c;
      },
    ],
    [
      'a bad magic',
      (b: Buffer) => {
        const c = Buffer.from(b);
        c.write('XXXXXXXX', 0, 'latin1');
        return c;
      },
    ],
    [
      'a wrong frame count in the header',
      (b: Buffer) => {
        const c = Buffer.from(b);
        c.writeUInt32LE(c.readUInt32LE(12) + 1, 12);
        return c;
      },
    ],
    ['an empty file', () => Buffer.alloc(0)],
  ] as const) {
    it(`detects ${what}, recomputes and rewrites the entry`, async () => {
      const dir = tempDir();
      const cache = new FeatureCache(dir);
      const src = countingSource();
      const a = await utteranceFeatures(src, opts, cache);
      const path = cache.pathFor(JSON.stringify({ pipeline: 1, options: opts, identity: src.identity }));
      expect(statSync(path).isFile()).toBe(true);
      writeFileSync(path, corrupt(readFileSync(path)));
      const b = await utteranceFeatures(src, opts, cache);
      expect(src.loads).toBe(2);
      expect(cache.stats.corrupt).toBe(1);
      expect(Array.from(b.data.subarray(0, 50))).toEqual(Array.from(a.data.subarray(0, 50)));
      // Rewritten: the next read is a hit again.
      await utteranceFeatures(src, opts, cache);
      expect(src.loads).toBe(2);
      // No temporary files left behind.
      const sub = readdirSync(join(path, '..'));
      expect(sub.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  }
});
