/**
 * The generalised end-to-end (GE2E) softmax loss of Wan et al. 2018, as the original implementation
 * computes it.
 *
 * For embeddings e[j, i] (speaker j, utterance i, already L2-normalised):
 *   c_k          = normalise(mean_i e[k, i])                    inclusive centroid of speaker k
 *   c^(-i)_j     = normalise((Σ_i' e[j, i'] − e[j, i]) / (M−1))  exclusive centroid, own speaker only
 *   S[j, i, k]   = w · (e[j, i] · c_k) + b       for k ≠ j
 *   S[j, i, j]   = w · (e[j, i] · c^(-i)_j) + b
 *   loss         = mean_{j,i} ( −S[j, i, j] + log Σ_k exp S[j, i, k] )
 * The original also scales the gradients of w and b by 0.01 (`GE2E_GRAD_SCALE`), applied by the trainer
 * through `Objective.gradScales`.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The original's factor on the gradients of the similarity scale and offset. */
export const GE2E_GRAD_SCALE = 0.01;

/** The weight names the speaker model gives the similarity scale and offset. */
export const GE2E_WEIGHT_NAMES = { w: 'ge2e.w', b: 'ge2e.b' } as const;

function normalise(x: tf.Tensor, axis: number): tf.Tensor {
  return tf.div(x, tf.sqrt(tf.sum(tf.square(x), axis, true)));
}

function checkEmbeddings(embeddings: tf.Tensor, fn: string): void {
  if (embeddings.rank !== 3 || (embeddings.shape[0] as number) < 2 || (embeddings.shape[1] as number) < 2) {
    throw new Error(
      `'embeddings' passed to '${fn}' must be [speakers ≥ 2, utterances ≥ 2, dim], got [${embeddings.shape.join(', ')}]`,
    );
  }
}

/**
 * The cosine part of the similarity matrix (before w and b).
 * @param embeddings `[N, M, E]` L2-normalised embeddings.
 * @returns `[N, M, N]`
 */
export function ge2eCosines(embeddings: tf.Tensor3D): tf.Tensor3D {
  checkEmbeddings(embeddings, 'ge2eCosines');
  const [n, m, e] = embeddings.shape;
  return tf.tidy(() => {
    const sum = tf.sum(embeddings, 1, true); // [N, 1, E]
    const incl = tf.reshape(normalise(tf.div(sum, tf.scalar(m)), 2), [n, e]);
    const excl = normalise(tf.div(tf.sub(sum, embeddings), tf.scalar(m - 1)), 2); // [N, M, E]
    const all = tf.reshape(tf.matMul(tf.reshape(embeddings, [n * m, e]), incl, false, true), [n, m, n]);
    const own = tf.sum(tf.mul(embeddings, excl), 2, true); // [N, M, 1]
    const eye = tf.reshape(tf.eye(n), [n, 1, n]);
    return tf.add(tf.mul(all, tf.sub(tf.scalar(1), eye)), tf.mul(own, eye)) as tf.Tensor3D;
  });
}

/** The similarity matrix `w · cos + b`, `[N, M, N]`. */
export function ge2eSimilarity(embeddings: tf.Tensor3D, w: tf.Tensor, b: tf.Tensor): tf.Tensor3D {
  return tf.tidy(() => tf.add(tf.mul(ge2eCosines(embeddings), tf.reshape(w, [])), tf.reshape(b, [])) as tf.Tensor3D);
}

/**
 * The GE2E softmax loss (mean over the N·M utterances).
 * @param embeddings `[N, M, E]`: N speakers × M utterances, L2-normalised.
 * @param w similarity scale (a one-element tensor, init 10 in the original).
 * @param b similarity offset (init −5).
 */
export function ge2eLoss(embeddings: tf.Tensor3D, w: tf.Tensor, b: tf.Tensor): tf.Scalar {
  checkEmbeddings(embeddings, 'ge2eLoss');
  const n = embeddings.shape[0];
  return tf.tidy(() => {
    const sim = ge2eSimilarity(embeddings, w, b);
    const own = tf.sum(tf.mul(sim, tf.reshape(tf.eye(n), [n, 1, n])), 2);
    return tf.mean(tf.sub(tf.logSumExp(sim, 2), own)) as tf.Scalar;
  });
}
