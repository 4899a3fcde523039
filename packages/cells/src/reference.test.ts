import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { assertClose } from '@ttrnn/test-utils';
import { createCell } from './cell_factory.js';
import { cellFromReference, refTensor } from './reference_format.js';
import { RNN } from './rnn.js';
import type { RecurrentPath } from './fast/path.js';
import type { ProductMode } from './linear_map.js';
import { loadReference, RNN_CASES } from '@ttrnn/test-utils/reference';
import type { RefCase } from '@ttrnn/test-utils/reference';

const OUT = { atol: 1e-5, rtol: 0 };
const GRAD = { atol: 1e-4, rtol: 0 };
const MODES: ProductMode[] = ['per-step', 'rebuilt', 'auto'];
// Every mode on both paths: the kernel contracts TT cores itself in mode 'per-step'.
const RUNS: [ProductMode, RecurrentPath][] = MODES.flatMap((m) => [
  [m, 'plain'],
  [m, 'kernel'],
]);

function buildRnn(c: RefCase): RNN {
  const hidden = c.outputs.shape[2]!;
  return new RNN([
    cellFromReference(c['input_weights'], c['hidden_weights'], { className: c.class, hiddenSize: hidden }),
  ]);
}

// Every case of the file (step-0 pre-activations, the TT matmul, classifiers, layouts) is checked by the shared
// checker in reference_check.test.ts; here, outputs and gradients on every product mode and path.
describe.each(RNN_CASES)('reference case %s', (name) => {
  const c = loadReference()[name] as RefCase;

  it.each(RUNS)('reproduces outputs and final states (mode %s, path %s)', (mode, path) => {
    const rnn = buildRnn(c);
    const x = refTensor(c.x, 'x') as tf.Tensor3D;
    const r = rnn.run(x, { mode, path });
    assertClose(r.outputs!.dataSync(), c.outputs.data, OUT, `${name} outputs`);
    expect(r.outputs!.shape).toEqual(c.outputs.shape);
    assertClose(r.hLast[0]!.dataSync(), c.h_last.data, OUT, `${name} h_last`);
    if (c.c_last === null) expect(r.cLast).toBeNull();
    else assertClose(r.cLast![0]!.dataSync(), c.c_last.data, OUT, `${name} c_last`);
    tf.dispose([x, r.outputs!, ...r.hLast, ...(r.cLast ?? [])]);
    rnn.dispose();
  });

  it('createCell builds the same parameters (names, shapes, biases) from the case config', () => {
    const cfg = c.config;
    const cell = createCell(
      {
        cell: c.class === 'TTGRU' ? 'gru' : 'lstm',
        inputSize: cfg['input_size'] as number,
        hiddenSize: cfg['hidden_size'] as number,
        tt: {
          cores: cfg['n_cores'] as number,
          rank: cfg['tt_rank'] as number,
          extraCore: (cfg['new_core'] as 'first' | 'last' | undefined) ?? 'none',
          naive: cfg['is_naive'] === true,
        },
      },
      1,
    );
    const rnn = new RNN([cell]);
    const mine = rnn.namedWeights().map((w) => [w.name, w.variable.shape]);
    expect(mine).toEqual(c.param_names_in_order.map((n) => [n, c.grads[n]!.shape]));
    // Fused TT biases start at 1e-3 as in the original.
    for (const w of rnn.namedWeights().filter((v) => v.name.endsWith('.bias'))) {
      expect(Array.from(w.variable.dataSync()).every((v) => Math.abs(v - 1e-3) < 1e-9)).toBe(true);
    }
    rnn.dispose();
  });

  it.each(RUNS)('reproduces every parameter gradient and grad_x (mode %s, path %s)', (mode, path) => {
    const rnn = buildRnn(c);
    const named = rnn.namedWeights();
    expect(named.map((w) => w.name)).toEqual(c.param_names_in_order);
    const x0 = refTensor(c.x, 'x');
    const xv = tf.variable(x0);
    x0.dispose();
    const R = refTensor(c.loss_R, 'loss_R');
    const { value, grads } = tf.variableGrads(
      () => tf.tidy(() => tf.sum(tf.mul(rnn.run(xv as tf.Variable<tf.Rank.R3>, { mode, path }).outputs!, R))),
      [...named.map((w) => w.variable), xv],
    );
    expect(value.dataSync()[0]).toBeCloseTo(c['loss'] as number, 5);
    for (const w of named) {
      const g = grads[w.variable.name]!;
      expect(g.shape).toEqual(c.grads[w.name]!.shape);
      assertClose(g.dataSync(), c.grads[w.name]!.data, GRAD, `${name} grad ${w.name}`);
    }
    assertClose(grads[xv.name]!.dataSync(), c.grad_x.data, GRAD, `${name} grad_x`);
    tf.dispose([value, xv, R, ...Object.values(grads)]);
    rnn.dispose();
  });
});
