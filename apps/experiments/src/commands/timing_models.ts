/**
 * Model factories for the timing loop: the sequence classifiers of @ttrnn/cells (`createModel`:
 * last hidden state → head → log-softmax, with a TT head for TT models as in the original), on the
 * default path (the WebAssembly kernel on the wasm backend) or the plain tfjs path, with or without
 * the checkpointed backward.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { chooseRecurrentPath, createModel } from '@ttrnn/cells';
import type { ModelConfig, SequenceClassifier } from '@ttrnn/cells';
import { recurrentKernels } from '@ttrnn/kernels';
import type { BenchConfig, BenchModel, BenchShape, ModelFactory } from './timing_bench.js';

/** The cells' model config of a bench configuration (one layer). */
export function benchModelConfig(config: BenchConfig, shape: BenchShape): ModelConfig {
  if (config.stock === true) {
    throw new Error(
      `'config' passed to 'benchModelConfig' must be a model of @ttrnn/cells, got the stock tf.layers.lstm`,
    );
  }
  return {
    task: 'classifier',
    cell: config.cell,
    tt: config.tt,
    inputSize: shape.input,
    hiddenSize: shape.hidden,
    layers: 1,
    outputSize: shape.classes,
    mode: config.mode ?? 'auto',
    path: config.path ?? 'auto',
    checkpoint: config.checkpoint,
  };
}

/** A model of @ttrnn/cells for the timing loop. */
export function cellsClassifier(config: BenchConfig, shape: BenchShape, seed: number): BenchModel {
  const model = createModel(benchModelConfig(config, shape), seed) as SequenceClassifier;
  const variables = model.namedWeights().map((w) => w.variable);
  const path = chooseRecurrentPath(model.rnn.cells[0]!, model.config.mode, model.config.path);
  return {
    params: model.paramCount(),
    variables,
    apply: (x: tf.Tensor3D) => model.apply(x),
    threads: path === 'kernel' ? recurrentKernels().threads : 1,
    dispose() {
      model.dispose();
    },
  };
}

/** The factory for every kind except the stock tf.layers.lstm (see bench/run.ts). */
export const cellsFactory: ModelFactory = (config, shape, seed) => cellsClassifier(config, shape, seed);
