/**
 * Gradient clipping by the global L2 norm, as PyTorch's `clip_grad_norm_(params, maxNorm)`.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * The L2 norm of all gradients taken together, in float64 from per-tensor float32 sums of squares.
 * Asynchronous, as every read of tensor values in this package: a GPU backend (webgpu) has no
 * synchronous read in Node.
 */
export async function globalNorm(grads: ReadonlyArray<tf.Tensor>): Promise<number> {
  if (grads.length === 0) return 0;
  const sums = tf.tidy(() => tf.stack(grads.map((g) => tf.sum(tf.square(g)))));
  let data: ArrayLike<number>;
  try {
    data = await sums.data();
  } finally {
    sums.dispose();
  }
  let total = 0;
  for (let i = 0; i < data.length; i++) total += data[i] as number;
  return Math.sqrt(total);
}

/** The factor PyTorch multiplies the gradients by: `maxNorm / (norm + 1e-6)` when that is below 1, else 1. */
export function clipCoefficient(norm: number, maxNorm: number | null): number {
  if (maxNorm === null || !Number.isFinite(norm)) return 1;
  const coef = maxNorm / (norm + 1e-6);
  return coef < 1 ? coef : 1;
}

/**
 * Scales `grads` so that their global norm is at most `maxNorm` (no clipping when `maxNorm` is null).
 * Returns new tensors (the inputs are not disposed) and the norm BEFORE clipping, which is what the
 * run logs.
 */
export async function clipByGlobalNorm(
  grads: ReadonlyArray<tf.Tensor>,
  maxNorm: number | null,
): Promise<{ grads: tf.Tensor[]; norm: number; coefficient: number }> {
  if (maxNorm !== null && !(Number.isFinite(maxNorm) && maxNorm > 0)) {
    throw new Error(`'maxNorm' passed to 'clipByGlobalNorm' must be a positive number or null, got ${maxNorm}`);
  }
  const norm = await globalNorm(grads);
  const coefficient = clipCoefficient(norm, maxNorm);
  const out = grads.map((g) => (coefficient === 1 ? tf.clone(g) : tf.tidy(() => tf.mul(g, tf.scalar(coefficient)))));
  return { grads: out, norm, coefficient };
}
