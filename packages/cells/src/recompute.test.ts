import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createCell } from './cell_factory.js';
import type { TTLayout } from './cell_factory.js';
import type { ProductMode } from './linear_map.js';
import type { RecurrentCell } from './recurrent_cell.js';
import { cellRecurrence, checkpointedSequence, defaultChunkSize, runSequenceCheckpointed } from './recompute.js';
import { maxAbsDiff, randomTensor } from './test_util/random.js';

const STEPS = 7;
const BATCH = 3;
const N = 6;
const H = 8;

const CASES: [string, 'lstm' | 'gru', TTLayout | null, ProductMode][] = [
  ['dense lstm', 'lstm', null, 'auto'],
  ['tt-lstm per-step', 'lstm', { cores: 2, rank: 3 }, 'per-step'],
  ['tt-lstm rebuilt', 'lstm', { cores: 2, rank: 2 }, 'rebuilt'],
  ['dense gru', 'gru', null, 'auto'],
  ['tt-gru per-step', 'gru', { cores: 2, rank: 2, naive: true }, 'per-step'],
  ['tt-gru rebuilt', 'gru', { cores: 3, rank: 2, extraCore: 'first' }, 'rebuilt'],
];

/** Time-major [steps·batch, N] inputs. */
function inputs(seed: number): tf.Tensor2D {
  return randomTensor([STEPS * BATCH, N], seed) as tf.Tensor2D;
}

/**
 * The loss sum(hs ⊙ R) + sum(last state ⊙ Q), its value and its gradients w.r.t. xs and every
 * weight, computed by `forward` (checkpointed or not).
 */
function lossAndGrads(
  cell: RecurrentCell,
  xs: tf.Tensor2D,
  forward: (x: tf.Tensor2D) => { hs: tf.Tensor2D; state: tf.Tensor2D[] },
  seed: number,
): tf.Tensor[] {
  const vars = cell.namedWeights().map((w) => w.variable);
  const R = randomTensor([STEPS * BATCH, H], seed + 1);
  const Q = randomTensor([BATCH, H], seed + 2);
  const f = (x: tf.Tensor, ...ws: tf.Tensor[]) => {
    void ws;
    const { hs, state } = forward(x as tf.Tensor2D);
    return tf.add(tf.sum(tf.mul(hs, R)), tf.sum(tf.mul(state[state.length - 1]!, Q))) as tf.Scalar;
  };
  const { value, grads } = tf.valueAndGrads(f)([xs, ...vars]);
  tf.dispose([R, Q]);
  return [value, ...grads];
}

