/**
 * A short training run on the webgpu backend (the GPU code path; through SwiftShader, Vulkan on the CPU, where
 * the machine has no GPU): the loss falls, a resumed run ends bit-identical to an uninterrupted one, and the
 * trajectory stays within float32 rounding of the cpu backend's. Skipped, saying what to install, where no
 * Vulkan driver is found. Small shapes: SwiftShader takes about a millisecond per kernel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backendFromEnv, initBackend, webgpuProblem } from '@ttrnn/backend';
import { createModel } from '@ttrnn/cells';
import { Rng } from '@ttrnn/random';
import { classificationObjective, evaluateClassifier } from './objectives.js';
import { readMetrics } from './run_dir.js';
import type { TrainOptions } from './trainer.js';
import { train } from './trainer.js';

const PROBLEM = await webgpuProblem();
if (PROBLEM !== null) console.warn(`skipping the webgpu training tests: ${PROBLEM}`);

type Model = ReturnType<typeof createModel>;

/** Sequences of 3 steps × 4 standard-normal features, labelled 1 when their sum is positive. */
class SignOfSum {
  constructor(
    readonly numBatches: number,
    readonly seed: number,
    readonly batchSize = 8,
  ) {}
  batch(epoch: number, index: number): { x: Float32Array; y: Int32Array; shape: [number, number, number] } {
    const rng = new Rng(this.seed * 1_000_003 + epoch * 10_007 + index);
    const n = 3 * 4;
    const x = rng.normalArray(this.batchSize * n);
    const y = new Int32Array(this.batchSize);
    for (let i = 0; i < this.batchSize; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += x[i * n + k] as number;
      y[i] = s > 0 ? 1 : 0;
    }
    return { x, y, shape: [this.batchSize, 3, 4] };
  }
}

const dirs: string[] = [];
const models: Model[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const m of models.splice(0)) m.dispose();
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ttrnn-webgpu-'));
  dirs.push(d);
  return d;
}
/** A TT-LSTM classifier (2 cores, rank 2) small enough for SwiftShader. */
function model(): Model {
  const m = createModel(
    {
      task: 'classifier',
      cell: 'lstm',
      tt: { cores: 2, rank: 2, extraCore: 'none', naive: false },
      inputSize: 4,
      hiddenSize: 8,
      layers: 1,
      outputSize: 2,
    },
    5,
  );
  models.push(m);
  return m;
}
async function weightsOf(m: Model): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const w of m.namedWeights()) out[w.name] = Array.from(await w.variable.data());
  return out;
}
const valSource = { numBatches: 1, batch: (_e: number, i: number) => new SignOfSum(1, 99, 16).batch(0, i) };

function options(m: Model, runDir: string, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    model: m,
    source: new SignOfSum(3, 7),
    objective: classificationObjective(),
    config: { epochs: 2, learningRate: 5e-2, seed: 3, checkpointEvery: 2 },
    runDir,
    progress: null,
    now: () => 0,
    validate: (mm) => evaluateClassifier(mm, valSource),
    ...extra,
  };
}

describe.skipIf(PROBLEM !== null)('training on webgpu', () => {
  beforeAll(async () => {
    await initBackend('webgpu');
  });
  afterAll(async () => {
    await initBackend(backendFromEnv());
  });

  it('lowers the loss, and resumes bit-identically after a stop', { timeout: 300_000 }, async () => {
    const ref = model();
    const refDir = tempDir();
    const refOut = await train(options(ref, refDir));
    expect(refOut.status).toBe('finished');
    expect(refOut.epochs).toHaveLength(2);
    const losses = refOut.epochs.map((e) => e['trainLoss'] as number);
    expect(losses[1]).toBeLessThan(losses[0]!);

    const dir = tempDir();
    expect((await train(options(model(), dir, { maxSteps: 4 }))).status).toBe('interrupted');
    const resumed = model();
    const out = await train(options(resumed, dir, { resume: true }));
    expect(out.resumedAtStep).toBe(4);
    expect(await weightsOf(resumed)).toEqual(await weightsOf(ref));
    const steps = (d: string): unknown[] =>
      readMetrics(join(d, 'metrics.jsonl'))
        .filter((r) => r['type'] === 'step')
        .map((r) => r['loss']);
    expect(steps(dir)).toEqual(steps(refDir));
  });
});
