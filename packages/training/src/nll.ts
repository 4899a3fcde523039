/**
 * Negative log-likelihood on log-probabilities, and the number of correct predictions.
 */
import * as tf from '@tensorflow/tfjs-core';

function checkPair(logProbs: tf.Tensor, labels: tf.Tensor, fn: string): void {
  if (logProbs.rank !== 2) {
    throw new Error(
      `'logProbs' passed to '${fn}' must be rank 2 [batch, classes], got shape [${logProbs.shape.join(', ')}]`,
    );
  }
  if (labels.rank !== 1 || labels.shape[0] !== logProbs.shape[0]) {
    throw new Error(
      `'labels' passed to '${fn}' must be rank 1 with ${logProbs.shape[0]} entries, got shape [${labels.shape.join(', ')}]`,
    );
  }
  if (labels.dtype !== 'int32') throw new Error(`'labels' passed to '${fn}' must be int32, got ${labels.dtype}`);
}

/**
 * Mean negative log-likelihood, as PyTorch's `nll_loss(logProbs, labels)` with mean reduction.
 * @param logProbs `[batch, classes]` log-probabilities (a log-softmax output).
 * @param labels `[batch]` int32 class indices.
 */
export function nllLoss(logProbs: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  checkPair(logProbs, labels, 'nllLoss');
  return tf.tidy(() => {
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(labels, logProbs.shape[1])), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/** Number of rows whose arg-max equals the label (ties go to the first class, as argmax does). */
export async function countCorrect(logProbs: tf.Tensor2D, labels: tf.Tensor1D): Promise<number> {
  checkPair(logProbs, labels, 'countCorrect');
  const n = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logProbs, 1), labels), 'int32')));
  try {
    return (await n.data())[0] as number;
  } finally {
    n.dispose();
  }
}
