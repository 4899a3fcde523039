/**
 * The two models of the paper on top of the RNN:
 * - sequence classifier: last hidden state of the last layer → head → log-softmax;
 * - speaker encoder: last hidden state → head H→E → ReLU → L2 normalise, plus
 *   the GE2E similarity scale w (10) and offset b (−5) as trainable scalars.
 * TT models get a TT head autoShape(H, d) → autoShape(K, d) with the cells'
 * rank and a bias (1e-3); dense models a dense head (U(±1/√H)).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@ttrnn/random';
import { ttMatrixShape } from '@ttrnn/tt';
import { createCell } from './cell_factory.js';
import { Linear, ownVariable } from './linear.js';
import type { LinearMap, NamedVariable } from './linear_map.js';
import type { ModelConfig } from './model_config.js';
import { validateModelConfig } from './model_config.js';
import type { RecurrentCell } from './recurrent_cell.js';
import { RNN, checkSequence } from './rnn.js';
import { TTLinear } from './tt_linear.js';

/** Initial GE2E similarity scale and offset (the original's values). */
export const GE2E_INIT = { w: 10, b: -5 } as const;
export const GE2E_W_NAME = 'ge2e.w';
export const GE2E_B_NAME = 'ge2e.b';

export interface SequenceModel {
  readonly config: Required<ModelConfig>;
  /** x: [batch, steps, features] → classifier: log-probabilities [batch, K]; speaker: unit embeddings [batch, E]. */
  apply(x: tf.Tensor3D): tf.Tensor2D;
  /** Every trainable variable, in a stable order: `rnn.cell{ℓ}.…`, `head.…`, then `ge2e.w`, `ge2e.b` (speaker). */
  namedWeights(): ReadonlyArray<NamedVariable>;
  paramCount(): number;
  dispose(): void;
}

/** The parts a model is made of; `createModel` and the loaders assemble them. */
export interface ModelParts {
  readonly rnn: RNN;
  readonly head: LinearMap;
  /** Speaker encoder only: the GE2E scale and offset (scalars). */
  readonly ge2e?: { readonly w: tf.Variable; readonly b: tf.Variable };
}

/** Backends whose tensors can be read synchronously (the webgpu/webgl ones would need a GPU round trip). */
const SYNC_READ_BACKENDS: ReadonlySet<string> = new Set(['cpu', 'wasm', 'tensorflow']);

/**
 * The rule for non-finite input: `apply` refuses a NaN or ±Infinity anywhere in `x`, naming the first
 * one. Left through, a NaN makes the output NaN and an Infinity saturates the gates into a finite but
 * meaningless output. The check is one reduction and one scalar read; on backends without synchronous
 * reads (webgpu, webgl) it is skipped (there the caller checks its data).
 */
function checkFinite(x: tf.Tensor3D, fn: string): void {
  if (!SYNC_READ_BACKENDS.has(tf.getBackend())) return;
  // x − x is 0 for a finite value and NaN for NaN and ±Infinity, so the sum is finite iff x is.
  const s = tf.tidy(() => tf.sum(tf.sub(x, x)));
  const finite = Number.isFinite(s.dataSync()[0]);
  s.dispose();
  if (finite) return;
  const values = x.dataSync();
  const i = values.findIndex((v) => !Number.isFinite(v));
  const [, steps, width] = x.shape;
  throw new Error(
    `'x' passed to '${fn}' must hold finite numbers, got ${values[i]} at [${Math.floor(i / (steps * width))}, ${Math.floor(i / width) % steps}, ${i % width}] ` +
      `(NaN or ±Infinity input has no meaningful output)`,
  );
}

class BaseModel implements SequenceModel {
  readonly config: Required<ModelConfig>;
  readonly rnn: RNN;
  readonly head: LinearMap;
  private disposed = false;

  constructor(config: Required<ModelConfig>, parts: ModelParts) {
    this.config = config;
    this.rnn = parts.rnn;
    this.head = parts.head;
  }

  /** The last layer's final hidden state [batch, H]. */
  protected lastHidden(x: tf.Tensor3D, fn: string): tf.Tensor2D {
    this.checkLive(fn);
    if (Array.isArray(x)) {
      throw new Error(
        `'x' passed to '${fn}' must be a rank-3 tensor [batch, steps, ${this.config.inputSize}], got a plain array (wrap it: tf.tensor3d(x))`,
      );
    }
    checkSequence(x, this.config.inputSize, fn);
    if (x.isDisposed) throw new Error(`'x' passed to '${fn}' is a disposed tensor`);
    checkFinite(x, fn);
    const { mode, path, checkpoint } = this.config;
    const r = this.rnn.run(x, { mode, path, checkpoint, outputs: false });
    const h = r.hLast[r.hLast.length - 1]!;
    tf.dispose([...r.hLast.filter((t) => t !== h), ...(r.cLast ?? [])]);
    return h;
  }

