/**
 * A stack of recurrent cells over a sequence (layer ℓ > 0 reads layer ℓ−1's
 * hidden states), h0 = c0 = 0.
 *
 * Layout for speed: the sequence is made time-major once, so every layer's
 * input product over all steps is one product [steps·batch, N] × W, and the
 * next layer's input is a concatenation of the step outputs (no transposes).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable, ProductMode } from './linear_map.js';
import { PRODUCT_MODES } from './linear_map.js';
import type { RecurrentCell } from './recurrent_cell.js';
import { assertOneOf, shapeString } from './validate.js';

export interface RNNRunOptions {
  /** Default 'auto'. */
  readonly mode?: ProductMode;
  /** Also return every hidden state of the last layer (default true). */
  readonly outputs?: boolean;
}

export interface RNNResult {
  /** [batch, steps, H]: the last layer's hidden state at every step (null if not asked for). */
  readonly outputs: tf.Tensor3D | null;
  /** Per layer, the hidden state after the last step [batch, H]. */
  readonly hLast: tf.Tensor2D[];
  /** Per layer, the last cell state [batch, H] (LSTM), or null (GRU). */
  readonly cLast: tf.Tensor2D[] | null;
}

export class RNN {
  readonly cells: readonly RecurrentCell[];

  /** Takes ownership of the cells. */
  constructor(cells: readonly RecurrentCell[]) {
    if (!Array.isArray(cells) || cells.length === 0) {
      throw new Error(`'cells' passed to 'RNN' must be a non-empty array of cells`);
    }
    cells.forEach((c, l) => {
      if (l > 0 && c.inputSize !== cells[l - 1]!.hiddenSize) {
        throw new Error(
          `'cells[${l}]' passed to 'RNN' has input size ${c.inputSize}, but layer ${l - 1} has hidden size ${cells[l - 1]!.hiddenSize}`,
        );
      }
      if (c.kind !== cells[0]!.kind) {
        throw new Error(`'cells[${l}]' passed to 'RNN' is a ${c.kind} cell, but cells[0] is ${cells[0]!.kind}`);
      }
    });
    this.cells = cells;
  }

  get inputSize(): number {
    return this.cells[0]!.inputSize;
  }

  get hiddenSize(): number {
    return this.cells[this.cells.length - 1]!.hiddenSize;
  }

  /** x: [batch, steps, inputSize]. */
  run(x: tf.Tensor3D, opts: RNNRunOptions = {}): RNNResult {
    const fn = 'RNN.run';
    const mode = opts.mode ?? 'auto';
    assertOneOf(mode, PRODUCT_MODES, 'mode', fn);
    checkSequence(x, this.inputSize, fn);
    const [batch, steps] = x.shape;
    const wantOutputs = opts.outputs ?? true;
    const isLstm = this.cells[0]!.kind === 'lstm';
    const flat = tf.tidy(() => {
      let xs = tf.reshape(tf.transpose(x, [1, 0, 2]), [steps * batch, this.inputSize]) as tf.Tensor2D;
      const hLast: tf.Tensor2D[] = [];
      const cLast: tf.Tensor2D[] = [];
      let outputs: tf.Tensor | null = null;
      this.cells.forEach((cell, l) => {
        const { hs, c } = cell.runSequence(xs, steps, batch, mode);
        hLast.push(hs[steps - 1]!);
        if (c !== null) cLast.push(c);
        const last = l === this.cells.length - 1;
        if (!last || wantOutputs) {
          xs = (steps === 1 ? hs[0]! : tf.concat(hs, 0)) as tf.Tensor2D;
          if (last) outputs = tf.transpose(tf.reshape(xs, [steps, batch, cell.hiddenSize]), [1, 0, 2]);
        }
      });
      return outputs === null ? [...hLast, ...cLast] : [...hLast, ...cLast, outputs];
    });
    const L = this.cells.length;
    return {
      hLast: flat.slice(0, L) as tf.Tensor2D[],
      cLast: isLstm ? (flat.slice(L, 2 * L) as tf.Tensor2D[]) : null,
      outputs: wantOutputs ? (flat[flat.length - 1] as unknown as tf.Tensor3D) : null,
    };
  }

  /** `cell{ℓ}.input_weights.*`, `cell{ℓ}.hidden_weights.*`, layer by layer (the original's names). */
  namedWeights(): NamedVariable[] {
    return this.cells.flatMap((c, l) => c.namedWeights().map((w) => ({ name: `cell${l}.${w.name}`, variable: w.variable })));
  }

  paramCount(): number {
    return this.cells.reduce((s, c) => s + c.paramCount(), 0);
  }

  dispose(): void {
    for (const c of this.cells) c.dispose();
  }
}

/** x must be [batch ≥ 1, steps ≥ 1, inputSize]. */
export function checkSequence(x: unknown, inputSize: number, fn: string): asserts x is tf.Tensor3D {
  if (!(x instanceof tf.Tensor) || x.rank !== 3) {
    throw new Error(
      `'x' passed to '${fn}' must be a rank-3 tensor [batch, steps, ${inputSize}], got ` +
        (x instanceof tf.Tensor ? `shape ${shapeString(x.shape)}` : String(x)),
    );
  }
  const [batch, steps, width] = x.shape as [number, number, number];
  if (steps === 0) throw new Error(`'x' passed to '${fn}' is a sequence of length 0 (shape ${shapeString(x.shape)}); need at least one step`);
  if (batch === 0) throw new Error(`'x' passed to '${fn}' has an empty batch (shape ${shapeString(x.shape)})`);
  if (width !== inputSize) {
    throw new Error(`'x' passed to '${fn}' must have ${inputSize} features per step (the input size), got shape ${shapeString(x.shape)}`);
  }
}
