/**
 * The layers against the original implementation's reference vectors: every hidden state and
 * every parameter gradient of one-layer TT-LSTM / TT-GRU in each layout, and the TT classifier's
 * log-softmax output.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertClose } from '@ttrnn/test-utils';
import { cellFromReference, linearMapFromReference, refTensor } from '@ttrnn/cells';
import type { ProductMode } from '@ttrnn/cells';
import { TTGRU, TTLSTM } from './recurrent.js';
import type { CellLayer, TTRecurrentLayerArgs } from './recurrent.js';
import { TTDense } from './tt_dense.js';
import { RNN_CASES, referenceCase } from '@ttrnn/test-utils/reference';
import type { RefCase } from '@ttrnn/test-utils/reference';

const OUT = { atol: 1e-5, rtol: 0 };
const GRAD = { atol: 1e-4, rtol: 0 };

/** The layer that the case describes, built for its input and holding its weights. */
function layerOf(c: RefCase, productMode: ProductMode): CellLayer {
  const cfg = c.config;
  const args: TTRecurrentLayerArgs = {
    units: cfg['hidden_size'] as number,
    cores: cfg['n_cores'] as number,
    rank: cfg['tt_rank'] as number,
    extraCore: (cfg['new_core'] as 'first' | 'last' | undefined) ?? 'none',
    naive: cfg['is_naive'] === true,
    returnSequences: true,
    productMode,
  };
  const layer = c.class === 'TTGRU' ? new TTGRU(args) : new TTLSTM(args);
  layer.build([null, c.x.shape[1]!, c.x.shape[2]!]);
  const cell = cellFromReference(c['input_weights'], c['hidden_weights'], {
    className: c.class,
    hiddenSize: args.units,
  });
  const byName = new Map(cell.namedWeights().map((w) => [w.name, w.variable]));
  layer.setWeights(layer.cellWeightNames.map((n) => byName.get(n)!));
  cell.dispose();
  return layer;
}

/** A layer used eagerly (never in a model) cannot be `dispose()`d; its weights can. */
function disposeWeights(layer: tfl.layers.Layer): void {
  for (const w of layer.weights) w.dispose();
}

describe.each(RNN_CASES)('reference case %s', (name) => {
  const c = referenceCase(name);

  it.each(['per-step', 'rebuilt'] as const)('every hidden state and every gradient (productMode %s)', (mode) => {
    const layer = layerOf(c, mode);
    expect(layer.cellWeightNames.map((n) => `cell0.${n}`)).toEqual(c.param_names_in_order);
    const x0 = refTensor(c.x, 'x');
    const xv = tf.variable(x0);
    x0.dispose();
    const R = refTensor(c.loss_R, 'loss_R');
    const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    let outputs: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const y = layer.apply(xv) as tf.Tensor;
      outputs = tf.keep(tf.clone(y));
      return tf.sum(tf.mul(y, R)) as tf.Scalar;
    }, [...weights, xv]);
    expect(outputs!.shape).toEqual(c.outputs.shape);
    assertClose(outputs!.dataSync(), c.outputs.data, OUT, `${name} outputs`);
    weights.forEach((w, i) => {
      const ref = c.grads[c.param_names_in_order[i]!]!;
      assertClose(grads[w.name]!.dataSync(), ref.data, GRAD, `${name} grad ${c.param_names_in_order[i]}`);
    });
    assertClose(grads[xv.name]!.dataSync(), c.grad_x.data, GRAD, `${name} grad_x`);
    tf.dispose([value, xv, R, outputs!, ...Object.values(grads)]);
    disposeWeights(layer);
  });

  it('returns the last hidden state without returnSequences', () => {
    const layer = layerOf(c, 'auto');
    const last =
      c.class === 'TTGRU'
        ? new TTGRU({ ...layer.getConfig(), returnSequences: false } as never)
        : new TTLSTM({ ...layer.getConfig(), returnSequences: false } as never);
    last.build([null, c.x.shape[1]!, c.x.shape[2]!]);
    last.setWeights(layer.getWeights());
    const x = refTensor(c.x, 'x');
    const h = last.apply(x) as tf.Tensor;
    expect(h.shape).toEqual(c.h_last.shape);
    assertClose(h.dataSync(), c.h_last.data, OUT, `${name} h_last`);
    tf.dispose([x, h]);
    disposeWeights(layer);
    disposeWeights(last);
  });
});

describe('reference case tt_classifier', () => {
  it('TT-LSTM → TT dense → log-softmax gives the original log-probabilities', () => {
    type Desc = Record<string, unknown> & {
      config: Record<string, number>;
      x: { shape: number[]; data: number[] };
      log_softmax_out: { data: number[] };
    };
    const c = referenceCase<Desc>('tt_classifier');
    const {
      hidden_size: H,
      output_size: K,
      n_cores: d,
      tt_rank: r,
      input_size: N,
    } = c.config as Record<string, number>;
    const rec = new TTLSTM({ units: H!, cores: d!, rank: r!, inputShape: [c.x.shape[1]!, N!] });
    const head = new TTDense({ units: K!, cores: d!, rank: r! });
    const model = tfl.sequential({ layers: [rec, head] });
    const cell = cellFromReference(c['rnn_input_weights'], c['rnn_hidden_weights'], {
      className: 'TTLSTM',
      hiddenSize: H!,
    });
    const cellVars = new Map(cell.namedWeights().map((w) => [w.name, w.variable]));
    rec.setWeights(rec.cellWeightNames.map((n) => cellVars.get(n)!));
    const map = linearMapFromReference(c['head'], 'head');
    const headVars = new Map(map.namedWeights().map((w) => [w.name, w.variable]));
    head.setWeights(head.cellWeightNames.map((n) => headVars.get(n)!));
    cell.dispose();
    map.dispose();
    const x = refTensor(c.x, 'x');
    const out = tf.tidy(() => tf.logSoftmax(model.predict(x) as tf.Tensor2D));
    assertClose(out.dataSync(), c.log_softmax_out.data, OUT, 'tt_classifier log_softmax');
    tf.dispose([x, out]);
    model.dispose();
  });
});
