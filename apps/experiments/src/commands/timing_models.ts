/**
 * Model factories for the timing loop: sequence classifiers built from @ttrnn/cells (one
 * recurrent layer, last hidden state → head → log-softmax; a TT head of the same cores and rank
 * for TT models, as in the original).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Linear, RNN, TTLinear, createCell } from '@ttrnn/cells';
import type { LinearMap, ProductMode } from '@ttrnn/cells';
import { ttMatrixShape } from '@ttrnn/tt';
import type { BenchConfig, BenchModel, BenchShape, ModelFactory } from './timing_bench.js';

/** A one-layer classifier of the cells package. */
export function cellsClassifier(config: BenchConfig, shape: BenchShape, seed: number): BenchModel {
  const tt = config.model === 'tt-lstm' || config.model === 'tt-gru';
  const cell = config.model === 'lstm' || config.model === 'tt-lstm' ? 'lstm' : 'gru';
  if (!tt && config.model !== 'lstm' && config.model !== 'gru') {
    throw new Error(`'config.model' passed to 'cellsClassifier' must be a model of @ttrnn/cells, got '${config.model}'`);
  }
  const layout = tt ? { cores: config.cores!, rank: config.rank! } : null;
  const rnn = new RNN([createCell({ cell, inputSize: shape.input, hiddenSize: shape.hidden, tt: layout }, seed)]);
  const head: LinearMap = tt
    ? TTLinear.init(ttMatrixShape(shape.hidden, shape.classes, config.cores!, config.rank!), seed + 1)
    : Linear.init({ inputSize: shape.hidden, outputSize: shape.classes, bias: true }, seed + 1);
  const mode: ProductMode = config.mode ?? 'auto';
  const variables = [...rnn.namedWeights(), ...head.namedWeights()].map((w) => w.variable);
  return {
    params: rnn.paramCount() + head.paramCount(),
    variables,
    apply(x) {
      return tf.tidy(() => {
        const { hLast } = rnn.run(x, { mode, outputs: false });
        return tf.logSoftmax(head.apply(hLast[0]!)) as tf.Tensor2D;
      });
    },
    dispose() {
      rnn.dispose();
      head.dispose();
    },
  };
}

/** The factory for every kind except the stock tf.layers.lstm (see bench/run.ts). */
export const cellsFactory: ModelFactory = (config, shape, seed) => cellsClassifier(config, shape, seed);
