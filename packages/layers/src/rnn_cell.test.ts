/**
 * The RNN cells inside tfjs's own RNN layer: the original's reference vectors (every hidden state,
 * the final states, every gradient), the features only tfjs's RNN has (returnState, goBackwards),
 * and a save / loadLayersModel round trip.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertClose } from '@ttrnn/test-utils';
import { cellFromReference, refTensor } from '@ttrnn/cells';
import { TTGRU, TTLSTM } from './recurrent.js';
import { DenseGRUCell, TTGRUCell, TTLSTMCell } from './rnn_cell.js';
import type { CellStep, TTRNNCellArgs } from './rnn_cell.js';
import { RNN_CASES, referenceCase } from '@ttrnn/test-utils/reference';
import type { RefCase } from '@ttrnn/test-utils/reference';

const OUT = { atol: 1e-5, rtol: 0 };
const GRAD = { atol: 1e-4, rtol: 0 };

function argsOf(c: RefCase): TTRNNCellArgs {
  const cfg = c.config;
  return {
    units: cfg['hidden_size'] as number,
    cores: cfg['n_cores'] as number,
    rank: cfg['tt_rank'] as number,
    extraCore: (cfg['new_core'] as 'first' | 'last' | undefined) ?? 'none',
    naive: cfg['is_naive'] === true,
  };
}

/** The case's weights, in the order of `cellWeightNames`. */
function weightsOf(c: RefCase, names: readonly string[]): tf.Tensor[] {
  const cell = cellFromReference(c['input_weights'], c['hidden_weights'], {
    className: c.class,
    hiddenSize: argsOf(c).units,
  });
  const byName = new Map(cell.namedWeights().map((w) => [w.name, tf.clone(w.variable)]));
  cell.dispose();
  return names.map((n) => byName.get(n)!);
}

/** `tf.layers.rnn` around the case's cell, in a model (so it can be disposed), holding its weights. */
function rnnModel(
  c: RefCase,
  rnnArgs: { returnSequences?: boolean; returnState?: boolean; goBackwards?: boolean },
): { model: tfl.LayersModel; cell: CellStep } {
  const cell = c.class === 'TTGRU' ? new TTGRUCell(argsOf(c)) : new TTLSTMCell(argsOf(c));
  const input = tfl.input({ shape: [c.x.shape[1]!, c.x.shape[2]!] });
  const output = tfl.layers.rnn({ cell, ...rnnArgs }).apply(input) as tfl.SymbolicTensor | tfl.SymbolicTensor[];
  const model = tfl.model({ inputs: input, outputs: output });
  const w = weightsOf(c, cell.cellWeightNames);
  cell.setWeights(w);
  tf.dispose(w);
  return { model, cell };
}

describe.each(RNN_CASES)('reference case %s through tf.layers.rnn', (name) => {
  const c = referenceCase(name);

  it('every hidden state and every gradient', () => {
    const { model, cell } = rnnModel(c, { returnSequences: true });
    expect(cell.cellWeightNames.map((n) => `cell0.${n}`)).toEqual(c.param_names_in_order);
    const x0 = refTensor(c.x, 'x');
    const xv = tf.variable(x0);
    x0.dispose();
    const R = refTensor(c.loss_R, 'loss_R');
    const weights = cell.trainableWeights.map((w) => w.read() as tf.Variable);
    let outputs: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const y = model.apply(xv, { training: true }) as tf.Tensor;
      outputs = tf.keep(tf.clone(y));
      return tf.sum(tf.mul(y, R)) as tf.Scalar;
    }, [...weights, xv]);
    assertClose(outputs!.dataSync(), c.outputs.data, OUT, `${name} outputs`);
    weights.forEach((w, i) =>
      assertClose(
        grads[w.name]!.dataSync(),
        c.grads[c.param_names_in_order[i]!]!.data,
        GRAD,
        `${name} grad ${c.param_names_in_order[i]}`,
      ),
    );
    assertClose(grads[xv.name]!.dataSync(), c.grad_x.data, GRAD, `${name} grad_x`);
    tf.dispose([value, xv, R, outputs!, ...Object.values(grads)]);
    model.dispose();
  });

  it('returnState gives the final states', () => {
    const { model } = rnnModel(c, { returnState: true });
    const x = refTensor(c.x, 'x');
    const [y, h, ...rest] = model.predict(x) as tf.Tensor[];
    assertClose(y!.dataSync(), c.h_last.data, OUT, `${name} output`);
    assertClose(h!.dataSync(), c.h_last.data, OUT, `${name} h`);
    const cLast = c['c_last'] as { data: number[] } | null;
    if (cLast === null) expect(rest).toHaveLength(0);
    else assertClose(rest[0]!.dataSync(), cLast.data, OUT, `${name} c`);
    tf.dispose([x, y!, h!, ...rest]);
    model.dispose();
  });
});

