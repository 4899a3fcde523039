/**
 * TT-LSTM, TT-GRU and the original's dense LSTM and GRU as tf.layers recurrent layers.
 *
 * Each layer is a whole-sequence layer, [batch, steps, features] → [batch, units] (or every step's
 * hidden state with `returnSequences`), that runs the @ttrnn/cells `RNN` over its own weights. The
 * gate equations, the TT products and the fast paths (input product once per sequence, the
 * WebAssembly kernel on wasm, per-step contraction or rebuilt W) are those of @ttrnn/cells, so a layer gives the
 * same numbers as the cells model with the same weights.
 *
 * Porting notes (against tf.layers.lstm / tf.layers.gru): the recurrent activation is the sigmoid
 * (tfjs defaults to hardSigmoid); the GRU applies the reset gate after the recurrent product
 * (tfjs supports only reset-before); the dense LSTM has one bias (on the hidden-to-hidden map) as
 * the original. h0 = c0 = 0; no masking, no initial state, not stateful, not reversible.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { EXTRA_CORES, RNN, checkpointChunk } from '@ttrnn/cells';
import type { CellKind, ProductMode, TTLayout } from '@ttrnn/cells';
import type { ExtraCore } from '@ttrnn/tt';
import type { Kwargs, LayerArgs, Shape } from './layer_util.js';
import {
  booleanOf,
  cellSettings,
  describe,
  named,
  oneShape,
  oneTensor,
  positiveInt,
  rejectMask,
  ttConfig,
} from './layer_util.js';
import { cellWithLayerWeights } from './weights_over.js';

/** Options of every recurrent layer of this package. */
export interface RecurrentLayerArgs extends LayerArgs {
  /** Hidden size H. */
  readonly units: number;
  /** Output every step's hidden state [batch, steps, units] instead of the last one [batch, units]. Default false. */
  readonly returnSequences?: boolean;
  /** How TT products are computed: 'auto' (default), 'per-step' (as the original) or 'rebuilt'. Same numbers. */
  readonly productMode?: ProductMode;
  /** Gradient checkpointing: steps per recomputed chunk; null or 0 (default) off. Same numbers, less memory. */
  readonly checkpoint?: number | null;
  /** Seed of the initial weights (TT-Glorot cores, U(±1/√fan_in) dense weights, TT biases 1e-3). Default 0. */
  readonly seed?: number;
}

/** Options of TT-LSTM and TT-GRU: the recurrent options and the TT layout of both weight matrices. */
export interface TTRecurrentLayerArgs extends RecurrentLayerArgs {
  /** d: TT cores of each weight matrix (d + 1 with an extra gate core). */
  readonly cores: number;
  readonly rank: number;
  /** Gate core placement: 'none' (default), 'first' or 'last' (see @ttrnn/cells). */
  readonly extraCore?: ExtraCore;
  /** One TT matrix per gate (the original's naive layout). Default false. */
  readonly naive?: boolean;
}

/** The common part of the four recurrent layers. */
export abstract class CellLayer extends tfl.layers.Layer {
  readonly cellKind: CellKind;
  readonly units: number;
  /** The TT layout, or null for the dense cells. */
  readonly tt: Required<TTLayout> | null;
  readonly returnSequences: boolean;
  readonly productMode: ProductMode;
  readonly checkpoint: number | null;
  readonly seed: number;
  private rnn: RNN | null = null;
  private names: string[] = [];

  protected constructor(args: RecurrentLayerArgs, cellKind: CellKind, tt: TTLayout | null, fn: string) {
    super(args);
    const s = cellSettings(args, cellKind, tt, fn);
    this.cellKind = s.cellKind;
    this.units = s.units;
    this.tt = s.tt;
    this.returnSequences = booleanOf(args.returnSequences, false, 'returnSequences', fn);
    this.productMode = s.productMode;
    this.checkpoint = checkpointChunk(args.checkpoint, 'checkpoint', fn);
    this.seed = s.seed;
  }

