import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createCell } from '../cell_factory.js';
import { randomTensor } from '../test_util/random.js';
import type { TTLinear } from '../tt_linear.js';
import { kernelSequence } from './kernel_op.js';
import type { KernelInput, KernelMap } from './kernel_op.js';

describe('kernelSequence', () => {
  it('keeps the activations for a backward only while gradients are recorded', () => {
    const steps = 3;
    const batch = 2;
    const H = 4;
    const xp = randomTensor([steps * batch, 4 * H], 1) as tf.Tensor2D;
    const w0 = randomTensor([H, 4 * H], 2, 0.5);
    const w = tf.variable(w0) as tf.Variable<tf.Rank.R2>;
    w0.dispose();
    const b = tf.zeros([4 * H]) as tf.Tensor1D;
    const h0 = tf.zeros([batch, H]) as tf.Tensor2D;
    const c0 = tf.zeros([batch, H]) as tf.Tensor2D;
    const bh = tf.zeros([4 * H]) as tf.Tensor1D;
    /** Tensors the op leaves (besides its result) and the sum of every h. */
    const run = () => {
      const before = tf.memory().numTensors;
      const r = kernelSequence('lstm', { xp }, b, { w }, bh, h0, c0, steps, batch);
      return { made: tf.memory().numTensors - before, loss: tf.sum(r.hs) as tf.Scalar };
    };
    const plain = tf.tidy(() => {
      const r = run();
      return { made: r.made, loss: r.loss.dataSync()[0]! };
    });
    let taped = { made: 0, loss: 0 };
    tf.tidy(() => {
      tf.variableGrads(() => {
        const r = run();
        taped = { made: r.made, loss: r.loss.dataSync()[0]! };
        return r.loss;
      }, [w]);
    });
    // Not recorded: `out` and its three slices (every h, the last h, the last c) only; recorded, the
    // activations and the cell states too (and tfjs's own bookkeeping of the gradient).
    expect(plain.made).toBe(4);
    expect(taped.made).toBeGreaterThanOrEqual(plain.made + 2);
    expect(taped.loss).toBe(plain.loss);
    tf.dispose([xp, w, b, bh, h0, c0]);
  });
});

describe('kernelSequence with a TT recurrent map', () => {
  it('contracting the cores (their gradient from the kernel, or through dW) equals multiplying by W rebuilt', () => {
    for (const kind of ['lstm', 'gru'] as const) {
      const cell = createCell({ cell: kind, inputSize: 3, hiddenSize: 8, tt: { cores: 2, rank: 3 } }, 7);
      const wh = cell.hiddenWeights as TTLinear;
      const G = (kind === 'lstm' ? 4 : 3) * 8;
      const [steps, batch] = [3, 5];
      const xp = randomTensor([steps * batch, G], 3) as tf.Tensor2D;
      const b = randomTensor([G], 4, 0.3) as tf.Tensor1D;
      const h0 = randomTensor([batch, 8], 5, 0.5) as tf.Tensor2D;
      const c0 = kind === 'lstm' ? (randomTensor([batch, 8], 6, 0.5) as tf.Tensor2D) : null;
      const R = randomTensor([steps * batch, 8], 8);
      const maps: ((w: () => tf.Tensor2D) => KernelMap)[] = [
        (w) => ({ w: w() }),
        () => ({ cores: wh.cores, shape: wh.shape }),
        (w) => ({ cores: wh.cores, shape: wh.shape, w: w() }),
      ];
      const results = maps.map((m) =>
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            const r = kernelSequence(
              kind,
              { xp },
              b,
              m(() => wh.full()),
              b,
              h0,
              c0,
              steps,
              batch,
            );
            return tf.sum(tf.mul(r.hs, R)) as tf.Scalar;
          }, [...wh.cores]);
          return [value, ...wh.cores.map((c) => grads[c.name]!)].map((t) => Array.from(t.dataSync()));
        }),
      );
      for (const other of results.slice(1)) {
        other.forEach((a, i) => {
          const ref = results[0]![i]!;
          expect(Math.max(...a.map((v, j) => Math.abs(v - ref[j]!))), `${kind} tensor ${i}`).toBeLessThan(1e-5);
        });
      }
      expect(results[0]!.slice(1).every((g) => g.some((v) => v !== 0))).toBe(true);
      tf.dispose([xp, b, h0, R, ...(c0 === null ? [] : [c0])]);
      cell.dispose();
    }
  });
});

describe('kernelSequence input projection', () => {
  it('x and wx (multiplied in the kernel) equal xp = x·wx from tfjs, gradients of x and wx included', () => {
    for (const kind of ['lstm', 'gru'] as const) {
      const [steps, batch, N, H] = [3, 5, 7, 4];
      const G = (kind === 'lstm' ? 4 : 3) * H;
      const [x0, wx0] = [randomTensor([steps * batch, N], 11), randomTensor([N, G], 12, 0.5)];
      const x = tf.variable(x0) as tf.Variable<tf.Rank.R2>;
      const wx = tf.variable(wx0) as tf.Variable<tf.Rank.R2>;
      tf.dispose([x0, wx0]);
      const w = randomTensor([H, G], 13, 0.5) as tf.Tensor2D;
      const b = randomTensor([G], 14, 0.3) as tf.Tensor1D;
      const h0 = tf.zeros([batch, H]) as tf.Tensor2D;
      const c0 = kind === 'lstm' ? h0 : null;
      const R = randomTensor([steps * batch, H], 15);
      const results = [true, false].map((inKernel) =>
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            const input: KernelInput = inKernel ? { x, wx } : { xp: tf.matMul(x, wx) };
            const r = kernelSequence(kind, input, b, { w }, b, h0, c0, steps, batch);
            return tf.sum(tf.mul(r.hs, R)) as tf.Scalar;
          }, [x, wx]);
          return [value, grads[x.name]!, grads[wx.name]!].map((t) => Array.from(t.dataSync()));
        }),
      );
      results[0]!.forEach((a, i) => {
        const ref = results[1]![i]!;
        expect(Math.max(...a.map((v, j) => Math.abs(v - ref[j]!))), `${kind} tensor ${i}`).toBeLessThan(1e-5);
      });
      expect(results[0]![2]!.some((v) => v !== 0)).toBe(true);
      tf.dispose([x, wx, w, b, h0, R]);
    }
  });
});
