/**
 * A tiny Elman RNN classifier for the trainer's tests: h_t = tanh(x_t·Wx + h_{t−1}·Wh + b), then a
 * linear head and log-softmax. Small enough that a whole training run takes well under a second.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@ttrnn/random';
import type { NamedWeight, TrainableModel } from '../named_weights.js';

export class TinyRnn implements TrainableModel {
  private readonly weights: NamedWeight[];

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    readonly outputSize: number,
    seed: number,
    extra: ReadonlyArray<{ name: string; value: number }> = [],
  ) {
    const rng = new Rng(seed);
    const u = (shape: number[], fanIn: number): tf.Variable => {
      const bound = 1 / Math.sqrt(fanIn);
      const data = rng.uniformArray(
        shape.reduce((a, b) => a * b, 1),
        -bound,
        bound,
      );
      return tf.tidy(() => tf.variable(tf.tensor(data, shape)));
    };
    this.weights = [
      { name: 'wx', variable: u([inputSize, hiddenSize], inputSize) },
      { name: 'wh', variable: u([hiddenSize, hiddenSize], hiddenSize) },
      { name: 'b', variable: u([hiddenSize], hiddenSize) },
      { name: 'head.w', variable: u([hiddenSize, outputSize], hiddenSize) },
      { name: 'head.b', variable: u([outputSize], hiddenSize) },
      ...extra.map((e) => ({ name: e.name, variable: tf.tidy(() => tf.variable(tf.tensor1d([e.value]))) })),
    ];
  }

  private w(name: string): tf.Variable {
    return (this.weights.find((w) => w.name === name) as NamedWeight).variable;
  }

  /** Log-probabilities `[batch, outputSize]`. */
  apply(x: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => tf.logSoftmax(this.logits(x)));
  }

  logits(x: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const [batch, steps] = x.shape;
      let h: tf.Tensor2D = tf.zeros([batch, this.hiddenSize]);
      for (let t = 0; t < steps; t++) {
        const xt = tf.reshape(tf.slice(x, [0, t, 0], [batch, 1, this.inputSize]), [batch, this.inputSize]);
        h = tf.tanh(
          tf.add(tf.add(tf.matMul(xt, this.w('wx')), tf.matMul(h, this.w('wh'))), this.w('b')),
        ) as tf.Tensor2D;
      }
      return tf.add(tf.matMul(h, this.w('head.w')), this.w('head.b'));
    });
  }

  namedWeights(): ReadonlyArray<NamedWeight> {
    return this.weights;
  }

  dispose(): void {
    for (const w of this.weights) w.variable.dispose();
  }
}

/**
 * Sequences of `steps` standard-normal values, labelled 1 when their sum is positive; batch `index` of
 * epoch `epoch` is a pure function of (seed, epoch, index).
 */
export class SignOfSumSource {
  constructor(
    readonly numBatches: number,
    readonly batchSize: number,
    readonly steps: number,
    readonly seed: number,
    /** Same batches every epoch (a fixed data set visited in a per-epoch order would also do). */
    readonly fixed = false,
  ) {}

  batch(epoch: number, index: number): { x: Float32Array; y: Int32Array; shape: [number, number, number] } {
    const rng = new Rng(this.seed * 1_000_003 + (this.fixed ? 0 : epoch) * 10_007 + index);
    const x = rng.normalArray(this.batchSize * this.steps);
    const y = new Int32Array(this.batchSize);
    for (let i = 0; i < this.batchSize; i++) {
      let s = 0;
      for (let t = 0; t < this.steps; t++) s += x[i * this.steps + t] as number;
      y[i] = s > 0 ? 1 : 0;
    }
    return { x, y, shape: [this.batchSize, this.steps, 1] };
  }
}
