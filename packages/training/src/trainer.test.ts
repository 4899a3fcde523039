import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createModel } from '@ttrnn/cells';
import { Rng } from '@ttrnn/random';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { classificationObjective, evaluateClassifier } from './objectives.js';
import { RUN_LOCK, readMetrics } from './run_dir.js';
import { SignOfSumSource, TinyRnn } from './test_util/tiny_model.js';
import type { TrainableModel } from './named_weights.js';
import type { Objective, TrainOptions } from './trainer.js';
import { NonFiniteLossError, loadWeights, train } from './trainer.js';

const dirs: string[] = [];
const models: TinyRnn[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const m of models.splice(0)) m.dispose();
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ttrnn-train-'));
  dirs.push(d);
  return d;
}
function tiny(seed = 1, hidden = 8): TinyRnn {
  const m = new TinyRnn(1, hidden, 2, seed);
  models.push(m);
  return m;
}
/** A fake clock: every read advances 5 ms. */
function fakeClock(): () => number {
  let t = 0;
  return () => (t += 5);
}
function weightsOf(m: TinyRnn): Record<string, number[]> {
  return Object.fromEntries(m.namedWeights().map((w) => [w.name, Array.from(w.variable.dataSync())]));
}
function withoutTimes(records: Record<string, unknown>[]): Record<string, unknown>[] {
  return records.map((r) =>
    Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'seconds' && k !== 'evalSeconds')),
  );
}

const valSource = new SignOfSumSource(4, 64, 6, 99, true);

function baseOptions(model: TrainableModel, runDir: string, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    model,
    source: new SignOfSumSource(6, 16, 6, 5),
    objective: classificationObjective(),
    config: {
      epochs: 3,
      learningRate: 1e-2,
      lrDecay: { stepSize: 2, gamma: 0.5 },
      clipNorm: 1,
      seed: 3,
      checkpointEvery: 4,
    },
    runDir,
    now: fakeClock(),
    validate: (m) => evaluateClassifier(m, valSource),
    selection: { metric: 'valAccuracy', mode: 'max' },
    test: (m) => evaluateClassifier(m, valSource, 'test'),
    ...extra,
  };
}

