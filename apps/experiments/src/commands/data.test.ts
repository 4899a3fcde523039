import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../args.js';
import { repoRoot } from '../sweep.js';
import { tempDirs } from '../test_util/run.js';
import { dataCommand } from './data.js';

const FIXTURES = resolve(repoRoot(), 'packages', 'datasets', 'test', 'fixtures');
const tempDir = tempDirs('data');

let out: string[];
let cacheDir: string;
beforeEach(() => {
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    out.push(a.join(' '));
  });
  vi.spyOn(console, 'error').mockImplementation(() => {});
  cacheDir = tempDir();
});
afterEach(() => vi.restoreAllMocks());

describe('data command', () => {
  it('prints split sizes and label counts of an MNIST directory as JSON', async () => {
    const code = await dataCommand.run([
      '--data-dir',
      join(FIXTURES, 'mnist', 'plain'),
      '--validation-size',
      '2',
      '--json',
    ]);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const s = JSON.parse(out[0]!) as {
      files: { train: number; test: number };
      splits: Record<string, { size: number; labelCounts: number[] }>;
    };
    expect(s.splits['validation']!.size).toBe(2);
    expect(s.splits['train']!.size + s.splits['validation']!.size).toBe(s.files.train);
    expect(s.splits['test']!.size).toBe(s.files.test);
    for (const split of Object.values(s.splits)) expect(split.labelCounts.reduce((a, b) => a + b, 0)).toBe(split.size);
  });

  it('prints a table by default', async () => {
    await dataCommand.run(['--data-dir', join(FIXTURES, 'mnist', 'plain'), '--validation-size', '2']);
    expect(out[0]).toMatch(/^split +size +0 +1/m);
    expect(out[0]).toMatch(/^validation +2 /m);
  });

  it('fails naming the file on missing or corrupt MNIST files', async () => {
    await expect(dataCommand.run(['--data-dir', join(FIXTURES, 'mnist', 'missing')])).rejects.toThrow(
      /MNIST files missing in .*t10k-labels-idx1-ubyte/,
    );
    await expect(dataCommand.run(['--data-dir', join(FIXTURES, 'mnist', 'wrong-magic')])).rejects.toThrow(
      /train-images-idx3-ubyte: expected magic 2051, got 2049/,
    );
    expect(out).toEqual([]);
  });

  it('summarises a speaker corpus: speakers, utterances, usable utterances and frames per split', async () => {
    const code = await dataCommand.run([
      '--dataset',
      'speakers',
      '--data-dir',
      join(FIXTURES, 'speech', 'librispeech'),
      '--cache-dir',
      cacheDir,
      '--json',
    ]);
    expect(code).toBe(0);
    const s = JSON.parse(out[0]!) as {
      splits: Record<string, { speakers: number; utterances: number; usableUtterances: number; frames: number }>;
      skipped: number;
    };
    for (const split of ['train', 'validation', 'test']) {
      const x = s.splits[split]!;
      expect(x.speakers).toBeGreaterThan(0);
      expect(x.usableUtterances).toBeLessThanOrEqual(x.utterances);
      expect(x.frames).toBeGreaterThan(0);
    }
    expect(s.skipped).toBeGreaterThan(0);
    expect((await readdir(cacheDir)).length).toBeGreaterThan(0);
  });

  it('rejects a missing speaker directory, unknown options and stray arguments', async () => {
    await expect(
      dataCommand.run(['--dataset', 'speakers', '--data-dir', join(cacheDir, 'nope'), '--cache-dir', cacheDir]),
    ).rejects.toThrow(/nope/);
    await expect(dataCommand.run(['--dataset', 'cifar'])).rejects.toThrow(UsageError);
    await expect(dataCommand.run(['mnist'])).rejects.toThrow(/no positional arguments/);
  });

  it('refuses an unwritable --cache-dir once, naming it (not every utterance "skipped")', async () => {
    const file = join(cacheDir, 'a-file');
    await writeFile(file, 'x');
    await expect(
      dataCommand.run([
        '--dataset',
        'speakers',
        '--data-dir',
        join(FIXTURES, 'speech', 'librispeech'),
        '--cache-dir',
        join(file, 'cache'),
      ]),
    ).rejects.toThrow(
      /a-file\/cache: cannot write the speaker-feature cache there: a component of the path is not a directory \(ENOTDIR\); choose another --cache-dir/,
    );
  });

  it('lists a truncated WAV, a corrupt file and a broken speaker as skipped, in the JSON and in the table', async () => {
    const corpus = join(cacheDir, 'corpus');
    await cp(join(FIXTURES, 'speech', 'folders'), corpus, { recursive: true });
    const good = await readFile(join(corpus, 'alice', 'a.wav'));
    await writeFile(join(corpus, 'alice', 'truncated.wav'), good.subarray(0, Math.floor(good.length / 2)));
    await mkdir(join(corpus, 'dave'));
    await writeFile(join(corpus, 'dave', 'noise.wav'), 'not audio at all');
    const args = ['--dataset', 'speakers', '--data-dir', corpus, '--cache-dir', join(cacheDir, 'cache')];
    expect(await dataCommand.run([...args, '--json'])).toBe(0);
    const s = JSON.parse(out[0]!) as { skipped: number; skippedFiles: { file: string; reason: string }[] };
    const reasons = s.skippedFiles.map((f) => `${f.file}: ${f.reason}`).join('\n');
    expect(reasons).toMatch(/truncated\.wav: .*truncated WAV: its data chunk declares \d+ bytes, the file holds \d+/);
    expect(reasons).toMatch(/noise\.wav: .*expected a WAV \(RIFF\) or FLAC \(fLaC\) file/);
    expect(reasons).toMatch(/dave/);
    expect(s.skipped).toBe(s.skippedFiles.length);
    out.length = 0;
    expect(await dataCommand.run(args)).toBe(0);
    expect(out.join('\n')).toMatch(
      new RegExp(`${s.skipped} file\\(s\\) skipped:[\\s\\S]*truncated\\.wav[\\s\\S]*noise\\.wav`),
    );
  });
});
