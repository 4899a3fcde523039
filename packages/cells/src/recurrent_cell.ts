/** What the multi-layer RNN needs from a cell (LSTM or GRU, any weight layout). */
import type * as tf from '@tensorflow/tfjs-core';
import type { LinearMap, NamedVariable, ProductMode } from './linear_map.js';

export type CellKind = 'lstm' | 'gru';

/** Number of gate blocks stacked along the output axis: LSTM [i|f|g|o], GRU [r|z|n]. */
export const GATES: Readonly<Record<CellKind, number>> = { lstm: 4, gru: 3 };

export interface SequenceResult {
  /** Hidden state after every step, each [batch, H]. */
  readonly hs: tf.Tensor2D[];
  /** Final cell state [batch, H] (LSTM), null for GRU. */
  readonly c: tf.Tensor2D | null;
}

export interface RecurrentCell {
  readonly kind: CellKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Input-to-hidden map, N → G·H. */
  readonly inputWeights: LinearMap;
  /** Hidden-to-hidden map, H → G·H. */
  readonly hiddenWeights: LinearMap;
  /**
   * Runs the cell over a whole sequence from h0 = c0 = 0. `xs` is time-major,
   * [steps·batch, N] (rows t·batch … t·batch + batch − 1 are step t), so the
   * input product of all steps is a single product. Call inside tf.tidy.
   */
  runSequence(xs: tf.Tensor2D, steps: number, batch: number, mode: ProductMode): SequenceResult;
  /** The gate pre-activations x·Wx + bx and h·Wh + bh, gate blocks in the original order. */
  preActivations(x: tf.Tensor2D, h: tf.Tensor2D): { input: tf.Tensor2D; hidden: tf.Tensor2D };
  /** `input_weights.*` then `hidden_weights.*`. */
  namedWeights(): NamedVariable[];
  paramCount(): number;
  dispose(): void;
}

/**
 * What the LSTM and GRU cells share: the two maps (owned, disposed with the cell), their shape check, and the
 * methods that only pass through to the maps. A subclass supplies the gate equations (`runSequence`).
 */
export abstract class TwoMapCell implements RecurrentCell {
  abstract readonly kind: CellKind;
  readonly inputSize: number;
  readonly hiddenSize: number;

  /** Takes ownership of both maps (N → G·H and H → G·H); `fn` names the constructor in errors. */
  constructor(
    readonly inputWeights: LinearMap,
    readonly hiddenWeights: LinearMap,
    gates: number,
    fn: string,
  ) {
    const gh = hiddenWeights.outputSize;
    if (gh % gates !== 0) {
      throw new Error(`'hiddenWeights' passed to '${fn}' must have ${gates}·H columns, got ${gh}`);
    }
    const h = gh / gates;
    if (hiddenWeights.inputSize !== h) {
      throw new Error(
        `'hiddenWeights' passed to '${fn}' must map the hidden size H = ${h} to ${gates}·H = ${gh}, got ${hiddenWeights.inputSize}×${gh}`,
      );
    }
    if (inputWeights.outputSize !== gh) {
      throw new Error(
        `'inputWeights' passed to '${fn}' must have ${gates}·H = ${gh} columns (hidden size ${h}), got ${inputWeights.outputSize}`,
      );
    }
    this.hiddenSize = h;
    this.inputSize = inputWeights.inputSize;
  }

  abstract runSequence(xs: tf.Tensor2D, steps: number, batch: number, mode: ProductMode): SequenceResult;

  preActivations(x: tf.Tensor2D, h: tf.Tensor2D): { input: tf.Tensor2D; hidden: tf.Tensor2D } {
    return { input: this.inputWeights.apply(x, 'per-step'), hidden: this.hiddenWeights.apply(h, 'per-step') };
  }

  namedWeights(): NamedVariable[] {
    return [
      ...this.inputWeights.namedWeights().map((w) => ({ name: `input_weights.${w.name}`, variable: w.variable })),
      ...this.hiddenWeights.namedWeights().map((w) => ({ name: `hidden_weights.${w.name}`, variable: w.variable })),
    ];
  }

  paramCount(): number {
    return this.inputWeights.paramCount() + this.hiddenWeights.paramCount();
  }

  dispose(): void {
    this.inputWeights.dispose();
    this.hiddenWeights.dispose();
  }
}
