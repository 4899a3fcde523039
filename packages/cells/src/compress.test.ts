import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { compressModel } from './compress.js';
import { countParams } from './count_params.js';
import type { ModelConfig } from './model_config.js';
import { createModel } from './models.js';
import { maxAbsDiff, randomTensor } from './test_util/random.js';

const dense = (task: 'classifier' | 'speaker', cell: 'lstm' | 'gru'): ModelConfig => ({
  task,
  cell,
  tt: null,
  inputSize: 6,
  hiddenSize: 8,
  layers: 2,
  outputSize: 10,
});

describe('compressModel', () => {
  // Rank 16 is full for every matrix here (the largest bond, hidden with the gate core first, needs 12).
  it.each([
    ['classifier', 'lstm', 'none'],
    ['speaker', 'gru', 'first'],
    ['classifier', 'gru', 'last'],
  ] as const)(
    '%s %s, extra core %s: at full rank the TT model computes the dense model',
    async (task, cell, extraCore) => {
      const model = createModel(dense(task, cell), 4);
      const {
        model: tt,
        matrices,
        paramsBefore,
        paramsAfter,
      } = await compressModel(model, { cores: 2, rank: 16, extraCore });
      expect(tt.config.tt).toEqual({ cores: 2, rank: 16, extraCore, naive: false });
      expect(paramsBefore).toBe(model.paramCount());
      expect(paramsAfter).toBe(countParams(tt.config).params);
      for (const m of matrices) expect(m.relativeError).toBeLessThan(1e-5);
      const x = randomTensor([3, 4, 6], 8) as tf.Tensor3D;
      const a = model.apply(x);
      const b = tt.apply(x);
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-4);
      tf.dispose([x, a, b]);
      tt.dispose();
      model.dispose();
    },
  );

  it('lower ranks give larger errors and fewer parameters, and the result can be fine-tuned', async () => {
    const model = createModel({ ...dense('classifier', 'lstm'), hiddenSize: 16 }, 2);
    const r1 = await compressModel(model, { cores: 2, rank: 1 });
    const r3 = await compressModel(model, { cores: 2, rank: 3 });
    const err = (r: typeof r1, name: string): number => r.matrices.find((m) => m.name === name)!.relativeError;
    expect(err(r1, 'rnn.cell0.hidden_weights')).toBeGreaterThan(err(r3, 'rnn.cell0.hidden_weights'));
    expect(err(r3, 'rnn.cell0.hidden_weights')).toBeGreaterThan(0);
    expect(r1.paramsAfter).toBeLessThan(r3.paramsAfter);
    expect(r3.paramsAfter).toBeLessThan(r3.paramsBefore);
    for (const m of r3.matrices) expect(m.paramsAfter).toBeLessThan(m.paramsBefore);
    // Gradients reach every core: the compressed model trains like a fresh TT model.
    const x = randomTensor([2, 3, 6], 1) as tf.Tensor3D;
    const vars = r3.model.namedWeights().map((w) => w.variable);
    const { value, grads } = tf.variableGrads(
      () => tf.tidy(() => tf.neg(tf.sum(tf.slice(r3.model.apply(x), [0, 0], [2, 1]))) as tf.Scalar),
      vars,
    );
    const cores = r3.model.namedWeights().filter((w) => w.name.includes('parameters'));
    for (const w of cores)
      expect(
        tf.tidy(() => tf.max(tf.abs(grads[w.variable.name]!)).dataSync()[0]!),
        w.name,
      ).toBeGreaterThan(0);
    tf.dispose([x, value, ...Object.values(grads)]);
    for (const m of [r1.model, r3.model, model]) m.dispose();
  });

  it('padded bonds receive gradients (fine-tuning can use the full rank) and padding is seeded', async () => {
    const model = createModel(dense('classifier', 'lstm'), 4);
    const a = await compressModel(model, { cores: 2, rank: 16, seed: 1 });
    const b = await compressModel(model, { cores: 2, rank: 16, seed: 1 });
    // The head [2,4]→[2,5] has SVD rank ≤ 4: bond entries 4..15 are padding.
    const head = a.matrices.find((m) => m.name === 'head')!;
    expect(Math.max(...head.svdRanks)).toBeLessThanOrEqual(4);
    const core = a.model.namedWeights().find((w) => w.name === 'head.parameters.0')!.variable;
    const same = b.model.namedWeights().find((w) => w.name === 'head.parameters.0')!.variable;
    expect(Array.from(core.dataSync())).toEqual(Array.from(same.dataSync()));
    const x = randomTensor([2, 3, 6], 1) as tf.Tensor3D;
    const { value, grads } = tf.variableGrads(
      () => tf.tidy(() => tf.sum(tf.slice(a.model.apply(x), [0, 0], [2, 1])) as tf.Scalar),
      [core],
    );
    const padded = tf.tidy(
      () => tf.max(tf.abs(tf.slice(grads[core.name]!, [0, 0, 0, 4], [1, 2, 2, 12]))).dataSync()[0]!,
    );
    expect(padded).toBeGreaterThan(0);
    tf.dispose([x, value, ...Object.values(grads)]);
    for (const m of [a.model, b.model, model]) m.dispose();
  });

  it('eps chooses the ranks; naive GRU compresses per gate', async () => {
    const model = createModel(dense('classifier', 'gru'), 6);
    const byEps = await compressModel(model, { cores: 2, eps: 0.3 });
    for (const m of byEps.matrices) expect(m.relativeError).toBeLessThanOrEqual(0.3 + 1e-9);
    expect(byEps.model.config.tt!.rank).toBe(Math.max(...byEps.matrices.flatMap((m) => m.svdRanks)));
    const naive = await compressModel(model, { cores: 2, rank: 8, naive: true });
    expect(naive.matrices.map((m) => m.name).slice(0, 3)).toEqual([
      'rnn.cell0.input_weights.gate0',
      'rnn.cell0.input_weights.gate1',
      'rnn.cell0.input_weights.gate2',
    ]);
    const x = randomTensor([2, 3, 6], 3) as tf.Tensor3D;
    const a = model.apply(x);
    const b = naive.model.apply(x);
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-4);
    expect(naive.model.paramCount()).toBe(countParams(naive.model.config).params);
    tf.dispose([x, a, b]);
    for (const m of [byEps.model, naive.model, model]) m.dispose();
  });

  it('rejects TT models, missing ranks and unknown options', async () => {
    const model = createModel(dense('classifier', 'lstm'), 1);
    const tt = createModel(
      { ...dense('classifier', 'lstm'), tt: { cores: 2, rank: 2, extraCore: 'none', naive: false } },
      1,
    );
    await expect(compressModel(tt, { cores: 2, rank: 2 })).rejects.toThrow(/must be a dense model/);
    await expect(compressModel(model, { cores: 2 })).rejects.toThrow(/must set 'rank' or 'eps'/);
    await expect(compressModel(model, { cores: 2, rank: 0 })).rejects.toThrow(
      /'rank' passed to 'compressModel' must be a positive integer, got 0/,
    );
    await expect(compressModel(model, { cores: 2, rank: 2, extraCore: 'middle' as 'none' })).rejects.toThrow(
      /extraCore/,
    );
    await expect(compressModel(model, { cores: 2, rank: 2, naive: true })).rejects.toThrow(
      /naive TT-LSTM of the original has no biases/,
    );
    await expect(compressModel(model, { cores: 2, rank: 2, order: 1 } as never)).rejects.toThrow(
      /unknown option 'order'/,
    );
    tt.dispose();
    model.dispose();
  });
});
