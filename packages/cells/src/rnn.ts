/**
 * A stack of recurrent cells over a sequence (layer ℓ > 0 reads layer ℓ−1's
 * hidden states), h0 = c0 = 0.
 *
 * Layout for speed: the sequence is made time-major once, so every layer's
 * input product over all steps is one product [steps·batch, N] × W, and the
 * next layer's input is the time-major concatenation of the step outputs (no
 * transposes).
 *
 * Each layer runs on one of three paths, chosen in one place (`chooseRecurrentPath`, fast/path.ts):
 * the WebAssembly kernel (one op for the whole sequence, forward and backward) on the wasm
 * backend, the WGSL programs (likewise one op) on the webgpu backend, or the cell's plain tfjs
 * equations (autodiff) on every other backend. `checkpoint`
 * cuts every layer into chunks whose intermediates are recomputed in the backward
 * (`checkpointedSequence`), so long sequences fit the heap. Neither changes the numbers (tests
 * compare outputs and gradients).
 */
import * as tf from '@tensorflow/tfjs-core';
import { runKernelLayer } from './fast/kernel_layer.js';
import { PATH_CHOICES, chooseRecurrentPath } from './fast/path.js';
import type { PathChoice, RecurrentPath } from './fast/path.js';
import type { NamedVariable, ProductMode } from './linear_map.js';
import { PRODUCT_MODES } from './linear_map.js';
import { webgpuSequence } from './fast/webgpu/sequence_op.js';
import { checkpointedSequence, runSequenceCheckpointed } from './recompute.js';
import type { RecurrentCell } from './recurrent_cell.js';
import { assertOneOf, describe, shapeString } from './validate.js';

export interface RNNRunOptions {
  /** Default 'auto'. */
  readonly mode?: ProductMode;
  /** Also return every hidden state of the last layer (default true). */
  readonly outputs?: boolean;
  /** Which path runs the layers (default 'auto': the kernel on the wasm backend; see fast/path.ts). */
  readonly path?: PathChoice;
  /**
   * Gradient checkpointing: steps per chunk (null or 0: off, the default). Only the chunk
   * boundaries are kept for the backward, each chunk's intermediates are recomputed
   * (≈ one more forward). Sequences no longer than one chunk run unchunked.
   */
  readonly checkpoint?: number | null;
}

/** Validates a checkpoint value (null, 0 or a positive integer); returns the chunk length or null (off). */
export function checkpointChunk(value: unknown, name: string, fn: string): number | null {
  if (value === null || value === undefined || value === 0) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(
      `'${name}' passed to '${fn}' must be null, 0 (off) or a positive integer (steps per chunk), got ${describe(value)}`,
    );
  }
  return value;
}

/** One layer over the whole sequence: every h (time-major; null when not asked for), the final h and (LSTM) c. */
interface LayerRun {
  readonly hs: tf.Tensor2D | null;
  readonly h: tf.Tensor2D;
  readonly c: tf.Tensor2D | null;
}

function runLayer(
  cell: RecurrentCell,
  xs: tf.Tensor2D,
  steps: number,
  batch: number,
  mode: ProductMode,
  path: RecurrentPath,
  chunk: number | null,
  needHs: boolean,
): LayerRun {
  const sequence = path === 'webgpu' ? webgpuSequence : undefined;
  if (chunk !== null && chunk < steps) {
    if (path !== 'plain') {
      // Each chunk is one whole-sequence op, recomputed in the backward.
      const run = (xc: tf.Tensor2D, len: number, b: number, st: readonly tf.Tensor2D[]) => {
        const r = runKernelLayer(cell, xc, len, b, mode, st, sequence);
        return { hs: [r.hs], state: r.c === null ? [r.h] : [r.h, r.c] };
      };
      const params = cell.namedWeights().map((w) => w.variable);
      const r = checkpointedSequence(run, xs, steps, batch, cell.hiddenSize, cell.kind === 'lstm' ? 2 : 1, params, {
        chunkSize: chunk,
      });
      return { hs: r.hs, h: r.state[0]!, c: r.state[1] ?? null };
    }
    const r = runSequenceCheckpointed(cell, xs, steps, batch, mode, { chunkSize: chunk });
    return { hs: r.hs, h: r.state[0]!, c: r.state[1] ?? null };
  }
  if (path !== 'plain') return runKernelLayer(cell, xs, steps, batch, mode, undefined, sequence);
  const { hs, c } = cell.runSequence(xs, steps, batch, mode);
  const all = !needHs ? null : steps === 1 ? hs[0]! : (tf.concat(hs, 0) as tf.Tensor2D);
  return { hs: all, h: hs[steps - 1]!, c };
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
    const path = opts.path ?? 'auto';
    assertOneOf(path, PATH_CHOICES, 'path', fn);
    const chunk = checkpointChunk(opts.checkpoint, 'checkpoint', fn);
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
        const last = l === this.cells.length - 1;
        const r = runLayer(
          cell,
          xs,
          steps,
          batch,
          mode,
          chooseRecurrentPath(cell, mode, path),
          chunk,
          !last || wantOutputs,
        );
        hLast.push(r.h);
        if (r.c !== null) cLast.push(r.c);
        if (r.hs !== null) {
          xs = r.hs;
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
    return this.cells.flatMap((c, l) =>
      c.namedWeights().map((w) => ({ name: `cell${l}.${w.name}`, variable: w.variable })),
    );
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
  if (steps === 0)
    throw new Error(
      `'x' passed to '${fn}' is a sequence of length 0 (shape ${shapeString(x.shape)}); need at least one step`,
    );
  if (batch === 0) throw new Error(`'x' passed to '${fn}' has an empty batch (shape ${shapeString(x.shape)})`);
  if (width !== inputSize) {
    throw new Error(
      `'x' passed to '${fn}' must have ${inputSize} features per step (the input size), got shape ${shapeString(x.shape)}`,
    );
  }
}
