/**
 * Model factories for the timing loop. Until @ttrnn/cells lands, a hand-written dense LSTM
 * stands in (the throwaway model of the harness).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BenchConfig, BenchModel, BenchShape, ModelFactory } from './timing_bench.js';

function uniform(shape: number[], bound: number, seed: number): tf.Variable {
  return tf.variable(tf.randomUniform(shape, -bound, bound, 'float32', seed));
}

/** A plain LSTM classifier (input projection once per sequence). */
function throwawayLstm(shape: BenchShape, seed: number): BenchModel {
  const { input: F, hidden: H, classes: K } = shape;
  const b = 1 / Math.sqrt(H);
  const wx = uniform([F, 4 * H], b, seed);
  const wh = uniform([H, 4 * H], b, seed + 1);
  const bias = uniform([4 * H], b, seed + 2);
  const wo = uniform([H, K], b, seed + 3);
  const bo = uniform([K], b, seed + 4);
  const variables = [wx, wh, bias, wo, bo];
  return {
    params: variables.reduce((s, v) => s + v.size, 0),
    variables,
    apply(x) {
      return tf.tidy(() => {
        const [B, T] = x.shape;
        const xp = tf.reshape(tf.add(tf.matMul(tf.reshape(tf.transpose(x, [1, 0, 2]), [T * B, F]), wx), bias), [T, B, 4 * H]);
        const xs = tf.unstack(xp);
        let h: tf.Tensor2D = tf.zeros([B, H]);
        let c: tf.Tensor2D = tf.zeros([B, H]);
        for (const xt of xs) {
          const a = tf.add(xt, tf.matMul(h, wh));
          const [i, f, g, o] = tf.split(a, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
          c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
          h = tf.mul(tf.sigmoid(o), tf.tanh(c));
        }
        return tf.logSoftmax(tf.add(tf.matMul(h, wo), bo)) as tf.Tensor2D;
      });
    },
    dispose() {
      tf.dispose(variables);
    },
  };
}

/** The factory for every kind except the stock tf.layers.lstm (see bench/run.ts). */
export const cellsFactory: ModelFactory = (config: BenchConfig, shape: BenchShape, seed: number) => {
  if (config.model === 'lstm') return throwawayLstm(shape, seed);
  throw new Error(`timing: model '${config.model}' is not available yet`);
};