describe('RNN cells', () => {
  it('goBackwards equals the whole-sequence layer on the reversed sequence', () => {
    const c = referenceCase('ttgru');
    const { model, cell } = rnnModel(c, { goBackwards: true });
    const layer = new TTGRU({ ...argsOf(c), inputShape: [c.x.shape[1]!, c.x.shape[2]!] });
    const seq = tfl.sequential({ layers: [layer] });
    layer.setWeights(cell.getWeights());
    const x = refTensor(c.x, 'x');
    const a = model.predict(x) as tf.Tensor;
    const b = tf.tidy(() => seq.predict(tf.reverse(x, 1)) as tf.Tensor);
    assertClose(a.dataSync(), b.dataSync(), { atol: 1e-6, rtol: 1e-5 }, 'goBackwards');
    tf.dispose([x, a, b]);
    model.dispose();
    seq.dispose();
  });

  it('round-trip through model.save and tf.loadLayersModel inside tf.layers.rnn', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.rnn({
          cell: new TTLSTMCell({ units: 6, cores: 2, rank: 2, productMode: 'per-step', seed: 2 }),
          returnSequences: true,
          inputShape: [4, 3],
        }),
        tfl.layers.rnn({ cell: new DenseGRUCell({ units: 5, seed: 3 }) }),
      ],
    });
    let saved: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(
        async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } }),
      ),
    );
    expect(JSON.stringify(saved!.modelTopology)).toContain('"class_name":"TTLSTMCell"');
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const cells = loaded.layers.map((l) => (l as tfl.RNN).cell as CellStep);
    expect(cells.map((cell) => cell.getClassName())).toEqual(['TTLSTMCell', 'DenseGRUCell']);
    expect([cells[0]!.tt, cells[0]!.productMode]).toEqual([
      { cores: 2, rank: 2, extraCore: 'none', naive: false },
      'per-step',
    ]);
    const x = tf.tensor3d(
      Array.from({ length: 2 * 4 * 3 }, (_, i) => ((i * 13) % 11) / 11 - 0.5),
      [2, 4, 3],
    );
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('the whole-sequence layer and the cell in tf.layers.rnn agree on a TT-LSTM with an extra core', () => {
    const layer = new TTLSTM({
      units: 8,
      cores: 2,
      rank: 3,
      extraCore: 'first',
      returnSequences: true,
      seed: 9,
      inputShape: [5, 6],
    });
    const seq = tfl.sequential({ layers: [layer] });
    const cell = new TTLSTMCell({ units: 8, cores: 2, rank: 3, extraCore: 'first', seed: 9 });
    const viaRnn = tfl.sequential({ layers: [tfl.layers.rnn({ cell, returnSequences: true, inputShape: [5, 6] })] });
    // Same seed, same initial weights.
    layer
      .getWeights()
      .forEach((w, i) => expect(Array.from(cell.getWeights()[i]!.dataSync())).toEqual(Array.from(w.dataSync())));
    const x = tf.tensor3d(
      Array.from({ length: 3 * 5 * 6 }, (_, i) => ((i * 7) % 19) / 19 - 0.5),
      [3, 5, 6],
    );
    const [a, b] = [seq.predict(x) as tf.Tensor, viaRnn.predict(x) as tf.Tensor];
    assertClose(b.dataSync(), a.dataSync(), { atol: 1e-6, rtol: 1e-5 }, 'cell vs layer');
    tf.dispose([x, a, b]);
    seq.dispose();
    viaRnn.dispose();
  });

  it('masking: padded steps after the sequence leave the result as without them', () => {
    const cell = new TTGRUCell({ units: 4, cores: 2, rank: 2, seed: 1 });
    const model = tfl.sequential({
      layers: [tfl.layers.masking({ maskValue: 0, inputShape: [null, 3] }), tfl.layers.rnn({ cell })],
    });
    const data = Array.from({ length: 3 * 3 }, (_, i) => ((i * 5) % 7) / 7 + 0.1); // no zero step
    const short = tf.tensor3d(data, [1, 3, 3]);
    const padded = tf.tensor3d([...data, 0, 0, 0, 0, 0, 0], [1, 5, 3]);
    const [a, b] = [model.predict(short) as tf.Tensor, model.predict(padded) as tf.Tensor];
    assertClose(b.dataSync(), a.dataSync(), { atol: 1e-6, rtol: 0 }, 'masked');
    tf.dispose([short, padded, a, b]);
    model.dispose();
  });

  it('stateful: two halves in a row give the result of the whole sequence', () => {
    const make = (stateful: boolean, steps: number) =>
      tfl.sequential({
        layers: [
          tfl.layers.rnn({
            cell: new TTLSTMCell({ units: 4, cores: 2, rank: 2, seed: 5 }),
            stateful,
            batchInputShape: [2, steps, 3],
          }),
        ],
      });
    const whole = make(false, 6);
    const halves = make(true, 3);
    const x = tf.tensor3d(
      Array.from({ length: 2 * 6 * 3 }, (_, i) => ((i * 11) % 13) / 13 - 0.5),
      [2, 6, 3],
    );
    const [first, second] = tf.split(x, 2, 1) as [tf.Tensor3D, tf.Tensor3D];
    const a = whole.predict(x) as tf.Tensor;
    tf.dispose(halves.predict(first) as tf.Tensor);
    const b = halves.predict(second) as tf.Tensor;
    assertClose(b.dataSync(), a.dataSync(), { atol: 1e-6, rtol: 1e-5 }, 'stateful');
    tf.dispose([x, first, second, a, b]);
    whole.dispose();
    // tfjs keeps a stateful RNN's states outside its weights: dispose() leaves them.
    tf.dispose((halves.layers[0] as tfl.RNN).states);
    halves.dispose();
  });

  it('argument errors name the argument and the cell', () => {
    expect(() => new TTLSTMCell({ units: 4, cores: 0, rank: 2 })).toThrow(
      "'cores' passed to 'TTLSTMCell' must be a positive integer, got 0",
    );
    expect(() => new DenseGRUCell({ units: -1 })).toThrow(
      "'units' passed to 'DenseGRUCell' must be a positive integer, got -1",
    );
  });
});
