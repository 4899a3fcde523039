/** Test-only helpers. */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@ttrnn/random';

/** Values in [-1, 1] from a seeded stream. */
export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(new Rng(seed).uniformArray(n, -scale, scale), shape);
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** `maxAbsDiff` read with `await data()`: the webgpu backend cannot read synchronously in Node. */
export async function maxAbsDiffAsync(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0]!;
  d.dispose();
  return v;
}
