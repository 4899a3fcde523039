import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createCell } from './cell_factory.js';
import type { TTLayout } from './cell_factory.js';
import { fusedLstmSequence, runLstmFused, ttHiddenProduct } from './fused_lstm.js';
import type { ProductMode } from './linear_map.js';
import { lstmChunkRunner } from './recompute.js';
import type { TTLinear } from './tt_linear.js';
import { maxAbsDiff, randomTensor } from './test_util/random.js';

const STEPS = 5;
const BATCH = 3;
const N = 6;
const H = 8;

const CASES: [string, TTLayout | null, ProductMode][] = [
  ['dense', null, 'auto'],
  ['tt per-step', { cores: 2, rank: 3 }, 'per-step'],
  ['tt 3 cores per-step', { cores: 3, rank: 2 }, 'per-step'],
  ['tt rebuilt', { cores: 2, rank: 2 }, 'rebuilt'],
  ['tt extra core first, per-step', { cores: 2, rank: 2, extraCore: 'first' }, 'per-step'],
];

/** Relative max difference, scaled by the largest expected magnitude (at least 1). */
function relDiff(a: tf.Tensor, e: tf.Tensor): number {
  const scale = Math.max(1, tf.tidy(() => tf.max(tf.abs(e)).dataSync()[0]!));
  return maxAbsDiff(a, e) / scale;
}

describe('fusedLstmSequence', () => {
  it.each(CASES)('%s: outputs and gradients equal autodiff of LSTMCell.runSequence', (_name, tt, mode) => {
    const cell = createCell({ cell: 'lstm', inputSize: N, hiddenSize: H, tt }, 21);
    const xs = randomTensor([STEPS * BATCH, N], 1) as tf.Tensor2D;
    const R = randomTensor([STEPS * BATCH, H], 2);
    const Q = randomTensor([BATCH, H], 3);
    const vars = cell.namedWeights().map((w) => w.variable);
    const loss = (fused: boolean) => (x: tf.Tensor, ...ws: tf.Tensor[]) => {
      void ws;
      if (fused) {
        const r = runLstmFused(cell, x as tf.Tensor2D, STEPS, BATCH, mode);
        return tf.add(tf.sum(tf.mul(r.hs, R)), tf.sum(tf.mul(r.c, Q))) as tf.Scalar;
      }
      const r = cell.runSequence(x as tf.Tensor2D, STEPS, BATCH, mode);
      return tf.add(tf.sum(tf.mul(tf.concat(r.hs, 0), R)), tf.sum(tf.mul(r.c!, Q))) as tf.Scalar;
    };
    const e = tf.valueAndGrads(loss(false))([xs, ...vars]);
    const g = tf.valueAndGrads(loss(true))([xs, ...vars]);
    expect(relDiff(g.value, e.value)).toBeLessThan(1e-6);
    e.grads.forEach((ei, i) => expect(relDiff(g.grads[i]!, ei), `gradient ${i} (0: xs)`).toBeLessThan(1e-5));
    tf.dispose([xs, R, Q, e.value, g.value, ...e.grads, ...g.grads]);
    cell.dispose();
  });

  it('differentiates through a given initial state, like the per-step equations', () => {
    const cell = createCell({ cell: 'lstm', inputSize: N, hiddenSize: H, tt: { cores: 2, rank: 2 } }, 4);
    const cores = (cell.hiddenWeights as TTLinear).cores;
    const xs = randomTensor([STEPS * BATCH, N], 5) as tf.Tensor2D;
    const h0 = randomTensor([BATCH, H], 6) as tf.Tensor2D;
    const c0 = randomTensor([BATCH, H], 7) as tf.Tensor2D;
    const run = lstmChunkRunner(cell, 'per-step');
    const xwOf = (x: tf.Tensor2D) => tf.add(tf.add(cell.inputWeights.product(x, 'contract'), cell.inputWeights.biasVector()!), cell.hiddenWeights.biasVector()!) as tf.Tensor2D;
    const ref = (x: tf.Tensor, h: tf.Tensor, c: tf.Tensor, ...cs: tf.Tensor[]) => {
      void cs;
      const r = run(x as tf.Tensor2D, STEPS, BATCH, [h as tf.Tensor2D, c as tf.Tensor2D], []);
      return tf.add(tf.sum(tf.square(tf.concat(r.hs, 0))), tf.sum(r.state[1]!)) as tf.Scalar;
    };
    const fused = (x: tf.Tensor, h: tf.Tensor, c: tf.Tensor, ...cs: tf.Tensor[]) => {
      const r = fusedLstmSequence(xwOf(x as tf.Tensor2D), STEPS, BATCH, ttHiddenProduct(cs), h as tf.Tensor2D, c as tf.Tensor2D);
      return tf.add(tf.sum(tf.square(r.hs)), tf.sum(r.c)) as tf.Scalar;
    };
    const e = tf.grads(ref)([xs, h0, c0, ...cores]);
    const g = tf.grads(fused)([xs, h0, c0, ...cores]);
    e.forEach((ei, i) => expect(relDiff(g[i]!, ei), `gradient ${i} (0: xs, 1: h0, 2: c0)`).toBeLessThan(1e-5));
    tf.dispose([xs, h0, c0, ...e, ...g]);
    cell.dispose();
  });

  it("runLstmFused's form overrides the mode: 'contract' and 'matrix' give the same states", () => {
    const cell = createCell({ cell: 'lstm', inputSize: N, hiddenSize: H, tt: { cores: 2, rank: 2 } }, 10);
    const xs = randomTensor([STEPS * BATCH, N], 11) as tf.Tensor2D;
    const [a, b] = (['contract', 'matrix'] as const).map((form) => tf.tidy(() => runLstmFused(cell, xs, STEPS, BATCH, 'rebuilt', undefined, form).hs));
    expect(maxAbsDiff(a!, b!)).toBeLessThan(1e-5);
    expect(tf.tidy(() => tf.max(tf.abs(a!)).dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose([xs, a!, b!]);
    cell.dispose();
  });

  it('runs a single step and names its arguments in errors', () => {
    const cell = createCell({ cell: 'lstm', inputSize: N, hiddenSize: H }, 8);
    const xs = randomTensor([BATCH, N], 9) as tf.Tensor2D;
    const got = tf.tidy(() => runLstmFused(cell, xs, 1, BATCH).h);
    const want = tf.tidy(() => cell.runSequence(xs, 1, BATCH, 'auto').hs[0]!);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-6);
    expect(() => tf.tidy(() => runLstmFused(cell, xs, 2, BATCH).hs)).toThrow(/'xw' passed to 'fusedLstmSequence' must be \[steps·batch = 6, 4H\]/);
    const gru = createCell({ cell: 'gru', inputSize: N, hiddenSize: H }, 8);
    expect(() => runLstmFused(gru, xs, 1, BATCH)).toThrow(/'cell' passed to 'runLstmFused' must be an LSTM cell/);
    tf.dispose([xs, got, want]);
    cell.dispose();
    gru.dispose();
  });
});
