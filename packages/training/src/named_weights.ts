/**
 * The structural view of a model that the training code needs, so that it depends on no model class.
 * `@ttrnn/cells`' SequenceModel satisfies it.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** A trainable variable under a stable, model-level name (independent of tfjs's global variable names). */
export interface NamedWeight {
  readonly name: string;
  readonly variable: tf.Variable;
}

export interface TrainableModel {
  /** `x: [batch, steps, features]` → `[batch, K]` (log-probabilities or embeddings). */
  apply(x: tf.Tensor3D): tf.Tensor2D;
  namedWeights(): ReadonlyArray<NamedWeight>;
}

/** Throws when two weights share a name: checkpoints and optimizer state are keyed by it. */
export function assertUniqueNames(weights: ReadonlyArray<NamedWeight>, fn: string): void {
  const seen = new Set<string>();
  for (const w of weights) {
    if (seen.has(w.name)) throw new Error(`'model' passed to '${fn}' has two weights named '${w.name}'`);
    seen.add(w.name);
  }
}
