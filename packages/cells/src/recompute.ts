/**
 * A memory-saving backward for long sequences: gradient checkpointing over chunks of time steps.
 *
 * The ordinary backward keeps every intermediate of every step (about 9 MiB per step for an LSTM
 * at batch 128, hidden 256), so 784-step permuted-pixel MNIST does not fit the wasm heap (4 GiB).
 * Here the sequence is cut into chunks of `chunkSize` steps; each chunk is one `tf.customGrad`
 * op whose forward keeps only its inputs (the chunk's inputs, its initial state, the parameters)
 * and whose gradient recomputes the chunk under `tf.grads` and back-propagates through it. Peak
 * memory becomes (all chunk outputs) + (one chunk's intermediates); time grows by one extra
 * forward (about +30–40% of a training step). chunkSize ≈ √steps balances the two terms.
 *
 * The recurrence is given as a function that runs a chunk from a state (`ChunkRunner`), so the
 * same code serves any cell; `lstmChunkRunner` / `gruChunkRunner` build one from a cell's two
 * weight maps with exactly the gate equations of LSTMCell / GRUCell (tests check the outputs
 * against `cell.runSequence` and the gradients against the ordinary backward).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ProductMode } from './linear_map.js';
import type { RecurrentCell } from './recurrent_cell.js';
import { nestedGrads } from './nested_grads.js';

/**
 * Runs `len` steps of a recurrence from `state` over time-major inputs `xs` [len·batch, F] (rows
 * t·batch … t·batch + batch − 1 are step t). Returns every hidden state and the final state.
 * Every tensor it reads must come from its arguments, or be a `tf.Variable` listed in `params`
 * (variables are read in place; other tensors are recomputed from the saved arguments).
 */
export type ChunkRunner = (
  xs: tf.Tensor2D,
  len: number,
  batch: number,
  state: readonly tf.Tensor2D[],
  params: readonly tf.Tensor[],
) => { hs: tf.Tensor2D[]; state: tf.Tensor2D[] };

export interface CheckpointOptions {
  /** Steps per chunk (default ⌈√steps⌉). */
  readonly chunkSize?: number;
  /** The state at step 0 (default zeros, `stateCount` tensors of [batch, hidden]). */
  readonly initialState?: readonly tf.Tensor2D[];
}

export interface CheckpointedResult {
  /** Every hidden state, time-major [steps·batch, H] (the layout the RNN feeds to the next layer). */
  readonly hs: tf.Tensor2D;
  /** The final state (LSTM: [h, c]; GRU: [h]). */
  readonly state: tf.Tensor2D[];
}

/** The default chunk length: ⌈√steps⌉ minimises stored outputs + one chunk's intermediates. */
export function defaultChunkSize(steps: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(steps)));
}

function checkInt(v: unknown, name: string, fn: string, min = 1): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(`'${name}' passed to '${fn}' must be an integer ≥ ${min}, got ${String(v)}`);
  }
}

/**
 * Runs a recurrence over a whole sequence with a checkpointed backward. Differentiable with
 * respect to `xs`, the initial state and every tensor of `params` (pass all trainable variables
 * the runner reads: a variable read but not listed gets no gradient).
 *
 * @param run the chunk runner (e.g. `lstmChunkRunner(cell)`).
 * @param xs time-major inputs [steps·batch, F].
 * @param stateCount number of state tensors (LSTM 2, GRU 1), each [batch, hidden].
 */
