import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractSpeakerFeatures } from './dataset.js';
import { enrolmentSplit } from './evaluation.js';
import { libriSpeechCorpus } from './loaders.js';
import { FIXTURES } from './test_util.js';

/**
 * The authors' evaluation on a LibriSpeech-layout folder: every file is a copy of one real FLAC fixture, laid
 * out as test-clean/<speaker>/<chapter>/<speaker>-<chapter>-<utt>.flac. Speaker 1089 has 2 chapters × 17
 * utterances (34: more than 32, across two recording sessions); speaker 121 has 6 (fewer than 32).
 */
describe('enrolmentSplit on a LibriSpeech-layout folder (the authors\u2019 32 utterances, 16 enrol / 16 verify)', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ttrnn-eval-'));
    const flac = join(FIXTURES, 'librispeech/test-clean/61/70968/61-70968-0000.flac');
    const put = (subset: string, speaker: string, chapter: string, n: number): void => {
      const dir = join(root, subset, speaker, chapter);
      mkdirSync(dir, { recursive: true });
      for (let u = 0; u < n; u++)
        copyFileSync(flac, join(dir, `${speaker}-${chapter}-${String(u).padStart(4, '0')}.flac`));
    };
    // Chapter 134686 sorts before 134691; utterances are numbered within a chapter.
    put('test-clean', '1089', '134691', 17);
    put('test-clean', '1089', '134686', 17);
    put('test-clean', '121', '121726', 6);
    put('train-clean-100', '19', '198', 1);
    put('dev-clean', '84', '121123', 1);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('takes the first 32 usable utterances in sorted order: the first 16 enrol, the next 16 verify', async () => {
    const set = await extractSpeakerFeatures(await libriSpeechCorpus({ root }), { features: { minFrames: 50 } });
    const test = set.splits.test;
    expect(test.map((s) => s.id)).toEqual(['1089', '121']);
    expect(test[0]!.utterances.every((u) => u.frames >= 50)).toBe(true);
    const split = enrolmentSplit(test, 50, 32);
    const a = split.speakers.find((s) => s.speaker === '1089')!;
    const ids = (n: number, chapter: string, from = 0) =>
      Array.from({ length: n }, (_, i) => `1089-${chapter}-${String(from + i).padStart(4, '0')}`);
    expect(a.enrol.map((u) => u.id)).toEqual(ids(16, '134686'));
    expect(a.verify.map((u) => u.id)).toEqual([...ids(1, '134686', 16), ...ids(15, '134691')]);
    // A speaker with fewer than 32 enrols the first half of what it has.
    const b = split.speakers.find((s) => s.speaker === '121')!;
    expect([b.enrol.length, b.verify.length]).toEqual([3, 3]);
    // Without a limit (this project's alternative protocol) every usable utterance is evaluated, half and half.
    const all = enrolmentSplit(test, 50).speakers.find((s) => s.speaker === '1089')!;
    expect([all.enrol.length, all.verify.length]).toEqual([17, 17]);
  });

  it('rejects an impossible utterance count, naming it', () => {
    expect(() => enrolmentSplit([], 160, 1)).toThrow(
      /'utterances' passed to 'enrolmentSplit' must be 0 \(all\) or an integer ≥ 2, got 1/,
    );
    expect(() => enrolmentSplit([], 160, 2.5)).toThrow(/got 2\.5/);
  });
});