  protected headOf(h: tf.Tensor2D): tf.Tensor2D {
    return this.head.apply(h, this.head.chooseMethod(h.shape[0], 1, this.config.mode));
  }

  apply(x: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => tf.logSoftmax(this.headOf(this.lastHidden(x, 'SequenceClassifier.apply'))));
  }

  /** Throws once the model is disposed (its variables are gone). */
  protected checkLive(fn: string): void {
    if (this.disposed)
      throw new Error(
        `'${fn}' called on a disposed model (dispose() released its weights); create or load the model again`,
      );
  }

  namedWeights(): ReadonlyArray<NamedVariable> {
    this.checkLive('SequenceModel.namedWeights');
    return [
      ...this.rnn.namedWeights().map((w) => ({ name: `rnn.${w.name}`, variable: w.variable })),
      ...this.head.namedWeights().map((w) => ({ name: `head.${w.name}`, variable: w.variable })),
    ];
  }

  paramCount(): number {
    return this.namedWeights().reduce((s, w) => s + w.variable.size, 0);
  }

  /** Releases the weights; a second call does nothing, and apply afterwards is an error. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.rnn.dispose();
    this.head.dispose();
  }
}

export class SequenceClassifier extends BaseModel {}

export class SpeakerEncoder extends BaseModel {
  readonly ge2e: { readonly w: tf.Variable; readonly b: tf.Variable };

  constructor(config: Required<ModelConfig>, parts: ModelParts) {
    super(config, parts);
    if (parts.ge2e === undefined) throw new Error(`'parts' passed to 'SpeakerEncoder' must include the GE2E scalars`);
    this.ge2e = parts.ge2e;
  }

  /**
   * Porting note: the original divides by the norm alone; a tiny floor keeps
   * an all-zero ReLU output from turning into NaN (it never changes a
   * non-degenerate embedding in float32).
   */
  override apply(x: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const e = tf.relu(this.headOf(this.lastHidden(x, 'SpeakerEncoder.apply')));
      const norm = tf.sqrt(tf.sum(tf.square(e), 1, true));
      return tf.div(e, tf.maximum(norm, 1e-12));
    });
  }

  override namedWeights(): ReadonlyArray<NamedVariable> {
    return [
      ...super.namedWeights(),
      { name: GE2E_W_NAME, variable: this.ge2e.w },
      { name: GE2E_B_NAME, variable: this.ge2e.b },
    ];
  }

  override dispose(): void {
    if (this.ge2e.w.isDisposed) return;
    super.dispose();
    this.ge2e.w.dispose();
    this.ge2e.b.dispose();
  }
}

/** Assembles a model from parts (takes ownership); used by createModel, loadModel and compression. */
export function assembleModel(config: ModelConfig, parts: ModelParts): SequenceModel {
  const c = validateModelConfig(config, 'assembleModel');
  return c.task === 'speaker' ? new SpeakerEncoder(c, parts) : new SequenceClassifier(c, parts);
}

/**
 * A freshly initialised model. The same config and seed give the same
 * weights (layers, then the head, drawn from one seeded stream).
 */
export function createModel(config: ModelConfig, seed: number): SequenceModel {
  const c = validateModelConfig(config, 'createModel');
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new Error(`'seed' passed to 'createModel' must be a finite number, got ${String(seed)}`);
  }
  const rng = new Rng(seed);
  const cells: RecurrentCell[] = [];
  let head: LinearMap | null = null;
  try {
    for (let l = 0; l < c.layers; l++) {
      cells.push(
        createCell(
          { cell: c.cell, inputSize: l === 0 ? c.inputSize : c.hiddenSize, hiddenSize: c.hiddenSize, tt: c.tt },
          rng,
        ),
      );
    }
    head =
      c.tt === null
        ? Linear.init({ inputSize: c.hiddenSize, outputSize: c.outputSize }, rng)
        : TTLinear.init(ttMatrixShape(c.hiddenSize, c.outputSize, c.tt.cores, c.tt.rank), rng, true);
    const ge2e =
      c.task === 'speaker'
        ? { w: ownVariable(tf.scalar(GE2E_INIT.w)), b: ownVariable(tf.scalar(GE2E_INIT.b)) }
        : undefined;
    return assembleModel(c, { rnn: new RNN(cells), head, ...(ge2e ? { ge2e } : {}) });
  } catch (err) {
    for (const cell of cells) cell.dispose();
    head?.dispose();
    throw err;
  }
}