export function checkpointedSequence(
  run: ChunkRunner,
  xs: tf.Tensor2D,
  steps: number,
  batch: number,
  hidden: number,
  stateCount: number,
  params: readonly tf.Tensor[],
  options: CheckpointOptions = {},
): CheckpointedResult {
  const fn = 'checkpointedSequence';
  checkInt(steps, 'steps', fn);
  checkInt(batch, 'batch', fn);
  checkInt(hidden, 'hidden', fn);
  checkInt(stateCount, 'stateCount', fn);
  if (!(xs instanceof tf.Tensor) || xs.rank !== 2 || xs.shape[0] !== steps * batch) {
    throw new Error(
      `'xs' passed to '${fn}' must be a time-major rank-2 tensor [steps·batch = ${steps * batch}, F], got ` +
        (xs instanceof tf.Tensor ? `shape [${xs.shape.join(', ')}]` : String(xs)),
    );
  }
  const chunkSize = options.chunkSize ?? defaultChunkSize(steps);
  checkInt(chunkSize, 'options.chunkSize', fn);
  const init = options.initialState;
  if (init !== undefined) {
    if (init.length !== stateCount || init.some((s) => s.rank !== 2 || s.shape[0] !== batch || s.shape[1] !== hidden)) {
      throw new Error(
        `'options.initialState' passed to '${fn}' must be ${stateCount} tensors of shape [${batch}, ${hidden}]`,
      );
    }
  }
  const lens: number[] = [];
  for (let t = 0; t < steps; t += chunkSize) lens.push(Math.min(chunkSize, steps - t));

  // Outputs and state travel through each chunk op as one tensor [(len + S)·batch, H].
  const pack = (out: { hs: tf.Tensor2D[]; state: tf.Tensor2D[] }): tf.Tensor2D =>
    tf.concat([...out.hs, ...out.state], 0);
  const isVariable = params.map((p) => p instanceof tf.Variable);

  return tf.tidy(() => {
    const xChunks =
      lens.length === 1
        ? [xs]
        : (tf.split(
            xs,
            lens.map((l) => l * batch),
            0,
          ) as tf.Tensor2D[]);
    let state: tf.Tensor2D[] =
      init !== undefined ? [...init] : Array.from({ length: stateCount }, () => tf.zeros([batch, hidden]));
    const hsParts: tf.Tensor2D[] = [];
    lens.forEach((len, k) => {
      const chunkOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const save = args[args.length - 1] as tf.GradSaveFunc;
        const ins = args.slice(0, -1) as tf.Tensor[];
        const xc = ins[0] as tf.Tensor2D;
        const st = ins.slice(1, 1 + stateCount) as tf.Tensor2D[];
        const ps = ins.slice(1 + stateCount);
        // Variables are read in place at recompute time; everything else is saved.
        save([xc, ...st, ...ps.filter((_, i) => !isVariable[i])]);
        const value = pack(run(xc, len, batch, st, ps));
        const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
          const xS = saved[0] as tf.Tensor2D;
          const stS = saved.slice(1, 1 + stateCount) as tf.Tensor2D[];
          let j = 1 + stateCount;
          const psS = params.map((p, i) => (isVariable[i] ? p : saved[j++]!));
          const recompute = (...a: tf.Tensor[]) =>
            pack(
              run(
                a[0] as tf.Tensor2D,
                len,
                batch,
                a.slice(1, 1 + stateCount) as tf.Tensor2D[],
                a.slice(1 + stateCount),
              ),
            );
          return nestedGrads(recompute, [xS, ...stS, ...psS], dy);
        };
        return { value, gradFunc };
      });
      const y = chunkOp(xChunks[k]!, ...state, ...params);
      const parts = tf.split(y, [len * batch, ...state.map(() => batch)], 0) as tf.Tensor2D[];
      hsParts.push(parts[0]!);
      state = parts.slice(1);
    });
    const hs = hsParts.length === 1 ? hsParts[0]! : (tf.concat(hsParts, 0) as tf.Tensor2D);
    return { hs, state };
  });
}

/** The time-major per-step slices of a projection [len·batch, W]. */
function stepsOf(xw: tf.Tensor2D, len: number): tf.Tensor2D[] {
  return len === 1 ? [xw] : (tf.split(xw, len, 0) as tf.Tensor2D[]);
}

/** x·Wx (+ bx) for the whole chunk, with `method` chosen like the cells do. */
function inputProduct(cell: RecurrentCell, xs: tf.Tensor2D, rows: number, mode: ProductMode): tf.Tensor2D {
  const xw = cell.inputWeights.product(xs, cell.inputWeights.chooseMethod(rows, 1, mode));
  const bx = cell.inputWeights.biasVector();
  return bx === null ? xw : tf.add(xw, bx);
}

/** h ↦ h·Wh (no bias): W_h rebuilt once per chunk when the mode asks for it, else contracted. */
function hiddenProduct(
  cell: RecurrentCell,
  batch: number,
  calls: number,
  mode: ProductMode,
): (h: tf.Tensor2D) => tf.Tensor2D {
  const method = cell.hiddenWeights.chooseMethod(batch, calls, mode);
  if (method === 'rebuilt') {
    const wh = cell.hiddenWeights.full();
    return (h) => tf.matMul(h, wh);
  }
  return (h) => cell.hiddenWeights.product(h, 'per-step');
}

