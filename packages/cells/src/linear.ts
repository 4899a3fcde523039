/**
 * A dense affine map y = x·W + b, W [N, M], initialised like PyTorch's
 * nn.Linear (the original's dense layers): W and b ~ U(±1/√N).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@ttrnn/random';
import type { LinearMap, NamedVariable, ProductMethod } from './linear_map.js';
import { assertPositiveInt, shapeString } from './validate.js';

export interface LinearOptions {
  readonly inputSize: number;
  readonly outputSize: number;
  /** Default true. */
  readonly bias?: boolean;
}

export class Linear implements LinearMap {
  readonly inputSize: number;
  readonly outputSize: number;
  /** W [N, M]. */
  readonly weight: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1> | null;

  /** Takes ownership of `weight` [N, M] and `bias` [M]. */
  constructor(weight: tf.Tensor2D, bias: tf.Tensor1D | null) {
    if (!(weight instanceof tf.Tensor) || weight.rank !== 2) {
      throw new Error(`'weight' passed to 'Linear' must be a rank-2 tensor [N, M]`);
    }
    const [n, m] = weight.shape;
    if (bias !== null && (bias.rank !== 1 || bias.shape[0] !== m)) {
      throw new Error(`'bias' passed to 'Linear' must have shape [${m}], got ${shapeString(bias.shape)}`);
    }
    this.inputSize = n;
    this.outputSize = m;
    this.weight = ownVariable(weight);
    this.bias = bias === null ? null : ownVariable(bias);
  }

  static init(opts: LinearOptions, rng: number | Rng): Linear {
    const fn = 'Linear.init';
    assertPositiveInt(opts.inputSize, 'inputSize', fn);
    assertPositiveInt(opts.outputSize, 'outputSize', fn);
    const gen = typeof rng === 'number' ? new Rng(rng) : rng;
    const { inputSize: n, outputSize: m } = opts;
    const bound = 1 / Math.sqrt(n);
    const w = tf.tensor2d(gen.uniformArray(n * m, -bound, bound), [n, m]);
    const b = opts.bias === false ? null : tf.tensor1d(gen.uniformArray(m, -bound, bound));
    return new Linear(w, b);
  }

  product(x: tf.Tensor2D, _method?: ProductMethod): tf.Tensor2D {
    checkRows(x, this.inputSize, 'Linear.product');
    return tf.matMul(x, this.weight);
  }

  full(): tf.Tensor2D {
    return this.weight;
  }

  prepare(): (x: tf.Tensor2D) => tf.Tensor2D {
    return (x) => tf.matMul(x, this.weight);
  }

  biasVector(): tf.Tensor1D | null {
    return this.bias;
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    checkRows(x, this.inputSize, 'Linear.apply');
    return tf.tidy(() => {
      const y: tf.Tensor2D = tf.matMul(x, this.weight);
      return this.bias === null ? y : tf.add<tf.Tensor2D>(y, this.bias);
    });
  }

  chooseMethod(): ProductMethod {
    return 'rebuilt';
  }

  namedWeights(): NamedVariable[] {
    const out: NamedVariable[] = [{ name: 'weight', variable: this.weight }];
    if (this.bias !== null) out.push({ name: 'bias', variable: this.bias });
    return out;
  }

  paramCount(): number {
    return this.inputSize * this.outputSize + (this.bias === null ? 0 : this.outputSize);
  }

  dispose(): void {
    this.weight.dispose();
    this.bias?.dispose();
  }
}

/**
 * A trainable variable that takes over `t`: a tensor is copied into a new variable and disposed; a
 * variable is used as it is (so a map can be built over variables that something else created, such as
 * the weights of a tf.layers layer, and its gradient reaches them).
 */
export function ownVariable<R extends tf.Rank>(t: tf.Tensor<R>): tf.Variable<R> {
  if (t instanceof tf.Variable) return t as tf.Variable<R>;
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

export function checkRows(x: tf.Tensor, cols: number, fn: string): void {
  if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.shape[1] !== cols) {
    throw new Error(
      `'x' passed to '${fn}' must be a rank-2 tensor [rows, ${cols}], got ` +
        (x instanceof tf.Tensor ? `shape ${shapeString(x.shape)}` : String(x)),
    );
  }
}
