/**
 * `exp all --workers 2` against `--workers 1`: real worker processes, real MNIST, real backend, on a tiny
 * slice of the quick profile (three configurations of two training steps each).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runDirsDigest, tinySweep, withoutTimes } from '../test_util/cli.js';

const TINY = tinySweep(1, 256, 256);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ttrnn-workers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('exp all --workers', () => {
  it(
    'writes the same results.json and run directories with 2 worker processes as with 1',
    { timeout: 180_000 },
    async () => {
      const one = await runCli(['all', ...TINY, '--workers', '1', '--results-dir', join(dir, 'one'), '--run', 'r']);
      expect(one.code, one.stderr).toBe(0);
      const two = await runCli(['all', ...TINY, '--workers', '2', '--results-dir', join(dir, 'two'), '--run', 'r']);
      expect(two.code, two.stderr).toBe(0);
      expect(two.stderr).toMatch(/3 configuration\(s\) .*, 2 at a time in worker processes/);
      // Both workers took a configuration (the display names the lanes).
      expect(two.stderr).toMatch(/\[2\/3\] mnist-gru: running/);
      const a = JSON.parse(await readFile(join(dir, 'one', 'r', 'results.json'), 'utf8')) as {
        mnist: { status: string; outcome: { testAccuracy: number } }[];
      };
      const b = JSON.parse(await readFile(join(dir, 'two', 'r', 'results.json'), 'utf8')) as typeof a;
      expect(a.mnist.map((r) => r.status)).toEqual(['done', 'done', 'done']);
      expect(a.mnist.every((r) => Number.isFinite(r.outcome.testAccuracy))).toBe(true);
      expect(withoutTimes(b)).toEqual(withoutTimes(a));
      expect(await runDirsDigest(join(dir, 'two', 'r', 'runs'))).toEqual(
        await runDirsDigest(join(dir, 'one', 'r', 'runs')),
      );
    },
  );
});
