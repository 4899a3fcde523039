/**
 * The contract shared by every weight map of the cells: a dense matrix
 * (`Linear`), a TT matrix (`TTLinear`) or one TT matrix per gate
 * (`NaiveTTLinear`), each with an optional bias.
 */
import type * as tf from '@tensorflow/tfjs-core';

/**
 * How a recurrent layer computes its TT products:
 * - `per-step`: contract the cores against the input at every product (every time step; what the original does);
 * - `rebuilt`: form W from the cores once per forward pass, then dense matMuls;
 * - `auto`: choose per matrix from `ttMatmulCost` (FLOPs and op count).
 */
export type ProductMode = 'per-step' | 'rebuilt' | 'auto';

/** How one product is computed, once `auto` has been decided: the same words as `ProductMode`. */
export type ProductMethod = Exclude<ProductMode, 'auto'>;

export const PRODUCT_MODES: readonly ProductMode[] = ['per-step', 'rebuilt', 'auto'];

export interface NamedVariable {
  readonly name: string;
  readonly variable: tf.Variable;
}

export interface LinearMap {
  /** N: rows of W. */
  readonly inputSize: number;
  /** M: columns of W. */
  readonly outputSize: number;
  /** x [rows, N] → x·W [rows, M] (no bias). */
  product(x: tf.Tensor2D, method: ProductMethod): tf.Tensor2D;
  /** W [N, M]. For a dense map this is the variable itself: do not dispose it. */
  full(): tf.Tensor2D;
  /** The bias [M] (a variable, or a concatenation for the naive layout), or null. */
  biasVector(): tf.Tensor1D | null;
  /**
   * A product x → x·W for repeated use within one forward pass (call inside
   * tf.tidy; the function is valid in that scope): 'rebuilt' forms W once,
   * 'per-step' prepares the cores once, so each call issues only the ops
   * that depend on x.
   */
  prepare(method: ProductMethod): (x: tf.Tensor2D) => tf.Tensor2D;
  /** x·W + b. */
  apply(x: tf.Tensor2D, method?: ProductMethod): tf.Tensor2D;
  /** Which method is cheaper for `calls` products of `rows` rows each, under `mode`. */
  chooseMethod(rows: number, calls: number, mode: ProductMode): ProductMethod;
  /** Trainable variables with names relative to this map (`bias`, `parameters.0`, `weight`, `gate1.bias`…). */
  namedWeights(): NamedVariable[];
  /** Weights plus biases. */
  paramCount(): number;
  dispose(): void;
}
