/**
 * TT-LSTM, TT-GRU and the original's dense LSTM and GRU as tf.layers RNN cells, for
 * `tf.layers.rnn({ cell })`: one time step from any state, so tfjs's RNN layer adds what the
 * whole-sequence layers (recurrent.ts) leave out: `stateful`, `goBackwards`, masking, `returnState`. The step is @ttrnn/cells' recurrence of the cell
 * (`cellRecurrence`: the same equations as LSTMCell / GRUCell), over the cell's own weights.
 *
 * The difference from the whole-sequence layers: tfjs's RNN runs the input product step by step,
 * where they run it once per sequence (on wasm, as one WebAssembly kernel op per layer and pass).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { cellRecurrence } from '@ttrnn/cells';
import type { CellKind, ChunkRunner, ProductMode, TTLayout } from '@ttrnn/cells';
import type { ExtraCore } from '@ttrnn/tt';
import type { Kwargs, LayerArgs, Shape } from './layer_util.js';
import { cellSettings, named, oneShape, ttConfig } from './layer_util.js';
import { argsOf, ttOf } from './recurrent.js';
import { cellWithLayerWeights } from './weights_over.js';

/** Options of every RNN cell of this package. */
export interface RNNCellArgs extends LayerArgs {
  /** Hidden size H. */
  readonly units: number;
  /** How TT products are computed: 'auto' (default), 'per-step' (as the original) or 'rebuilt'. Same numbers. */
  readonly productMode?: ProductMode;
  /** Seed of the initial weights (as `createCell`). Default 0. */
  readonly seed?: number;
}

/** Options of the TT-LSTM and TT-GRU cells. */
export interface TTRNNCellArgs extends RNNCellArgs {
  readonly cores: number;
  readonly rank: number;
  readonly extraCore?: ExtraCore;
  readonly naive?: boolean;
}

/** The common part of the four RNN cells. */
export abstract class CellStep extends tfl.layers.RNNCell {
  readonly cellKind: CellKind;
  readonly units: number;
  readonly tt: Required<TTLayout> | null;
  readonly productMode: ProductMode;
  readonly seed: number;
  /** [units] (GRU: h) or [units, units] (LSTM: h, c), as tfjs's own cells. */
  stateSize: number | number[];
  private step: { run: ChunkRunner; params: tf.Variable[] } | null = null;
  private names: string[] = [];

  protected constructor(args: RNNCellArgs, cellKind: CellKind, tt: TTLayout | null, fn: string) {
    super(args);
    const s = cellSettings(args, cellKind, tt, fn);
    this.cellKind = s.cellKind;
    this.units = s.units;
    this.tt = s.tt;
    this.productMode = s.productMode;
    this.seed = s.seed;
    this.stateSize = cellKind === 'lstm' ? [this.units, this.units] : this.units;
  }

  /** The @ttrnn/cells name of each weight, in the order of `this.weights`. */
  get cellWeightNames(): readonly string[] {
    return this.names;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = oneShape(inputShape, this.name);
    const features = shape[shape.length - 1];
    if (typeof features !== 'number')
      throw new Error(`layer '${this.name}' needs a known number of input features, got [${shape.join(', ')}]`);
    const { cell, names } = cellWithLayerWeights(
      { cell: this.cellKind, inputSize: features, hiddenSize: this.units, tt: this.tt },
      this.seed,
      this.name,
      (name, s) => this.addWeight(name, s, 'float32', tfl.initializers.zeros()),
    );
    this.names = names;
    const { run, params } = cellRecurrence(cell, this.productMode);
    this.step = { run, params };
    this.built = true;
  }

  /** [x, h] (GRU) or [x, h, c] (LSTM) → [h', h'] or [h', h', c']. */
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor[] {
    const step = this.step;
    if (step === null) throw new Error(`layer '${this.name}' is called before it is built`);
    const states = this.cellKind === 'lstm' ? 2 : 1;
    if (!Array.isArray(inputs) || inputs.length !== 1 + states) {
      throw new Error(
        `layer '${this.name}' takes [input, ${this.cellKind === 'lstm' ? 'h, c' : 'h'}], got ${Array.isArray(inputs) ? inputs.length : 1} tensors`,
      );
    }
    return tf.tidy(() =>
      named(this.name, () => {
        const [x, ...state] = inputs as tf.Tensor2D[];
        const r = step.run(x!, 1, x!.shape[0], state, step.params);
        return [r.hs[0]!, ...r.state];
      }),
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config = { units: this.units, productMode: this.productMode, seed: this.seed, ...ttConfig(this.tt) };
    return { ...config, ...super.getConfig() };
  }
}

/** One TT-LSTM step, for `tf.layers.rnn({ cell })`. */
export class TTLSTMCell extends CellStep {
  /** @nocollapse */
  static className = 'TTLSTMCell';
  constructor(args: TTRNNCellArgs) {
    super(args, 'lstm', ttOf(args, 'TTLSTMCell'), 'TTLSTMCell');
  }
}

/** One TT-GRU step (reset after the recurrent product), for `tf.layers.rnn({ cell })`. */
export class TTGRUCell extends CellStep {
  /** @nocollapse */
  static className = 'TTGRUCell';
  constructor(args: TTRNNCellArgs) {
    super(args, 'gru', ttOf(args, 'TTGRUCell'), 'TTGRUCell');
  }
}

/** One step of the original's dense LSTM (sigmoid gates, one bias), for `tf.layers.rnn({ cell })`. */
export class DenseLSTMCell extends CellStep {
  /** @nocollapse */
  static className = 'DenseLSTMCell';
  constructor(args: RNNCellArgs) {
    super(argsOf(args, 'DenseLSTMCell'), 'lstm', null, 'DenseLSTMCell');
  }
}

/** One step of the original's dense GRU (reset after the recurrent product), for `tf.layers.rnn({ cell })`. */
export class DenseGRUCell extends CellStep {
  /** @nocollapse */
  static className = 'DenseGRUCell';
  constructor(args: RNNCellArgs) {
    super(argsOf(args, 'DenseGRUCell'), 'gru', null, 'DenseGRUCell');
  }
}

tf.serialization.registerClass(TTLSTMCell);
tf.serialization.registerClass(TTGRUCell);
tf.serialization.registerClass(DenseLSTMCell);
tf.serialization.registerClass(DenseGRUCell);

export function ttLstmCell(args: TTRNNCellArgs): TTLSTMCell {
  return new TTLSTMCell(args);
}
export function ttGruCell(args: TTRNNCellArgs): TTGRUCell {
  return new TTGRUCell(args);
}
export function denseLstmCell(args: RNNCellArgs): DenseLSTMCell {
  return new DenseLSTMCell(args);
}
export function denseGruCell(args: RNNCellArgs): DenseGRUCell {
  return new DenseGRUCell(args);
}
