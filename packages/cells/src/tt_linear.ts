/**
 * A TT matrix with an optional bias: y = x·W + b with W [N, M] held as cores
 * `[r_k, m_k, n_k, r_{k+1}]` (the layout of the original, so its cores load
 * as they are). Cores are TT-Glorot; the bias starts at 1e-3, as in the
 * original's TTLinear (cells and classifier head alike).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@ttrnn/random';
import { glorotTTCores, shapeOfCores, ttFull, ttMatmul, ttParamCount, validateTTShape } from '@ttrnn/tt';
import type { TTMatrixShape } from '@ttrnn/tt';
import { checkRows, ownVariable } from './linear.js';
import type { LinearMap, NamedVariable, ProductMethod, ProductMode } from './linear_map.js';
import { chooseTTMethod } from './product_cost.js';
import { prod, shapeString } from './validate.js';

/**
 * ttMatmul with the core-side work done once: each core is transposed and
 * reshaped to G_k [r_k·n_k, m_k·r_{k+1}] when prepared, so a call issues 6 ops
 * per core instead of 8 (the loop is ttMatmul's: the running tensor is
 * [batch·m_0..m_{k-1}, r_k, n_k..n_{d-1}], step k contracts (r_k, n_k) with
 * G_k). Same numbers as ttMatmul.
 */
export function preparedContraction(
  cores: readonly tf.Tensor4D[],
  shape: TTMatrixShape,
): (x: tf.Tensor2D) => tf.Tensor2D {
  const d = cores.length;
  const dims = cores.map(
    (_, k) => [shape.ranks[k]!, shape.outModes[k]!, shape.inModes[k]!, shape.ranks[k + 1]!] as const,
  );
  const g = cores.map((c, k) => {
    const [rk, mk, nk, rk1] = dims[k]!;
    return tf.reshape(tf.transpose(c, [0, 2, 1, 3]), [rk * nk, mk * rk1]);
  });
  const n = prod(shape.inModes);
  const m = prod(shape.outModes);
  return (x) => {
    const batch = x.shape[0];
    let lead = batch;
    let rest = n;
    let t: tf.Tensor = x;
    for (let k = 0; k < d; k++) {
      const [rk, mk, nk, rk1] = dims[k]!;
      rest /= nk;
      // [lead, rk, nk, rest] → [lead, rest, rk, nk] → [lead·rest, rk·nk]
      const a = tf.reshape(tf.transpose(tf.reshape(t, [lead, rk, nk, rest]), [0, 3, 1, 2]), [lead * rest, rk * nk]);
      const p = tf.matMul(a, g[k]!);
      t = tf.transpose(tf.reshape(p, [lead, rest, mk, rk1]), [0, 2, 3, 1]);
      lead *= mk;
    }
    return tf.reshape(t, [batch, m]) as tf.Tensor2D;
  };
}

/** Initial value of every TT bias entry in the original. */
export const TT_BIAS_INIT = 1e-3;

export class TTLinear implements LinearMap {
  readonly shape: TTMatrixShape;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly cores: readonly tf.Variable<tf.Rank.R4>[];
  readonly bias: tf.Variable<tf.Rank.R1> | null;

  /** Takes ownership of `cores` ([r_k, m_k, n_k, r_{k+1}]) and `bias` [M]. */
  constructor(cores: readonly tf.Tensor[], bias: tf.Tensor1D | null) {
    this.shape = shapeOfCores(cores, 'TTLinear');
    this.inputSize = prod(this.shape.inModes);
    this.outputSize = prod(this.shape.outModes);
    if (bias !== null && (bias.rank !== 1 || bias.shape[0] !== this.outputSize)) {
      throw new Error(
        `'bias' passed to 'TTLinear' must have shape [${this.outputSize}], got ${shapeString(bias.shape)}`,
      );
    }
    this.cores = cores.map((c) => ownVariable(c as tf.Tensor4D));
    this.bias = bias === null ? null : ownVariable(bias);
  }

  /** TT-Glorot cores of `shape`, bias 1e-3 unless `bias` is false. */
  static init(shape: TTMatrixShape, rng: number | Rng, bias = true): TTLinear {
    validateTTShape(shape, 'TTLinear.init');
    const gen = typeof rng === 'number' ? new Rng(rng) : rng;
    const cores = glorotTTCores(shape, gen);
    const m = prod(shape.outModes);
    return new TTLinear(cores, bias ? (tf.fill([m], TT_BIAS_INIT) as tf.Tensor1D) : null);
  }

  product(x: tf.Tensor2D, method: ProductMethod): tf.Tensor2D {
    checkRows(x, this.inputSize, 'TTLinear.product');
    if (method === 'per-step') return ttMatmul(x, this.cores);
    return tf.tidy(() => tf.matMul(x, ttFull(this.cores)));
  }

  full(): tf.Tensor2D {
    return ttFull(this.cores);
  }

  prepare(method: ProductMethod): (x: tf.Tensor2D) => tf.Tensor2D {
    if (method === 'rebuilt') {
      const w = ttFull(this.cores);
      return (x) => tf.matMul(x, w);
    }
    return preparedContraction(this.cores, this.shape);
  }

  biasVector(): tf.Tensor1D | null {
    return this.bias;
  }

  apply(x: tf.Tensor2D, method: ProductMethod = 'per-step'): tf.Tensor2D {
    return tf.tidy(() => {
      const y = this.product(x, method);
      return this.bias === null ? y : tf.add<tf.Tensor2D>(y, this.bias);
    });
  }

  chooseMethod(rows: number, calls: number, mode: ProductMode): ProductMethod {
    return chooseTTMethod([this.shape], rows, calls, mode);
  }

  namedWeights(): NamedVariable[] {
    const out: NamedVariable[] = [];
    if (this.bias !== null) out.push({ name: 'bias', variable: this.bias });
    this.cores.forEach((c, k) => out.push({ name: `parameters.${k}`, variable: c }));
    return out;
  }

  paramCount(): number {
    return ttParamCount(this.shape) + (this.bias === null ? 0 : this.outputSize);
  }

  dispose(): void {
    for (const c of this.cores) c.dispose();
    this.bias?.dispose();
  }
}
