import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createCell } from './cell_factory.js';
import type { TTLayout } from './cell_factory.js';
import { chooseRecurrentPath, kernelProduct } from './fast/path.js';
import { GRUCell } from './gru_cell.js';
import { Linear } from './linear.js';
import type { ProductMode } from './linear_map.js';
import { LSTMCell } from './lstm_cell.js';
import type { RecurrentCell } from './recurrent_cell.js';
import { RNN } from './rnn.js';
import { TTLinear } from './tt_linear.js';
import { maxAbsDiff, randomTensor } from './test_util/random.js';
import { evaluate, makeRnn } from './test_util/rnn_eval.js';

const LAYOUTS: [string, TTLayout | null][] = [
  ['dense', null],
  ['tt 2 cores', { cores: 2, rank: 3 }],
  ['tt 3 cores extra first', { cores: 3, rank: 2, extraCore: 'first' }],
  ['tt 2 cores extra last', { cores: 2, rank: 2, extraCore: 'last' }],
  ['tt naive', { cores: 2, rank: 2, naive: true }],
];

describe('RNN', () => {
  for (const cell of ['lstm', 'gru'] as const) {
    it.each(LAYOUTS)(`${cell} %s: per-step, rebuilt and auto give the same outputs and gradients`, (_name, tt) => {
      const rnn = makeRnn(cell, tt, 11);
      const x = randomTensor([3, 5, 6], 1) as tf.Tensor3D;
      const R = randomTensor([3, 5, 8], 2);
      const ref = evaluate(rnn, x, R, 'per-step');
      for (const mode of ['rebuilt', 'auto'] as const) {
        const other = evaluate(rnn, x, R, mode);
        other.forEach((t, i) => expect(maxAbsDiff(t, ref[i]!), `${mode} tensor ${i}`).toBeLessThan(1e-5));
        tf.dispose(other);
      }
      // The outputs must depend on the weights at all: a zero gradient everywhere would hide bugs.
      expect(ref.slice(-3).every((g) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!) > 0)).toBe(true);
      tf.dispose([...ref, x, R]);
      rnn.dispose();
    });
  }

  for (const cell of ['lstm', 'gru'] as const) {
    it.each(LAYOUTS)(
      `${cell} %s: the kernel path gives the outputs and gradients of the plain path in every mode`,
      (_name, tt) => {
        const rnn = makeRnn(cell, tt, 31);
        const x = randomTensor([3, 5, 6], 4) as tf.Tensor3D;
        const R = randomTensor([3, 5, 8], 5);
        for (const mode of ['per-step', 'rebuilt', 'auto'] as const) {
          const ref = evaluate(rnn, x, R, { mode, path: 'plain' });
          const fast = evaluate(rnn, x, R, { mode, path: 'kernel' });
          expect(fast.length).toBe(ref.length);
          // [loss, outputs, states…, gradients…]: outputs within 1e-5, gradients within 1e-4 (here 1e-5 holds).
          fast.forEach((t, i) => expect(maxAbsDiff(t, ref[i]!), `${mode} tensor ${i}`).toBeLessThan(1e-5));
          expect(ref.slice(-3).every((g) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!) > 0)).toBe(true);
          tf.dispose([...ref, ...fast]);
        }
        tf.dispose([x, R]);
        rnn.dispose();
      },
    );
  }

  it('chooses the kernel on the wasm backend unless a naive TT map contracts per step, the plain path elsewhere', async () => {
    const dense = createCell({ cell: 'lstm', inputSize: 4, hiddenSize: 8, tt: null }, 5);
    const tt = createCell({ cell: 'gru', inputSize: 4, hiddenSize: 8, tt: { cores: 2, rank: 2 } }, 5);
    const naive = createCell({ cell: 'gru', inputSize: 4, hiddenSize: 8, tt: { cores: 2, rank: 2, naive: true } }, 5);
    const backend = tf.getBackend();
    try {
      await tf.setBackend('wasm');
      expect(chooseRecurrentPath(dense, 'per-step')).toBe('kernel');
      expect(chooseRecurrentPath(tt, 'auto')).toBe('kernel');
      expect(chooseRecurrentPath(tt, 'rebuilt')).toBe('kernel');
      expect(chooseRecurrentPath(tt, 'per-step')).toBe('kernel');
      expect(chooseRecurrentPath(naive, 'per-step')).toBe('plain');
      expect(chooseRecurrentPath(naive, 'rebuilt')).toBe('kernel');
      expect(chooseRecurrentPath(tt, 'auto', 'plain')).toBe('plain');
      await tf.setBackend('cpu');
      expect(chooseRecurrentPath(dense, 'auto')).toBe('plain');
      expect(chooseRecurrentPath(tt, 'rebuilt')).toBe('plain');
      expect(chooseRecurrentPath(tt, 'per-step', 'kernel')).toBe('kernel');
    } finally {
      await tf.setBackend(backend);
      dense.dispose();
      tt.dispose();
      naive.dispose();
    }
  });

  it('the kernel contracts a TT map per step where that needs fewer FLOPs, and multiplies by W rebuilt otherwise', () => {
    const at = (rank: number, cell: 'lstm' | 'gru' = 'lstm') =>
      createCell({ cell, inputSize: 28, hiddenSize: 256, tt: { cores: 2, rank } }, 1);
    const cells = [at(2), at(8), at(16), at(2, 'gru')];
    const [r2, r8, r16, gru] = cells as [RecurrentCell, RecurrentCell, RecurrentCell, RecurrentCell];
    // 2 cores [16, 16] → [32, 32]: the contraction needs 24,576·r multiply-adds per row, W 262,144.
    const choice = (c: RecurrentCell, mode: ProductMode, training: boolean) => {
      const k = kernelProduct(c, 128, mode, training);
      return k.method === 'per-step' ? `per-step/${k.ttGradient}` : k.method;
    };
    expect(choice(r2, 'auto', true)).toBe('per-step/cores');
    expect(choice(gru, 'auto', true)).toBe('per-step/cores');
    expect(choice(r8, 'auto', false)).toBe('per-step/w');
    expect(choice(r8, 'auto', true)).toBe('per-step/w');
    expect(choice(r16, 'auto', true)).toBe('rebuilt');
    expect(choice(r16, 'auto', false)).toBe('rebuilt');
    expect(choice(r16, 'per-step', true)).toBe('per-step/w');
    expect(choice(r2, 'rebuilt', false)).toBe('rebuilt');
    const dense = createCell({ cell: 'lstm', inputSize: 4, hiddenSize: 8, tt: null }, 5);
    expect(kernelProduct(dense, 128, 'per-step', true).method).toBe('dense');
    for (const c of [...cells, dense]) c.dispose();
  });

  for (const cell of ['lstm', 'gru'] as const) {
    it.each(LAYOUTS.slice(0, 3))(
      `${cell} %s: checkpointed chunks give the outputs and gradients of the ordinary run`,
      (_name, tt) => {
        const rnn = makeRnn(cell, tt, 41, 2, 6, 8);
        const x = randomTensor([3, 12, 6], 7) as tf.Tensor3D;
        const R = randomTensor([3, 12, 8], 8);
        for (const mode of ['per-step', 'rebuilt'] as const) {
          const ref = evaluate(rnn, x, R, { mode, path: 'plain' });
          for (const path of ['kernel', 'plain'] as const) {
            const other = evaluate(rnn, x, R, { mode, path, checkpoint: 5 });
            other.forEach((t, i) => expect(maxAbsDiff(t, ref[i]!), `${mode} ${path} tensor ${i}`).toBeLessThan(1e-5));
            tf.dispose(other);
          }
          tf.dispose(ref);
        }
        tf.dispose([x, R]);
        rnn.dispose();
      },
    );
  }

  it('checkpoint 0, null and a chunk longer than the sequence run unchunked; bad values are rejected', () => {
    const rnn = makeRnn('gru', null, 2, 1);
    const x = randomTensor([2, 3, 6], 9) as tf.Tensor3D;
    const base = rnn.run(x);
    for (const checkpoint of [0, null, 3, 50]) {
      const r = rnn.run(x, { checkpoint });
      expect(maxAbsDiff(r.outputs!, base.outputs!)).toBeLessThan(1e-6);
      tf.dispose([r.outputs!, ...r.hLast]);
    }
    expect(() => rnn.run(x, { checkpoint: -1 })).toThrow(
      /'checkpoint' passed to 'RNN.run' must be null, 0 \(off\) or a positive integer/,
    );
    expect(() => rnn.run(x, { checkpoint: 2.5 })).toThrow(/'checkpoint' passed to 'RNN.run'/);
    expect(() => rnn.run(x, { path: 'fused' as 'plain' })).toThrow(
      /'path' passed to 'RNN.run' must be one of 'auto', 'kernel', 'webgpu', 'plain'/,
    );
    if (tf.getBackend() !== 'webgpu')
      expect(() => rnn.run(x, { path: 'webgpu' })).toThrow(/'webgpuSequence' runs on the webgpu backend only/);
    tf.dispose([x, base.outputs!, ...base.hLast]);
    rnn.dispose();
  });

  it('a two-layer RNN is layer 1 run on the outputs of layer 0', () => {
    const rnn = makeRnn('lstm', { cores: 2, rank: 2 }, 3);
    const x = randomTensor([2, 4, 6], 5) as tf.Tensor3D;
    const both = rnn.run(x);
    // Views over the same cells (not disposed: `rnn` owns them).
    const first = new RNN([rnn.cells[0]!]).run(x);
    const second = new RNN([rnn.cells[1]!]).run(first.outputs!);
    expect(maxAbsDiff(both.outputs!, second.outputs!)).toBeLessThan(1e-6);
    expect(maxAbsDiff(both.hLast[0]!, first.hLast[0]!)).toBeLessThan(1e-6);
    expect(maxAbsDiff(both.cLast![1]!, second.cLast![0]!)).toBeLessThan(1e-6);
    tf.dispose([x, both.outputs!, ...both.hLast, ...both.cLast!, first.outputs!, ...first.hLast, ...first.cLast!]);
    tf.dispose([second.outputs!, ...second.hLast, ...second.cLast!]);
    rnn.dispose();
  });

  it.each(['lstm', 'gru'] as const)(
    'a %s TT cell with full-rank cores equals the dense cell with the rebuilt W',
    (kind) => {
      // 2 cores, modes [2,3]→[4,8] (input) and [2,4]→[4,8] (hidden): full rank is min(n0·m0, n1·m1) = 8.
      const tt = createCell({ cell: kind, inputSize: 6, hiddenSize: 8, tt: { cores: 2, rank: 8 } }, 7);
      const dense = [tt.inputWeights, tt.hiddenWeights].map((m) => {
        const b = m.biasVector();
        return new Linear(m.full(), b === null ? null : tf.clone(b));
      });
      const denseCell = kind === 'lstm' ? new LSTMCell(dense[0]!, dense[1]!) : new GRUCell(dense[0]!, dense[1]!);
      expect(tt.inputWeights).toBeInstanceOf(TTLinear);
      const a = new RNN([tt]);
      const b = new RNN([denseCell]);
      const x = randomTensor([2, 5, 6], 9) as tf.Tensor3D;
      const ra = a.run(x, { mode: 'per-step' });
      const rb = b.run(x);
      expect(maxAbsDiff(ra.outputs!, rb.outputs!)).toBeLessThan(1e-5);
      tf.dispose([x, ra.outputs!, rb.outputs!, ...ra.hLast, ...rb.hLast, ...(ra.cLast ?? []), ...(rb.cLast ?? [])]);
      a.dispose();
      b.dispose();
    },
  );

  it.each(['lstm', 'gru'] as const)('%s gradients agree with central differences', (kind) => {
    const rnn = makeRnn(kind, { cores: 2, rank: 2 }, 21, 1, 4, 4);
    const x = randomTensor([2, 3, 4], 22) as tf.Tensor3D;
    const R = randomTensor([2, 3, 4], 23);
    const loss = (): number =>
      tf.tidy(() => tf.sum(tf.mul(rnn.run(x, { mode: 'per-step' }).outputs!, R)).dataSync()[0]!);
    const named = rnn.namedWeights();
    const { value, grads } = tf.variableGrads(
      () => tf.tidy(() => tf.sum(tf.mul(rnn.run(x).outputs!, R))),
      named.map((w) => w.variable),
    );
    const eps = 1e-2;
    for (const { name, variable } of named) {
      const g = grads[variable.name]!.dataSync();
      const base = variable.dataSync().slice();
      for (const idx of [0, Math.floor(base.length / 2), base.length - 1]) {
        const probe = (delta: number): number => {
          const v = base.slice();
          v[idx] = v[idx]! + delta;
          tf.tidy(() => variable.assign(tf.tensor(v, variable.shape)));
          return loss();
        };
        const fd = (probe(eps) - probe(-eps)) / (2 * eps);
        tf.tidy(() => variable.assign(tf.tensor(base, variable.shape)));
        expect(Math.abs(fd - g[idx]!), `${name}[${idx}]: finite difference ${fd}, gradient ${g[idx]}`).toBeLessThan(
          2e-3 + 2e-2 * Math.abs(fd),
        );
      }
    }
    tf.dispose([value, x, R, ...Object.values(grads)]);
    rnn.dispose();
  });

  it('rejects bad inputs with clear errors', () => {
    const rnn = makeRnn('lstm', { cores: 2, rank: 2 }, 1, 1);
    const bad =
      (shape: number[]): (() => void) =>
      () => {
        const x = tf.zeros(shape) as unknown as tf.Tensor3D;
        try {
          rnn.run(x);
        } finally {
          x.dispose();
        }
      };
    expect(bad([2, 0, 6])).toThrow(/'x' passed to 'RNN.run' is a sequence of length 0/);
    expect(bad([2, 3, 5])).toThrow(/'x' passed to 'RNN.run' must have 6 features per step.*got shape \[2, 3, 5\]/);
    expect(bad([2, 6])).toThrow(/must be a rank-3 tensor/);
    const x = tf.zeros([1, 1, 6]) as tf.Tensor3D;
    expect(() => rnn.run(x, { mode: 'fast' as ProductMode })).toThrow(
      /'mode' passed to 'RNN.run' must be one of 'per-step', 'rebuilt', 'auto'/,
    );
    x.dispose();
    rnn.dispose();

    expect(() => createCell({ cell: 'lstm', inputSize: 6, hiddenSize: 8, tt: { cores: 2, rank: 0 } }, 1)).toThrow(
      /'tt.rank' passed to 'createCell' must be a positive integer, got 0/,
    );
    expect(() =>
      createCell(
        { cell: 'lstm', inputSize: 6, hiddenSize: 8, tt: { cores: 2, rank: 2, extraCore: 'middle' as 'none' } },
        1,
      ),
    ).toThrow(/'tt.extraCore' passed to 'createCell' must be one of 'none', 'first', 'last', got 'middle'/);
    expect(() =>
      createCell({ cell: 'lstm', inputSize: 6, hiddenSize: 8, tt: { cores: 2, rank: 2, shape: 'x' } as TTLayout }, 1),
    ).toThrow(/unknown option 'shape'/);
    expect(() => createCell({ cell: 'rnn' as 'lstm', inputSize: 6, hiddenSize: 8 }, 1)).toThrow(
      /'cell' passed to 'createCell'/,
    );

    // Hidden size not matching: a 6→32 input map with an 8→24 hidden map.
    const a = Linear.init({ inputSize: 6, outputSize: 32 }, 1);
    const b = Linear.init({ inputSize: 8, outputSize: 24 }, 2);
    expect(() => new LSTMCell(a, b)).toThrow(
      /'hiddenWeights' passed to 'LSTMCell' must map the hidden size H = 6 to 4·H = 24, got 8×24/,
    );
    const c = Linear.init({ inputSize: 8, outputSize: 32 }, 3);
    const d = Linear.init({ inputSize: 6, outputSize: 28 }, 4);
    expect(() => new LSTMCell(d, c)).toThrow(
      /'inputWeights' passed to 'LSTMCell' must have 4·H = 32 columns \(hidden size 8\), got 28/,
    );
    const e = Linear.init({ inputSize: 6, outputSize: 32 }, 5);
    expect(() => new GRUCell(e, c)).toThrow(/'hiddenWeights' passed to 'GRUCell' must have 3·H columns, got 32/);
    const l0 = createCell({ cell: 'lstm', inputSize: 6, hiddenSize: 8 }, 1);
    const l1 = createCell({ cell: 'lstm', inputSize: 7, hiddenSize: 8 }, 2);
    expect(() => new RNN([l0, l1])).toThrow(
      /'cells\[1\]' passed to 'RNN' has input size 7, but layer 0 has hidden size 8/,
    );
    for (const m of [a, b, c, d, e]) m.dispose();
    l0.dispose();
    l1.dispose();
  });
});
