/** Test-only helpers: exact-in-float32 random values. */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@ttrnn/random';

/** Values drawn from bounded integers / 100, exactly representable and reproducible. */
export function intValues(shape: readonly number[], rng: Rng, bound = 100): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (rng.int(2 * bound + 1) - bound) / 100;
  return tf.tensor(v, [...shape]);
}
