/** Test-only: small stacked RNNs and what the path tests compare (outputs, final states, gradients). */
import * as tf from '@tensorflow/tfjs-core';
import { createCell } from '../cell_factory.js';
import type { TTLayout } from '../cell_factory.js';
import type { ProductMode } from '../linear_map.js';
import type { RecurrentCell } from '../recurrent_cell.js';
import { RNN } from '../rnn.js';
import type { RNNRunOptions } from '../rnn.js';

export function makeRnn(cell: 'lstm' | 'gru', tt: TTLayout | null, seed: number, layers = 2, n = 6, h = 8): RNN {
  const cells: RecurrentCell[] = [];
  for (let l = 0; l < layers; l++)
    cells.push(createCell({ cell, inputSize: l === 0 ? n : h, hiddenSize: h, tt }, seed + l));
  return new RNN(cells);
}

/** Outputs, final states and the gradients of sum(outputs ⊙ R) w.r.t. every weight and x. */
export function evaluate(rnn: RNN, x: tf.Tensor3D, R: tf.Tensor, modeOrOpts: ProductMode | RNNRunOptions): tf.Tensor[] {
  const opts: RNNRunOptions = typeof modeOrOpts === 'string' ? { mode: modeOrOpts } : modeOrOpts;
  const named = rnn.namedWeights();
  const xv = tf.variable(x);
  const { value, grads } = tf.variableGrads(
    () => tf.tidy(() => tf.sum(tf.mul(rnn.run(xv as tf.Variable<tf.Rank.R3>, opts).outputs!, R))),
    [...named.map((w) => w.variable), xv],
  );
  const r = rnn.run(x, opts);
  const out = [
    value,
    r.outputs!,
    ...r.hLast,
    ...(r.cLast ?? []),
    ...named.map((w) => grads[w.variable.name]!),
    grads[xv.name]!,
  ];
  tf.dispose(Object.values(grads).filter((g) => !out.includes(g)));
  xv.dispose();
  return out;
}