  /** The @ttrnn/cells name of each weight (`input_weights.parameters.0`, …), in the order of `this.weights`. */
  get cellWeightNames(): readonly string[] {
    return this.names;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = oneShape(inputShape, this.name);
    const features = shape[2];
    if (shape.length !== 3 || typeof features !== 'number') {
      throw new Error(
        `layer '${this.name}' expects input of shape [batch, steps, features] with known features, got [${shape.join(', ')}]`,
      );
    }
    const { cell, names } = cellWithLayerWeights(
      { cell: this.cellKind, inputSize: features, hiddenSize: this.units, tt: this.tt },
      this.seed,
      this.name,
      (name, s) => this.addWeight(name, s, 'float32', tfl.initializers.zeros()),
    );
    this.names = names;
    this.rnn = new RNN([cell]);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = oneShape(inputShape, this.name);
    return this.returnSequences ? [shape[0] ?? null, shape[1] ?? null, this.units] : [shape[0] ?? null, this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    rejectMask(kwargs, this.name);
    const rnn = this.rnn;
    if (rnn === null) throw new Error(`layer '${this.name}' is called before it is built`);
    return tf.tidy(() =>
      named(this.name, () => {
        const x = oneTensor(inputs, this.name) as tf.Tensor3D;
        const r = rnn.run(x, { mode: this.productMode, checkpoint: this.checkpoint, outputs: this.returnSequences });
        return this.returnSequences ? r.outputs! : r.hLast[0]!;
      }),
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      units: this.units,
      returnSequences: this.returnSequences,
      productMode: this.productMode,
      checkpoint: this.checkpoint,
      seed: this.seed,
      ...ttConfig(this.tt),
    };
    return { ...config, ...super.getConfig() };
  }
}

/** The TT layout of TT layer options; errors name `fn`. */
export function ttOf(
  args: { cores: number; rank: number; extraCore?: ExtraCore; naive?: boolean },
  fn: string,
): TTLayout {
  if (typeof args !== 'object' || args === null)
    throw new Error(`'args' passed to '${fn}' must be an object {units, cores, rank, …}, got ${describe(args)}`);
  const extraCore = args.extraCore ?? 'none';
  if (!EXTRA_CORES.includes(extraCore)) {
    throw new Error(
      `'extraCore' passed to '${fn}' must be one of ${EXTRA_CORES.map((e) => `'${e}'`).join(', ')}, got ${describe(args.extraCore)}`,
    );
  }
  return {
    cores: positiveInt(args.cores, 'cores', fn),
    rank: positiveInt(args.rank, 'rank', fn),
    extraCore,
    naive: args.naive ?? false,
  };
}

/** Checks that the options are an object; errors name `fn`. */
export function argsOf<A>(args: A, fn: string): A {
  if (typeof args !== 'object' || args === null)
    throw new Error(`'args' passed to '${fn}' must be an object {units, …}, got ${describe(args)}`);
  return args;
}

/** TT-LSTM: both weight matrices (input-to-hidden and hidden-to-hidden, gates [i|f|g|o] stacked) in TT format. */
export class TTLSTM extends CellLayer {
  /** @nocollapse */
  static className = 'TTLSTM';
  constructor(args: TTRecurrentLayerArgs) {
    super(args, 'lstm', ttOf(args, 'TTLSTM'), 'TTLSTM');
  }
}

/** TT-GRU: both weight matrices (gates [r|z|n] stacked) in TT format; reset after the recurrent product. */
export class TTGRU extends CellLayer {
  /** @nocollapse */
  static className = 'TTGRU';
  constructor(args: TTRecurrentLayerArgs) {
    super(args, 'gru', ttOf(args, 'TTGRU'), 'TTGRU');
  }
}

/** The original's dense LSTM (sigmoid gates, one bias on the hidden-to-hidden map). */
export class DenseLSTM extends CellLayer {
  /** @nocollapse */
  static className = 'DenseLSTM';
  constructor(args: RecurrentLayerArgs) {
    super(argsOf(args, 'DenseLSTM'), 'lstm', null, 'DenseLSTM');
  }
}

/** The original's dense GRU (reset after the recurrent product, biases on both maps). */
export class DenseGRU extends CellLayer {
  /** @nocollapse */
  static className = 'DenseGRU';
  constructor(args: RecurrentLayerArgs) {
    super(argsOf(args, 'DenseGRU'), 'gru', null, 'DenseGRU');
  }
}

tf.serialization.registerClass(TTLSTM);
tf.serialization.registerClass(TTGRU);
tf.serialization.registerClass(DenseLSTM);
tf.serialization.registerClass(DenseGRU);

/** `tf.layers`-style factories. */
export function ttLstm(args: TTRecurrentLayerArgs): TTLSTM {
  return new TTLSTM(args);
}
export function ttGru(args: TTRecurrentLayerArgs): TTGRU {
  return new TTGRU(args);
}
export function denseLstm(args: RecurrentLayerArgs): DenseLSTM {
  return new DenseLSTM(args);
}
export function denseGru(args: RecurrentLayerArgs): DenseGRU {
  return new DenseGRU(args);
}