/**
 * The chunk runner of an LSTM cell (the equations of LSTMCell): per chunk, one input product
 * for all its steps plus both biases; per step a = xw_t + h·Wh, gate blocks [i | f | g | o],
 * c' = f⊙c + i⊙g, h' = o⊙tanh(c'). With `mode` 'rebuilt' (or 'auto' choosing it) W_h is rebuilt
 * once per chunk (and once more in its recompute), so its gradient reaches the cores through
 * the chunk. Its params are the cell's variables: `cell.namedWeights().map((w) => w.variable)`.
 */
export function lstmChunkRunner(cell: RecurrentCell, mode: ProductMode = 'auto'): ChunkRunner {
  if (cell.kind !== 'lstm')
    throw new Error(`'cell' passed to 'lstmChunkRunner' must be an LSTM cell, got a ${cell.kind} cell`);
  return (xs, len, batch, state) => {
    let xw = inputProduct(cell, xs, len * batch, mode);
    const bh = cell.hiddenWeights.biasVector();
    if (bh !== null) xw = tf.add(xw, bh);
    const hw = hiddenProduct(cell, batch, len, mode);
    let h = state[0]!;
    let c = state[1]!;
    const hs: tf.Tensor2D[] = [];
    for (const xt of stepsOf(xw, len)) {
      const a = tf.add(xt, hw(h));
      const [ip, fp, gp, op] = tf.split(a, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      c = tf.add(tf.mul(tf.sigmoid(fp), c), tf.mul(tf.sigmoid(ip), tf.tanh(gp)));
      h = tf.mul(tf.sigmoid(op), tf.tanh(c));
      hs.push(h);
    }
    return { hs, state: [h, c] };
  };
}

/**
 * The chunk runner of a GRU cell (the equations of GRUCell, reset after the recurrent product):
 * r, z = σ(ax_rz + ah_rz), n = tanh(ax_n + r⊙ah_n), h' = (1 − z)⊙n + z⊙h, with ax and ah
 * including their biases. Params: `cell.namedWeights().map((w) => w.variable)`.
 */
export function gruChunkRunner(cell: RecurrentCell, mode: ProductMode = 'auto'): ChunkRunner {
  if (cell.kind !== 'gru')
    throw new Error(`'cell' passed to 'gruChunkRunner' must be a GRU cell, got a ${cell.kind} cell`);
  const H = cell.hiddenSize;
  return (xs, len, batch, state) => {
    const xw = inputProduct(cell, xs, len * batch, mode);
    const [xrz, xn] = tf.split(xw, [2 * H, H], 1) as [tf.Tensor2D, tf.Tensor2D];
    const xrzSteps = stepsOf(xrz, len);
    const xnSteps = stepsOf(xn, len);
    const bh = cell.hiddenWeights.biasVector();
    const hw = hiddenProduct(cell, batch, len, mode);
    let h = state[0]!;
    const hs: tf.Tensor2D[] = [];
    for (let t = 0; t < len; t++) {
      let ah = hw(h);
      if (bh !== null) ah = tf.add(ah, bh);
      const [ahrz, ahn] = tf.split(ah, [2 * H, H], 1) as [tf.Tensor2D, tf.Tensor2D];
      const [r, z] = tf.split(tf.sigmoid(tf.add(xrzSteps[t]!, ahrz)), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      const n = tf.tanh(tf.add(xnSteps[t]!, tf.mul(r, ahn)));
      h = tf.add(n, tf.mul(z, tf.sub(h, n)));
      hs.push(h);
    }
    return { hs, state: [h] };
  };
}

/** The chunk runner, state count and parameters of a cell, ready for `checkpointedSequence`. */
export function cellRecurrence(
  cell: RecurrentCell,
  mode: ProductMode = 'auto',
): { run: ChunkRunner; stateCount: number; params: tf.Variable[] } {
  const run = cell.kind === 'lstm' ? lstmChunkRunner(cell, mode) : gruChunkRunner(cell, mode);
  return { run, stateCount: cell.kind === 'lstm' ? 2 : 1, params: cell.namedWeights().map((w) => w.variable) };
}

/**
 * `cell.runSequence` with a checkpointed backward: xs time-major [steps·batch, N] → every h
 * (time-major [steps·batch, H]) and the final state, from h0 = c0 = 0. Call inside tf.tidy.
 */
export function runSequenceCheckpointed(
  cell: RecurrentCell,
  xs: tf.Tensor2D,
  steps: number,
  batch: number,
  mode: ProductMode = 'auto',
  options: CheckpointOptions = {},
): CheckpointedResult {
  const { run, stateCount, params } = cellRecurrence(cell, mode);
  return checkpointedSequence(run, xs, steps, batch, cell.hiddenSize, stateCount, params, options);
}
