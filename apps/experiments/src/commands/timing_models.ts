/**
 * Model factories for the timing loop: the sequence classifiers of @ttrnn/cells (`createModel`:
 * last hidden state → head → log-softmax, with a TT head for TT models as in the original), and
 * the same models trained through the checkpointed backward for long sequences.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkpointedSequence, createModel, runLstmFused, runSequenceCheckpointed } from '@ttrnn/cells';
import type { ModelConfig, SequenceClassifier } from '@ttrnn/cells';
import type { BenchConfig, BenchModel, BenchShape, ModelFactory } from './timing_bench.js';

/** The cells' model config of a bench configuration (one layer). */
export function modelConfigOf(config: BenchConfig, shape: BenchShape): ModelConfig {
  const tt = config.model === 'tt-lstm' || config.model === 'tt-gru';
  if (!tt && config.model !== 'lstm' && config.model !== 'gru') {
    throw new Error(`'config.model' passed to 'modelConfigOf' must be a model of @ttrnn/cells, got '${config.model}'`);
  }
  return {
    task: 'classifier',
    cell: config.model === 'lstm' || config.model === 'tt-lstm' ? 'lstm' : 'gru',
    tt: tt ? { cores: config.cores!, rank: config.rank!, extraCore: 'none', naive: false } : null,
    inputSize: shape.input,
    hiddenSize: shape.hidden,
    layers: 1,
    outputSize: shape.classes,
    mode: config.mode ?? 'auto',
    // model.apply fuses the LSTM backward by default; rows not marked 'fused' measure autodiff,
    // so the table keeps showing what the fused op buys.
    backward: config.backward === 'fused' ? 'fused' : 'autodiff',
  };
}

/**
 * A classifier whose recurrent layers run through `runSequenceCheckpointed` (chunks of
 * `chunkSize` steps) and/or the fused LSTM backward: the same weights and numbers as
 * `model.apply`, a smaller or faster backward.
 */
function customApply(model: SequenceClassifier, chunkSize: number | null, fused: boolean): (x: tf.Tensor3D) => tf.Tensor2D {
  const mode = model.config.mode;
  return (x) =>
    tf.tidy(() => {
      const [batch, steps, features] = x.shape;
      let xs = tf.reshape(tf.transpose(x, [1, 0, 2]), [steps * batch, features]) as tf.Tensor2D;
      let h: tf.Tensor2D | null = null;
      for (const cell of model.rnn.cells) {
        if (fused && chunkSize !== null) {
          const run = (xc: tf.Tensor2D, len: number, b: number, st: readonly tf.Tensor2D[]) => {
            const r = runLstmFused(cell, xc, len, b, mode, { h: st[0]!, c: st[1]! });
            return { hs: [r.hs], state: [r.h, r.c] };
          };
          const params = cell.namedWeights().map((w) => w.variable);
          const r = checkpointedSequence(run, xs, steps, batch, cell.hiddenSize, 2, params, { chunkSize });
          xs = r.hs;
          h = r.state[0]!;
        } else if (fused) {
          const r = runLstmFused(cell, xs, steps, batch, mode);
          xs = r.hs;
          h = r.h;
        } else {
          const r = runSequenceCheckpointed(cell, xs, steps, batch, mode, { chunkSize: chunkSize! });
          xs = r.hs;
          h = r.state[0]!;
        }
      }
      return tf.logSoftmax(model.head.apply(h!, model.head.chooseMethod(batch, 1, mode))) as tf.Tensor2D;
    });
}

/** A model of @ttrnn/cells for the timing loop. */
export function cellsClassifier(config: BenchConfig, shape: BenchShape, seed: number): BenchModel {
  const model = createModel(modelConfigOf(config, shape), seed) as SequenceClassifier;
  const variables = model.namedWeights().map((w) => w.variable);
  const fused = config.backward === 'fused';
  if (fused && model.config.cell !== 'lstm') throw new Error(`the fused backward exists for LSTM cells only, not for ${config.model}`);
  const apply = config.checkpoint === null && !fused ? (x: tf.Tensor3D) => model.apply(x) : customApply(model, config.checkpoint, fused);
  return {
    params: model.paramCount(),
    variables,
    apply,
    dispose() {
      model.dispose();
    },
  };
}

/** The factory for every kind except the stock tf.layers.lstm (see bench/run.ts). */
export const cellsFactory: ModelFactory = (config, shape, seed) => cellsClassifier(config, shape, seed);
