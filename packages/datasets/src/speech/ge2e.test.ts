import fc from 'fast-check';
import { Rng } from '@ttrnn/random';
import { describe, expect, it } from 'vitest';
import { RandomCycler } from './cycler.js';
import type { SpeakerFeatures } from './dataset.js';
import { enrolmentSplit, evaluationWindows } from './evaluation.js';
import { Ge2eBatcher } from './ge2e.js';

/** Fake features: value at (frame t, mel d) of utterance u of speaker s encodes s, u, t, d. */
function fakeSpeakers(
  nSpeakers: number,
  nUtts: number,
  frames: (s: number, u: number) => number,
  nMels = 4,
): SpeakerFeatures[] {
  return Array.from({ length: nSpeakers }, (_, s) => ({
    id: `spk${s}`,
    utterances: Array.from({ length: nUtts }, (_, u) => {
      const T = frames(s, u);
      const data = new Float32Array(T * nMels);
      for (let t = 0; t < T; t++) for (let d = 0; d < nMels; d++) data[t * nMels + d] = s * 1e6 + u * 1e4 + t * 10 + d;
      return { id: `spk${s}-u${u}`, speaker: `spk${s}`, file: `f${s}-${u}`, data, frames: T, nMels };
    }),
  }));
}

describe('RandomCycler', () => {
  it('every item once per cycle, distinct within a draw, no repeat across a cycle boundary', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer(), (n, k0, seed) => {
        const k = Math.min(k0, n);
        const c = new RandomCycler(n);
        const rng = new Rng(seed);
        const stream: number[] = [];
        for (let i = 0; i < 6; i++) {
          const draw = c.sample(k, rng);
          expect(new Set(draw).size).toBe(k);
          stream.push(...draw);
        }
        // Cycles are consecutive runs of n items when k divides n; in general
        // each item appears ⌊len/n⌋ or ⌈len/n⌉ times in the first whole cycles.
        const whole = Math.floor(stream.length / n) * n;
        const counts = new Array<number>(n).fill(0);
        for (const v of stream.slice(0, whole)) counts[v]!++;
        expect(counts.every((x) => x === whole / n)).toBe(true);
        if (n > 1) for (let i = 1; i < stream.length; i++) expect(stream[i]).not.toBe(stream[i - 1]);
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('reshuffles each cycle', () => {
    const c = new RandomCycler(8);
    const rng = new Rng(3);
    const cycles = Array.from({ length: 5 }, () => c.sample(8, rng).join(','));
    expect(new Set(cycles).size).toBeGreaterThan(1);
  });
});

describe('Ge2eBatcher', () => {
  const speakers = fakeSpeakers(7, 5, (s, u) => 160 + ((s * 7 + u * 13) % 60));

  it('returns speaker-major [N·M, 160, nMels] crops of the drawn utterances', () => {
    const b = new Ge2eBatcher(speakers, { speakersPerBatch: 3, utterancesPerSpeaker: 4, seed: 1 });
    const batch = b.next();
    expect(batch.shape).toEqual([12, 160, 4]);
    expect(batch.x.length).toBe(12 * 160 * 4);
    expect(new Set(batch.speakers).size).toBe(3);
    for (let row = 0; row < 12; row++) {
      const s = Math.floor(row / 4);
      const [spk, utt] = (batch.utterances[row] as string).split('-') as [string, string];
      expect(spk).toBe(batch.speakers[s]);
      const start = batch.starts[row] as number;
      const si = Number(spk.slice(3));
      const ui = Number(utt.slice(1));
      expect(start + 160).toBeLessThanOrEqual(160 + ((si * 7 + ui * 13) % 60));
      // First and last value of the crop identify speaker, utterance and frame.
      expect(batch.x[row * 640]).toBe(si * 1e6 + ui * 1e4 + start * 10);
      expect(batch.x[row * 640 + 639]).toBe(si * 1e6 + ui * 1e4 + (start + 159) * 10 + 3);
    }
    for (let s = 0; s < 3; s++) expect(new Set(batch.utterances.slice(s * 4, s * 4 + 4)).size).toBe(4);
  });

  it('draws every speaker once per cycle over batches', () => {
    const b = new Ge2eBatcher(speakers, { speakersPerBatch: 7, utterancesPerSpeaker: 2, seed: 5 });
    for (let i = 0; i < 3; i++) expect([...b.next().speakers].sort()).toEqual(speakers.map((s) => s.id).sort());
  });

  it('is reproducible from the seed and resumable from getState/setState (JSON round trip)', () => {
    const a = new Ge2eBatcher(speakers, { speakersPerBatch: 3, utterancesPerSpeaker: 4, seed: 9 });
    a.next();
    a.next();
    const state = JSON.parse(JSON.stringify(a.getState()));
    const next3 = [a.next(), a.next(), a.next()];
    const b = new Ge2eBatcher(speakers, { speakersPerBatch: 3, utterancesPerSpeaker: 4, seed: 123 });
    b.setState(state);
    expect(b.batchCount).toBe(2);
    for (const want of next3) {
      const got = b.next();
      expect(got.utterances).toEqual(want.utterances);
      expect(got.starts).toEqual(want.starts);
      expect(Buffer.from(got.x.buffer).equals(Buffer.from(want.x.buffer))).toBe(true);
    }
    const c = new Ge2eBatcher(speakers, { speakersPerBatch: 3, utterancesPerSpeaker: 4, seed: 9 });
    c.next();
    c.next();
    expect(c.next().utterances).toEqual(next3[0]?.utterances);
  });

  it('says what is missing when the corpus is too small', () => {
    const few = fakeSpeakers(3, 5, () => 200);
    expect(() => new Ge2eBatcher(few, { speakersPerBatch: 4, utterancesPerSpeaker: 2 })).toThrow(
      /needs 4 speakers with at least 2 usable utterances .* has 3 of 3/,
    );
    const short = fakeSpeakers(4, 3, (s, u) => (s === 0 && u > 0 ? 100 : 200));
    expect(() => new Ge2eBatcher(short, { speakersPerBatch: 4, utterancesPerSpeaker: 2 })).toThrow(
      /speakers with too few: spk0 \(1\)/,
    );
    const b = new Ge2eBatcher(short, { speakersPerBatch: 3, utterancesPerSpeaker: 2 });
    expect(b.excludedSpeakers).toEqual([{ id: 'spk0', usableUtterances: 1 }]);
    expect(() => b.setState({ ...b.getState(), batches: -0.5 })).toThrow(/'state' passed to 'Ge2eBatcher.setState'/);
  });
});

describe('evaluation', () => {
  it('windows of 160 frames at a step of 80, full windows only', () => {
    const [spk] = fakeSpeakers(1, 1, () => 400);
    const utt = spk!.utterances[0]!;
    const w = evaluationWindows(utt);
    expect(w.starts).toEqual([0, 80, 160, 240]);
    expect(w.shape).toEqual([160, 4]);
    expect(w.windows[1]![0]).toBe(80 * 10);
    expect(w.windows[3]![160 * 4 - 1]).toBe(399 * 10 + 3);
    const exact = evaluationWindows({ ...utt, frames: 160, data: utt.data.subarray(0, 640) });
    expect(exact.starts).toEqual([0]);
    expect(() => evaluationWindows({ ...utt, frames: 100, data: utt.data.subarray(0, 400), file: 'x.flac' })).toThrow(
      /x\.flac has 100 frames/,
    );
  });

  it('enrols the first half of each speaker\u2019s usable utterances and verifies the rest', () => {
    const sp = fakeSpeakers(3, 5, (s, u) => (s === 1 && u !== 2 ? 50 : 200));
    const split = enrolmentSplit(sp);
    expect(split.speakers.map((s) => s.speaker)).toEqual(['spk0', 'spk2']);
    expect(split.speakers[0]!.enrol.map((u) => u.id)).toEqual(['spk0-u0', 'spk0-u1']);
    expect(split.speakers[0]!.verify.map((u) => u.id)).toEqual(['spk0-u2', 'spk0-u3', 'spk0-u4']);
    expect(split.excluded).toEqual([{ speaker: 'spk1', usableUtterances: 1 }]);
  });
});