describe('train', () => {
  it('learns the sign of a sum (> 90% held-out accuracy) with a cells LSTM', async () => {
    const model = createModel(
      { task: 'classifier', cell: 'lstm', tt: null, inputSize: 1, hiddenSize: 12, layers: 1, outputSize: 2 },
      2,
    );
    cleanups.push(() => model.dispose());
    const out = await train({
      ...baseOptions(model, tempDir()),
      source: new SignOfSumSource(40, 32, 6, 11),
      config: { epochs: 3, learningRate: 2e-2, seed: 1, checkpointEvery: 50 },
    });
    expect(out.status).toBe('finished');
    expect(out.steps).toBe(120);
    expect(out.test!['testAccuracy']).toBeGreaterThan(0.9);
    expect(out.firstGradNorms).toHaveLength(100);
    expect(out.firstGradNorms.every((g) => Number.isFinite(g) && g > 0)).toBe(true);
  });

  it('writes a metrics line for every step and epoch, with loss, lr and gradient norm', async () => {
    const dir = tempDir();
    const out = await train(baseOptions(tiny(), dir));
    const lines = readMetrics(join(dir, 'metrics.jsonl'));
    expect(lines.filter((l) => l['type'] === 'step')).toHaveLength(18);
    const epochs = lines.filter((l) => l['type'] === 'epoch');
    expect(epochs.map((e) => e['lr'])).toEqual([1e-2, 1e-2, 5e-3]);
    for (const l of lines.filter((x) => x['type'] === 'step')) {
      for (const k of ['loss', 'accuracy', 'lr', 'gradNorm', 'seconds']) expect(typeof l[k]).toBe('number');
    }
    expect(epochs[0]).toHaveProperty('valAccuracy');
    expect(out.best).not.toBeNull();
    // The final model is the best one on validation, and best.ckpt holds it.
    expect(out.test!['testAccuracy']).toBe(out.epochs[out.best!.epoch]!['valAccuracy']);
    const fresh = tiny(7);
    loadWeights(fresh, join(dir, 'best.ckpt'));
    expect(await evaluateClassifier(fresh, valSource, 'test')).toEqual(out.test);
  });

  it('resumes bit-exactly after a graceful stop and after a crash', async () => {
    const ref = tiny();
    const refDir = tempDir();
    const refOut = await train(baseOptions(ref, refDir));
    const refMetrics = withoutTimes(readMetrics(join(refDir, 'metrics.jsonl')));

    // Graceful stop mid-epoch (step 5 of 6), then resume.
    const a = tiny();
    const aDir = tempDir();
    const stopped = await train(baseOptions(a, aDir, { maxSteps: 5 }));
    expect(stopped.status).toBe('interrupted');
    const a2 = tiny(); // a fresh process: new model, state from disk only
    const aOut = await train(baseOptions(a2, aDir, { resume: true }));
    expect(aOut.resumedAtStep).toBe(5);
    expect(weightsOf(a2)).toEqual(weightsOf(ref));
    expect(withoutTimes(readMetrics(join(aDir, 'metrics.jsonl')))).toEqual(refMetrics);
    expect(aOut.test).toEqual(refOut.test);
    expect(aOut.best).toEqual(refOut.best);
    expect(aOut.firstGradNorms).toEqual(refOut.firstGradNorms);

    // A crash after step 11: the last checkpoint is step 8 (every 4 steps), lines 9–11 are rewritten.
    const b = tiny();
    const bDir = tempDir();
    await expect(
      train(
        baseOptions(b, bDir, {
          afterStep: (s) => {
            if (s === 11) throw new Error('killed');
          },
        }),
      ),
    ).rejects.toThrow('killed');
    expect(readCheckpoint<{ step: number }>(join(bDir, 'checkpoint.ckpt')).meta.step).toBe(8);
    // A torn half line at the end, as a kill during a write would leave.
    writeFileSync(join(bDir, 'metrics.jsonl'), readFileSync(join(bDir, 'metrics.jsonl'), 'utf8') + '{"type":"st');
    const b2 = tiny();
    const bOut = await train(baseOptions(b2, bDir, { resume: true }));
    expect(bOut.resumedAtStep).toBe(8);
    expect(weightsOf(b2)).toEqual(weightsOf(ref));
    expect(withoutTimes(readMetrics(join(bDir, 'metrics.jsonl')))).toEqual(refMetrics);
  });

  it('resumes a stateful batch source and the trainer generator exactly', async () => {
    /** Draws from the trainer's generator and from its own, which it checkpoints. */
    class Stateful {
      readonly numBatches = 5;
      private own = new Rng(42);
      private readonly inner = new SignOfSumSource(1, 16, 6, 0);
      batch(_epoch: number, _index: number, rng: Rng) {
        const b = this.inner.batch(this.own.int(1000), rng.int(1000));
        return b;
      }
      getState() {
        return this.own.getState();
      }
      setState(s: unknown) {
        this.own.setState(s as ReturnType<Rng['getState']>);
      }
    }
    const opts = (m: TinyRnn, dir: string, extra: Partial<TrainOptions> = {}): TrainOptions => ({
      ...baseOptions(m, dir, extra),
      source: new Stateful(),
      config: { epochs: 2, learningRate: 1e-2, seed: 9, checkpointEvery: 3 },
    });
    const ref = tiny();
    await train(opts(ref, tempDir()));
    const dir = tempDir();
    await train(opts(tiny(), dir, { maxSteps: 7 }));
    const resumed = tiny();
    await train(opts(resumed, dir, { resume: true }));
    expect(weightsOf(resumed)).toEqual(weightsOf(ref));
  });

  it('trains a model with a weight the loss does not reach, leaving it unchanged', async () => {
    const m = new TinyRnn(1, 8, 2, 1, [{ name: 'unused', value: 0.5 }]);
    models.push(m);
    const out = await train({ ...baseOptions(m, tempDir()), config: { epochs: 1, learningRate: 1e-2, seed: 1 } });
    expect(out.status).toBe('finished');
    expect(weightsOf(m)['unused']).toEqual([0.5]);
  });

  it('keeps live tensors flat across epochs', async () => {
    const counts: number[] = [];
    await train({
      ...baseOptions(tiny(), tempDir()),
      config: { epochs: 4, learningRate: 1e-2, seed: 1 },
      validate: (m) => {
        counts.push(tf.memory().numTensors);
        return evaluateClassifier(m, valSource);
      },
    });
    expect(counts).toHaveLength(4);
    expect(new Set(counts).size).toBe(1);
  });

  it('stops on a NaN loss with a clear error and keeps the last good checkpoint', async () => {
    const base = classificationObjective();
    let calls = 0;
    const poisoned: Objective = {
      ...base,
      loss: (out, batch) => {
        calls++;
        return calls === 7 ? tf.tidy(() => tf.mul(base.loss(out, batch), tf.scalar(NaN))) : base.loss(out, batch);
      },
    };
    const dir = tempDir();
    const model = tiny();
    await expect(train(baseOptions(model, dir, { objective: poisoned }))).rejects.toThrow(NonFiniteLossError);
    await expect(
      train(
        baseOptions(tiny(), tempDir(), {
          objective: { ...base, loss: (o, b) => tf.tidy(() => tf.mul(base.loss(o, b), tf.scalar(Infinity))) },
        }),
      ),
    ).rejects.toThrow(
      /loss is Infinity at epoch 1, batch 1 \(step 1\); the last good checkpoint \(.*checkpoint.ckpt, step 0\) is kept/,
    );
    const ckpt = readCheckpoint<{ step: number }>(join(dir, 'checkpoint.ckpt'));
    expect(ckpt.meta.step).toBe(6); // the epoch-end checkpoint before the bad step 7
    // The kept checkpoint resumes.
    const out = await train(baseOptions(tiny(), dir, { resume: true }));
    expect(out.status).toBe('finished');
    expect(out.resumedAtStep).toBe(6);
  });

  it('rejects bad configs, foreign and corrupt checkpoints with clear errors', async () => {
    const model = tiny();
    const dir = tempDir();
    await expect(train(baseOptions(model, dir, { config: { epochs: 1, learningRat: 1 } as never }))).rejects.toThrow(
      /unknown option 'learningRat' in the config passed to 'train'/,
    );
    await expect(train(baseOptions(model, dir, { config: { learningRate: -1 } }))).rejects.toThrow(
      /'learningRate' passed to 'train' must be a positive number/,
    );
    await expect(train(baseOptions(model, dir, { config: { epochs: 0 } }))).rejects.toThrow(/'epochs'/);
    await expect(train(baseOptions(model, dir, { source: new SignOfSumSource(0, 16, 6, 1) }))).rejects.toThrow(
      /numBatches/,
    );

    await train(baseOptions(model, dir, { maxSteps: 3 }));
    const other = new TinyRnn(1, 5, 2, 1);
    models.push(other);
    await expect(train(baseOptions(other, dir, { resume: true }))).rejects.toThrow(
      /checkpoint.ckpt: weight 'wx' has shape \[1, 8\] in the checkpoint, \[1, 5\] in the model/,
    );
    const path = join(dir, 'checkpoint.ckpt');
    const good = readFileSync(path);
    writeFileSync(path, good.subarray(0, good.length - 10));
    await expect(train(baseOptions(tiny(), dir, { resume: true }))).rejects.toThrow(/checkpoint.ckpt: truncated/);
    const bad = Buffer.from(good);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    writeFileSync(path, bad);
    await expect(train(baseOptions(tiny(), dir, { resume: true }))).rejects.toThrow(/corrupt checkpoint/);
    // After all those errors the directory still resumes once the file is good.
    writeFileSync(path, good);
    const out = await train(baseOptions(tiny(), dir, { resume: true }));
    expect(out.resumedAtStep).toBe(3);
  });

  it('a fresh start writes config.json and a step-0 checkpoint; a start that fails leaves nothing behind', async () => {
    const dir = join(tempDir(), 'run');
    await train(baseOptions(tiny(), dir, { maxSteps: 0 }));
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.ckpt', 'config.json', 'metrics.jsonl']);
    expect(readCheckpoint<{ step: number }>(join(dir, 'checkpoint.ckpt')).meta.step).toBe(0);
    // A source that breaks while the run begins (its state cannot be saved).
    const failing = join(tempDir(), 'nested', 'run');
    const source = Object.assign(new SignOfSumSource(6, 16, 6, 5), {
      getState: () => {
        throw new Error('source broke');
      },
    });
    await expect(train(baseOptions(tiny(), failing, { source }))).rejects.toThrow('source broke');
    expect(existsSync(join(failing, '..'))).toBe(false);
    // So the next attempt is a plain fresh start, not "an interrupted run".
    expect((await train(baseOptions(tiny(), failing, { maxSteps: 1 }))).status).toBe('interrupted');
  });

  it('holds the run directory while it trains: a second train on it is refused, the lock is gone after', async () => {
    const dir = join(tempDir(), 'run');
    let second: Promise<unknown> | null = null;
    const first = train(
      baseOptions(tiny(1), dir, {
        afterStep: (step) => {
          // Mid-run, in the same process: the lock names this process.
          if (step === 2) second = train(baseOptions(tiny(2), dir, { resume: true }));
        },
      }),
    );
    const outcome = await first;
    expect(outcome.status).toBe('finished');
    await expect(second!).rejects.toThrow(`${dir}: the run directory is in use by process ${process.pid}`);
    expect(readdirSync(dir)).not.toContain(RUN_LOCK);
  });

  it('--resume refuses when there is nothing to resume, and never touches what is there', async () => {
    const missing = join(tempDir(), 'missing');
    await expect(train(baseOptions(tiny(), missing, { resume: true }))).rejects.toThrow(
      /missing: nothing to resume: the directory does not exist/,
    );
    expect(existsSync(missing)).toBe(false);
    const dir = tempDir();
    await train(baseOptions(tiny(), dir, { maxSteps: 5 }));
    const metrics = readFileSync(join(dir, 'metrics.jsonl'), 'utf8');
    unlinkSync(join(dir, 'checkpoint.ckpt'));
    await expect(train(baseOptions(tiny(), dir, { resume: true }))).rejects.toThrow(
      /holds config.json but no checkpoint.ckpt \(a damaged run\)/,
    );
    await expect(train(baseOptions(tiny(), dir))).rejects.toThrow(/not a run that can be started over/);
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8')).toBe(metrics);
  });

  it('cleans stale checkpoint temporaries and refuses a garbage line in the kept metrics on resume', async () => {
    const dir = tempDir();
    await train(baseOptions(tiny(), dir, { maxSteps: 5 }));
    writeFileSync(join(dir, '.checkpoint.ckpt.tmp-999999999'), 'half a checkpoint');
    const path = join(dir, 'metrics.jsonl');
    const good = readFileSync(path, 'utf8');
    const lines = good.split('\n');
    lines[2] = 'garbage';
    writeFileSync(path, lines.join('\n'));
    await expect(train(baseOptions(tiny(), dir, { resume: true }))).rejects.toThrow(
      /metrics.jsonl: line 3 is not a JSON object \("garbage"\)/,
    );
    writeFileSync(path, good);
    const out = await train(baseOptions(tiny(), dir, { resume: true }));
    expect(out.resumedAtStep).toBe(5);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('keeps every metrics record when metrics.jsonl is deleted mid-run, and says so', async () => {
    const ref = tempDir();
    await train(baseOptions(tiny(), ref));
    const dir = tempDir();
    const said: string[] = [];
    const out = await train(
      baseOptions(tiny(), dir, {
        progress: { write: (t: string) => said.push(t) },
        afterStep: (s) => {
          if (s === 3 || s === 17) unlinkSync(join(dir, 'metrics.jsonl'));
        },
      }),
    );
    expect(out.status).toBe('finished');
    expect(withoutTimes(readMetrics(join(dir, 'metrics.jsonl')))).toEqual(
      withoutTimes(readMetrics(join(ref, 'metrics.jsonl'))),
    );
    expect(said.join('').match(/was deleted or replaced during the run; rewrote its \d+ records/g)).toHaveLength(2);
  });

  it('refuses to resume on another backend than the run used (bit-identity would be lost)', async () => {
    const dir = tempDir();
    await train(baseOptions(tiny(), dir, { maxSteps: 2 }));
    const path = join(dir, 'checkpoint.ckpt');
    const ckpt = readCheckpoint<Record<string, unknown>>(path);
    expect(ckpt.meta['backend']).toBe(tf.getBackend());
    writeCheckpoint(path, { ...ckpt, meta: { ...ckpt.meta, backend: 'webgl' } });
    await expect(train(baseOptions(tiny(), dir, { resume: true }))).rejects.toThrow(
      new RegExp(
        `the run was trained on the 'webgl' backend, this process uses '${tf.getBackend()}'; .*not bit-identical.*--backend webgl`,
      ),
    );
  });
});
