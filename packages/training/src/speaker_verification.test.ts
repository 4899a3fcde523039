import { describe, expect, it } from 'vitest';
import { Rng } from '@ttrnn/random';
import { speakerVerificationEer } from './speaker_verification.js';

describe('speakerVerificationEer', () => {
  it('is 0 when every speaker has its own direction', () => {
    const emb = [
      [
        [1, 0, 0],
        [0.9, 0.1, 0],
        [1, 0.05, 0],
        [0.95, 0, 0.05],
      ],
      [
        [0, 1, 0],
        [0.1, 0.9, 0],
        [0, 1, 0.1],
        [0.05, 1, 0],
      ],
      [
        [0, 0, 1],
        [0, 0.1, 1],
        [0.1, 0, 0.9],
        [0, 0, 1],
      ],
    ];
    const r = speakerVerificationEer(emb);
    expect(r.eer).toBe(0);
    expect(r.genuineTrials).toBe(6); // 2 verification utterances × 3 speakers
    expect(r.impostorTrials).toBe(12);
  });
  it('is about 0.5 for embeddings that carry no speaker information', () => {
    const rng = new Rng(3);
    const emb = Array.from({ length: 20 }, () => Array.from({ length: 20 }, () => Array.from(rng.normalArray(8))));
    const r = speakerVerificationEer(emb);
    expect(r.eer).toBeGreaterThan(0.4);
    expect(r.eer).toBeLessThan(0.6);
  });
  it('enrols the first half: a speaker whose second half moved is rejected', () => {
    // Speaker 0 enrols on [1,0] but verifies with [0,1] = speaker 1's direction.
    const emb = [
      [
        [1, 0],
        [1, 0],
        [0, 1],
        [0, 1],
      ],
      [
        [0, 1],
        [0, 1],
        [0, 1],
        [0, 1],
      ],
    ];
    expect(speakerVerificationEer(emb).eer).toBeGreaterThan(0.2);
  });
  it('rejects a speaker with one utterance', () => {
    expect(() => speakerVerificationEer([[[1]], [[1], [2]]])).toThrow(/speaker 0 has 1 utterances/);
  });
});
