/**
 * A @ttrnn/cells sequence classifier as a tf.layers model with the same weights, for
 * `predict`, `fit`, `summary`, `model.save` and `tf.loadLayersModel`.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { SequenceModel } from '@ttrnn/cells';
import { DenseGRU, DenseLSTM, TTGRU, TTLSTM } from './recurrent.js';
import type { CellLayer, RecurrentLayerArgs } from './recurrent.js';
import { TTDense } from './tt_dense.js';

/**
 * The classifier `model` (task 'classifier') as `tf.sequential([recurrent layers…, head, softmax])`:
 * input [batch, steps, inputSize], output the class probabilities [batch, K] (the cells model
 * returns their logarithm). Weights are copied; the two models are independent afterwards.
 */
export function toLayersModel(model: SequenceModel, opts: { name?: string } = {}): tfl.Sequential {
  const fn = 'toLayersModel';
  const c = model.config;
  if (c.task !== 'classifier')
    throw new Error(
      `'model' passed to '${fn}' must be a sequence classifier (task 'classifier'), got task '${c.task}'`,
    );
  const layers: CellLayer[] = [];
  for (let l = 0; l < c.layers; l++) {
    const args: RecurrentLayerArgs = {
      units: c.hiddenSize,
      returnSequences: l < c.layers - 1,
      productMode: c.mode,
      checkpoint: c.checkpoint,
      ...(l === 0 ? { inputShape: [null, c.inputSize] } : {}),
    };
    if (c.tt === null) layers.push(c.cell === 'lstm' ? new DenseLSTM(args) : new DenseGRU(args));
    else layers.push(c.cell === 'lstm' ? new TTLSTM({ ...args, ...c.tt }) : new TTGRU({ ...args, ...c.tt }));
  }
  const head =
    c.tt === null
      ? tfl.layers.dense({ units: c.outputSize })
      : new TTDense({ units: c.outputSize, cores: c.tt.cores, rank: c.tt.rank, productMode: c.mode });
  const seq = tfl.sequential({
    layers: [...layers, head, tfl.layers.softmax()],
    ...(opts.name !== undefined ? { name: opts.name } : {}),
  });

  const source = new Map(model.namedWeights().map((w) => [w.name, w.variable]));
  const take = (name: string) => {
    const v = source.get(name);
    if (v === undefined) throw new Error(`'model' passed to '${fn}' has no weight '${name}'`);
    return v;
  };
  layers.forEach((layer, l) => layer.setWeights(layer.cellWeightNames.map((n) => take(`rnn.cell${l}.${n}`))));
  if (head instanceof TTDense) head.setWeights(head.cellWeightNames.map((n) => take(`head.${n}`)));
  else head.setWeights([take('head.weight'), take('head.bias')]);
  return seq;
}
