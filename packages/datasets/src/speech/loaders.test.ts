import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractSpeakerFeatures, summarizeSpeakerFeatures } from './dataset.js';
import { libriSpeechCorpus, looksLikeLibriSpeech, speakerFoldersCorpus } from './loaders.js';
import { resolveSpeakerCorpus, speakerDataSummary } from './speakers.js';
import { FIXTURES } from './test_util.js';

const LIBRI = `${FIXTURES}librispeech`;
const FOLDERS = `${FIXTURES}folders`;

describe('libriSpeechCorpus', () => {
  it('lists speakers from the folders and reports misnamed files', async () => {
    expect(await looksLikeLibriSpeech(LIBRI)).toBe(true);
    expect(await looksLikeLibriSpeech(FOLDERS)).toBe(false);
    // The parent of a LibriSpeech/ folder is accepted too.
    const parent = mkdtempSync(join(tmpdir(), 'ttrnn-libri-'));
    cpSync(LIBRI, join(parent, 'LibriSpeech'), { recursive: true });
    const viaParent = await resolveSpeakerCorpus({ dataDir: parent });
    expect(viaParent.name).toBe(`librispeech:${join(parent, 'LibriSpeech')}`);
    const c = await libriSpeechCorpus({ root: LIBRI });
    expect(c.splits.train.map((s) => s.id)).toEqual(['19', '26']);
    expect(c.splits.validation.map((s) => s.id)).toEqual(['84']);
    expect(c.splits.test.map((s) => s.id)).toEqual(['61']);
    expect(c.splits.train[0]!.utterances.map((u) => u.id)).toEqual(['19-198-0000', '19-198-0001']);
    expect(c.splits.train[1]!.utterances.map((u) => u.id)).toEqual(['26-495-0000', '26-495-0001', '26-495-0002']);
    expect(c.skipped).toHaveLength(1);
    expect(c.skipped[0]!.file).toMatch(/stray\.flac$/);
    expect(c.skipped[0]!.reason).toMatch(/expected a name like 19-198-0000\.flac/);
  });

  it('decodes the FLAC files; the empty one is skipped with its reason; summary counts', async () => {
    const c = await libriSpeechCorpus({ root: LIBRI });
    const set = await extractSpeakerFeatures(c, { features: { minFrames: 50 } });
    const empty = set.skipped.find((s) => s.file.endsWith('26-495-0002.flac'));
    expect(empty?.reason).toMatch(/26-495-0002\.flac: audio file is empty/);
    expect(set.skipped).toHaveLength(2);
    const u = set.splits.train[0]!.utterances[0]!;
    expect(u.nMels).toBe(40);
    expect(u.frames).toBeGreaterThan(50);
    expect(u.data.length).toBe(u.frames * 40);
    const sum = summarizeSpeakerFeatures(set);
    expect(sum.splits.train).toMatchObject({ speakers: 2, utterances: 4 });
    expect(sum.splits.validation).toMatchObject({ speakers: 1, utterances: 1 });
    expect(sum.splits.train.frames).toBe(
      set.splits.train.flatMap((s) => s.utterances).reduce((a, x) => a + x.frames, 0),
    );
    expect(sum.skipped).toBe(2);
    // The fixtures are short (about 1.5 s), so with the original 160-frame minimum fewer are usable.
    expect(sum.splits.train.usableUtterances).toBeLessThanOrEqual(sum.splits.train.utterances);
    await expect(extractSpeakerFeatures(c, { onError: 'throw' })).rejects.toThrow(
      /26-495-0002\.flac: audio file is empty/,
    );
  });

  it('names a missing subset folder', async () => {
    await expect(
      libriSpeechCorpus({ root: LIBRI, subsets: { train: ['train-clean-360'], validation: [], test: [] } }),
    ).rejects.toThrow(/train-clean-360: LibriSpeech subset folder for the train split not found/);
  });
});

describe('speakerFoldersCorpus', () => {
  it('finds wav and flac files at any depth and splits speakers deterministically', async () => {
    const c = await speakerFoldersCorpus({ root: FOLDERS, fractions: { train: 1, validation: 1, test: 1 }, seed: 3 });
    const all = [...c.splits.train, ...c.splits.validation, ...c.splits.test].map((s) => s.id).sort();
    expect(all).toEqual(['alice', 'bob', 'carol']);
    expect(c.splits.train).toHaveLength(1);
    expect(c.splits.validation).toHaveLength(1);
    const alice = [...c.splits.train, ...c.splits.validation, ...c.splits.test].find((s) => s.id === 'alice')!;
    expect(alice.utterances.map((u) => u.id)).toEqual(['alice/a.wav', 'alice/session2/b.flac']);
    const again = await speakerFoldersCorpus({
      root: FOLDERS,
      fractions: { train: 1, validation: 1, test: 1 },
      seed: 3,
    });
    expect(again.splits.test.map((s) => s.id)).toEqual(c.splits.test.map((s) => s.id));
    // LibriSpeech's 251:40:40 proportions still give every split a speaker when there are 3.
    const byDefault = await speakerFoldersCorpus({ root: FOLDERS });
    expect([byDefault.splits.train.length, byDefault.splits.validation.length, byDefault.splits.test.length]).toEqual([
      1, 1, 1,
    ]);
    // 8 kHz WAV and 16 kHz FLAC both end up as 16 kHz features.
    const a = await alice.utterances[0]!.load();
    expect(a.sampleRate).toBe(8000);
  });

  it('uses train/ dev/ test/ folders when present, and the summary helper reads them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ttrnn-folders-'));
    cpSync(join(FOLDERS, 'alice'), join(root, 'train', 'alice'), { recursive: true });
    cpSync(join(FOLDERS, 'bob'), join(root, 'dev', 'bob'), { recursive: true });
    cpSync(join(FOLDERS, 'carol'), join(root, 'test', 'carol'), { recursive: true });
    writeFileSync(join(root, 'train', 'alice', 'silent.wav'), silentWav());
    const summary = await speakerDataSummary({ dataDir: root, features: { minFrames: 50 } });
    expect(summary.splits.train).toMatchObject({ speakers: 1, utterances: 2 });
    expect(summary.splits.validation).toMatchObject({ speakers: 1, utterances: 2 });
    expect(summary.splits.test).toMatchObject({ speakers: 1, utterances: 2 });
    expect(summary.skippedFiles).toEqual([
      { file: join(root, 'train', 'alice', 'silent.wav'), reason: expect.stringMatching(/digital silence/) },
    ]);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it('names a folder without speakers', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ttrnn-empty-'));
    await expect(speakerFoldersCorpus({ root })).rejects.toThrow(/no speaker folders with \.wav or \.flac files/);
    await expect(speakerFoldersCorpus({ root: join(root, 'missing') })).rejects.toThrow(
      /missing: speaker corpus folder not found/,
    );
  });
});

/** 0.5 s of 16-bit zeros at 16 kHz. */
function silentWav(): Buffer {
  const n = 8000;
  const b = Buffer.alloc(44 + 2 * n);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + 2 * n, 4);
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(16000, 24);
  b.writeUInt32LE(32000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(2 * n, 40);
  return b;
}
