import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { tempDirs } from '../test_util/run.js';
import { parityCommand } from './parity.js';

const REFERENCE = fileURLToPath(new URL('../../../../reference/ttrnn-reference-vectors.json', import.meta.url));
const load = (): Record<string, unknown> => JSON.parse(readFileSync(REFERENCE, 'utf8')) as Record<string, unknown>;
type Arr = { shape: number[]; data: number[] };

describe('parity', () => {
  const tempDir = tempDirs('parity');

  it('the command exits 0 on the committed file and 1 on a modified copy, with --json alone on stdout', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await parityCommand.run(['--vectors', REFERENCE, '--json'])).toBe(0);
      expect(log).toHaveBeenCalledTimes(1);
      const report = JSON.parse(log.mock.calls[0]![0] as string) as { ok: boolean; cases: unknown[] };
      expect(report.ok).toBe(true);
      expect(report.cases).toHaveLength(10);

      const doc = load();
      (doc['tt_classifier'] as { log_softmax_out: Arr }).log_softmax_out.data[0]! -= 1e-3;
      doc['extra'] = { weird: [1, 2, 3] };
      const dir = tempDir();
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify(doc));
      log.mockClear();
      expect(await parityCommand.run(['--vectors', bad])).toBe(1);
      const text = log.mock.calls.map((c) => String(c[0])).join('\n');
      expect(text).toMatch(/tt_classifier\s+classifier.*FAIL/);
      expect(text).toMatch(/extra\s+unknown.*FAIL/);
      await expect(parityCommand.run(['--vectors', join(dir, 'missing.json')])).rejects.toThrow(
        /missing\.json: expected a JSON reference-vector file/,
      );
    } finally {
      log.mockRestore();
    }
  });

  it.each([
    [
      'an object of no known case',
      { name: 'x', values: [1, 2, 3] },
      /not a reference-vector file: .*got an object whose 2 entries are none of them/,
    ],
    ['an array', [1, 2, 3], /not a reference-vector file: .*got an array/],
    ['only a meta entry', { meta: { version: 1 } }, /not a reference-vector file/],
    ['a number', 42, /not a reference-vector file: .*got a JSON number/],
  ])('refuses a JSON file that is not a vector file (%s), naming the file', async (_what, content, expected) => {
    const file = join(tempDir(), 'not-vectors.json');
    writeFileSync(file, JSON.stringify(content));
    await expect(parityCommand.run(['--vectors', file])).rejects.toThrow(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${expected.source}`),
    );
  });
});
