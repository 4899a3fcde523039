/**
 * A dense layer whose weight matrix is a TT matrix: y = x·W + b, W [N, units] held as cores
 * [r_k, m_k, n_k, r_{k+1}] with modes autoShape(N, d) → autoShape(units, d) (the TT head of the
 * paper's classifier). The product is @ttrnn/cells' TTLinear over the layer's weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TTLinear } from '@ttrnn/cells';
import type { LinearMap, ProductMode } from '@ttrnn/cells';
import { ttMatrixShape } from '@ttrnn/tt';
import type { Kwargs, LayerArgs, Shape } from './layer_util.js';
import {
  adoptWeights,
  booleanOf,
  describe,
  named,
  oneShape,
  oneTensor,
  positiveInt,
  productMode,
  rejectMask,
  seedOf,
} from './layer_util.js';
import { linearMapOver, lookupIn } from './weights_over.js';

export interface TTDenseArgs extends LayerArgs {
  /** Output size M. */
  readonly units: number;
  /** d: TT cores of W. */
  readonly cores: number;
  readonly rank: number;
  /** Default true (initialised to 1e-3, as the original's TTLinear). */
  readonly useBias?: boolean;
  /** How the product is computed: 'auto' (default), 'per-step' (contract the cores) or 'rebuilt' (form W). Same numbers. */
  readonly productMode?: ProductMode;
  /** Seed of the TT-Glorot cores. Default 0. */
  readonly seed?: number;
}

export class TTDense extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'TTDense';
  readonly units: number;
  readonly cores: number;
  readonly rank: number;
  readonly useBias: boolean;
  readonly productMode: ProductMode;
  readonly seed: number;
  private map: LinearMap | null = null;
  private names: string[] = [];

  constructor(args: TTDenseArgs) {
    const fn = 'TTDense';
    if (typeof args !== 'object' || args === null)
      throw new Error(`'args' passed to '${fn}' must be an object {units, cores, rank, …}, got ${describe(args)}`);
    super(args);
    this.units = positiveInt(args.units, 'units', fn);
    this.cores = positiveInt(args.cores, 'cores', fn);
    this.rank = positiveInt(args.rank, 'rank', fn);
    this.useBias = booleanOf(args.useBias, true, 'useBias', fn);
    this.productMode = productMode(args.productMode, fn);
    this.seed = seedOf(args.seed, fn);
  }

  /** The @ttrnn/cells name of each weight (`bias`, `parameters.0`, …), in the order of `this.weights`. */
  get cellWeightNames(): readonly string[] {
    return this.names;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = oneShape(inputShape, this.name);
    const n = shape[shape.length - 1];
    if (shape.length < 2 || typeof n !== 'number') {
      throw new Error(
        `layer '${this.name}' expects input of shape [batch, …, features] with known features, got [${shape.join(', ')}]`,
      );
    }
    const template = TTLinear.init(
      named(this.name, () => ttMatrixShape(n, this.units, this.cores, this.rank)),
      this.seed,
      this.useBias,
    );
    try {
      const { vars, names } = adoptWeights(template.namedWeights(), (name, s) =>
        this.addWeight(name, s, 'float32', tfl.initializers.zeros()),
      );
      this.names = names;
      this.map = linearMapOver(template, lookupIn(vars, this.name));
    } finally {
      template.dispose();
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = oneShape(inputShape, this.name);
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    rejectMask(kwargs, this.name);
    const map = this.map;
    if (map === null) throw new Error(`layer '${this.name}' is called before it is built`);
    return tf.tidy(() =>
      named(this.name, () => {
        const x = oneTensor(inputs, this.name);
        // Leading dimensions are flattened into rows, as tf.layers.dense does for rank > 2.
        const rows = tf.reshape(x, [-1, map.inputSize]) as tf.Tensor2D;
        const y = map.apply(rows, map.chooseMethod(rows.shape[0], 1, this.productMode));
        return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), this.units]);
      }),
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      units: this.units,
      cores: this.cores,
      rank: this.rank,
      useBias: this.useBias,
      productMode: this.productMode,
      seed: this.seed,
      ...super.getConfig(),
    };
  }
}

tf.serialization.registerClass(TTDense);

export function ttDense(args: TTDenseArgs): TTDense {
  return new TTDense(args);
}