describe('checkpointedSequence', () => {
  it.each(CASES)('%s: outputs equal cell.runSequence, for every chunk size', (_name, kind, tt, mode) => {
    const cell = createCell({ cell: kind, inputSize: N, hiddenSize: H, tt }, 11);
    const xs = inputs(3);
    const ref = tf.tidy(() => {
      const r = cell.runSequence(xs, STEPS, BATCH, mode);
      return [tf.concat(r.hs, 0), ...(r.c === null ? [] : [r.c])];
    });
    for (const chunkSize of [1, 3, STEPS, STEPS + 5]) {
      const got = tf.tidy(() => {
        const r = runSequenceCheckpointed(cell, xs, STEPS, BATCH, mode, { chunkSize });
        return [r.hs, ...(kind === 'lstm' ? [r.state[1]!] : [])];
      });
      expect(got[0]!.shape).toEqual([STEPS * BATCH, H]);
      ref.forEach((e, i) => expect(maxAbsDiff(got[i]!, e), `chunk ${chunkSize}, output ${i}`).toBeLessThan(1e-6));
      tf.dispose(got);
    }
    tf.dispose([...ref, xs]);
    cell.dispose();
  });

  it.each(CASES)('%s: gradients equal the ordinary backward', (_name, kind, tt, mode) => {
    const cell = createCell({ cell: kind, inputSize: N, hiddenSize: H, tt }, 5);
    const xs = inputs(7);
    const { run, stateCount } = cellRecurrence(cell, mode);
    const zeros = () => Array.from({ length: stateCount }, () => tf.zeros([BATCH, H]) as tf.Tensor2D);
    const plain = lossAndGrads(
      cell,
      xs,
      (x) => {
        const r = run(x, STEPS, BATCH, zeros(), []);
        return { hs: tf.concat(r.hs, 0) as tf.Tensor2D, state: r.state };
      },
      9,
    );
    const ckpt = lossAndGrads(
      cell,
      xs,
      (x) => runSequenceCheckpointed(cell, x, STEPS, BATCH, mode, { chunkSize: 3 }),
      9,
    );
    expect(ckpt.length).toBe(plain.length);
    plain.forEach((e, i) => {
      const scale = Math.max(
        1,
        tf.tidy(() => tf.max(tf.abs(e)).dataSync()[0]!),
      );
      expect(maxAbsDiff(ckpt[i]!, e) / scale, `tensor ${i} (0: loss, 1: d/dxs, then weights)`).toBeLessThan(1e-5);
    });
    // The gradient is not trivially zero.
    expect(tf.tidy(() => tf.max(tf.abs(plain[1]!)).dataSync()[0]!)).toBeGreaterThan(1e-3);
    tf.dispose([...plain, ...ckpt, xs]);
    cell.dispose();
  });

  it('differentiates through a given initial state and through non-variable parameters', () => {
    // A toy recurrence h' = tanh(x_t·A + h·B) with A, B plain tensors (not variables).
    const A = randomTensor([N, H], 1);
    const B = randomTensor([H, H], 2, 0.3);
    const h0 = randomTensor([BATCH, H], 3) as tf.Tensor2D;
    const xs = inputs(4);
    const run = (
      x: tf.Tensor2D,
      len: number,
      batch: number,
      state: readonly tf.Tensor2D[],
      p: readonly tf.Tensor[],
    ) => {
      const xa = tf.matMul(x, p[0] as tf.Tensor2D);
      let h = state[0]!;
      const hs: tf.Tensor2D[] = [];
      for (const xt of (len === 1 ? [xa] : tf.split(xa, len, 0)) as tf.Tensor2D[]) {
        h = tf.tanh(tf.add(xt, tf.matMul(h, p[1] as tf.Tensor2D))) as tf.Tensor2D;
        hs.push(h);
      }
      void batch;
      return { hs, state: [h] };
    };
    const loss = (chunked: boolean) => (x: tf.Tensor, h: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => {
      if (!chunked) {
        const r = run(x as tf.Tensor2D, STEPS, BATCH, [h as tf.Tensor2D], [a, b]);
        return tf.sum(tf.square(tf.concat(r.hs, 0))) as tf.Scalar;
      }
      const r = checkpointedSequence(run, x as tf.Tensor2D, STEPS, BATCH, H, 1, [a, b], {
        chunkSize: 2,
        initialState: [h as tf.Tensor2D],
      });
      return tf.sum(tf.square(r.hs)) as tf.Scalar;
    };
    const e = tf.grads(loss(false))([xs, h0, A, B]);
    const g = tf.grads(loss(true))([xs, h0, A, B]);
    e.forEach((ei, i) => expect(maxAbsDiff(g[i]!, ei), `gradient ${i}`).toBeLessThan(1e-5));
    tf.dispose([...e, ...g, A, B, h0, xs]);
  });

  it('holds less memory during the backward than the ordinary one', async () => {
    const steps = 64;
    const batch = 16;
    const cell = createCell({ cell: 'lstm', inputSize: 4, hiddenSize: 32 }, 2);
    const xs = randomTensor([steps * batch, 4], 6) as tf.Tensor2D;
    const vars = cell.namedWeights().map((w) => w.variable);
    const peak = async (checkpointed: boolean) => {
      const info = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => {
          if (checkpointed) return tf.sum(runSequenceCheckpointed(cell, xs, steps, batch, 'auto').hs) as tf.Scalar;
          return tf.sum(tf.concat(cell.runSequence(xs, steps, batch, 'auto').hs, 0)) as tf.Scalar;
        }, vars);
        tf.dispose([value, ...Object.values(grads)]);
      });
      return info.peakBytes - info.newBytes;
    };
    const ordinary = await peak(false);
    const checkpointed = await peak(true);
    // 64 steps in chunks of 8: the stored intermediates shrink about 8-fold.
    expect(checkpointed).toBeLessThan(0.5 * ordinary);
    tf.dispose(xs);
    cell.dispose();
  });

  it('chooses ⌈√steps⌉ steps per chunk by default', () => {
    expect(defaultChunkSize(784)).toBe(28);
    expect(defaultChunkSize(28)).toBe(6);
    expect(defaultChunkSize(1)).toBe(1);
  });

  it('names the argument and the function in its errors', () => {
    const cell = createCell({ cell: 'lstm', inputSize: N, hiddenSize: H }, 1);
    const xs = inputs(1);
    expect(() => runSequenceCheckpointed(cell, xs, STEPS + 1, BATCH)).toThrow(/'xs' passed to 'checkpointedSequence'/);
    expect(() => runSequenceCheckpointed(cell, xs, STEPS, BATCH, 'auto', { chunkSize: 0 })).toThrow(
      /'options.chunkSize' passed to 'checkpointedSequence' must be an integer ≥ 1, got 0/,
    );
    expect(() => runSequenceCheckpointed(cell, xs, STEPS, BATCH, 'auto', { initialState: [] })).toThrow(
      /'options.initialState'/,
    );
    tf.dispose(xs);
    cell.dispose();
  });
});
