/**
 * tf.grads called from inside a gradient function (the checkpointed backward's recompute, the
 * fused LSTM's TT cores gradient).
 */
import * as tf from '@tensorflow/tfjs-core';

/** The part of tfjs's engine state that a gradient taken inside a gradient must preserve. */
interface EngineTapeState {
  state: { activeTape: unknown[] | null };
}

/**
 * tfjs 4.22's engine keeps one active tape: a gradient computed during the outer backward
 * (gradient depth 0) replaces the outer tape with its own and sets it to null when done, so the
 * outer backward then fails ("reading 'forEach' of null") and never frees the tensors its nodes
 * saved. We put the outer tape back afterwards; the inner call still frees its own saved tensors,
 * which is what keeps memory to one chunk.
 */
export function nestedGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const engine = tf.engine() as unknown as EngineTapeState;
  const outer = engine.state.activeTape;
  try {
    return tf.grads(f)(xs, dy);
  } finally {
    engine.state.activeTape = outer;
  }
}
