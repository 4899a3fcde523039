/**
 * The naive layout of the original: one TT matrix per gate (each N → H),
 * outputs concatenated gate-major, so columns [gH, (g+1)H) belong to gate g.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@ttrnn/random';
import type { TTMatrixShape } from '@ttrnn/tt';
import { checkRows } from './linear.js';
import type { LinearMap, NamedVariable, ProductMethod, ProductMode } from './linear_map.js';
import { chooseTTMethod } from './product_cost.js';
import { TTLinear } from './tt_linear.js';

export class NaiveTTLinear implements LinearMap {
  readonly gates: readonly TTLinear[];
  readonly inputSize: number;
  readonly outputSize: number;

  /** Takes ownership of the per-gate maps; all must share N and M. */
  constructor(gates: readonly TTLinear[]) {
    if (!Array.isArray(gates) || gates.length === 0) {
      throw new Error(`'gates' passed to 'NaiveTTLinear' must be a non-empty array of TTLinear`);
    }
    const g0 = gates[0]!;
    gates.forEach((g, i) => {
      if (g.inputSize !== g0.inputSize || g.outputSize !== g0.outputSize) {
        throw new Error(
          `'gates[${i}]' passed to 'NaiveTTLinear' is ${g.inputSize}×${g.outputSize}, expected ${g0.inputSize}×${g0.outputSize} like gates[0]`,
        );
      }
    });
    const withBias = gates.filter((g) => g.bias !== null).length;
    if (withBias !== 0 && withBias !== gates.length) {
      throw new Error(`'gates' passed to 'NaiveTTLinear' must all have a bias or none`);
    }
    this.gates = gates;
    this.inputSize = g0.inputSize;
    this.outputSize = g0.outputSize * gates.length;
  }

  static init(shape: TTMatrixShape, nGates: number, rng: number | Rng, bias: boolean): NaiveTTLinear {
    const gates: TTLinear[] = [];
    for (let g = 0; g < nGates; g++) gates.push(TTLinear.init(shape, rng, bias));
    return new NaiveTTLinear(gates);
  }

  product(x: tf.Tensor2D, method: ProductMethod): tf.Tensor2D {
    checkRows(x, this.inputSize, 'NaiveTTLinear.product');
    if (method === 'rebuilt') return tf.tidy(() => tf.matMul(x, this.full()));
    return tf.tidy(() =>
      tf.concat(
        this.gates.map((g) => g.product(x, 'per-step')),
        1,
      ),
    );
  }

  prepare(method: ProductMethod): (x: tf.Tensor2D) => tf.Tensor2D {
    if (method === 'rebuilt') {
      const w = this.full();
      return (x) => tf.matMul(x, w);
    }
    const parts = this.gates.map((g) => g.prepare('per-step'));
    return (x) =>
      tf.concat(
        parts.map((f) => f(x)),
        1,
      );
  }

  full(): tf.Tensor2D {
    return tf.tidy(() =>
      tf.concat(
        this.gates.map((g) => g.full()),
        1,
      ),
    );
  }

  biasVector(): tf.Tensor1D | null {
    if (this.gates[0]!.bias === null) return null;
    return tf.concat(
      this.gates.map((g) => g.bias!),
      0,
    );
  }

  apply(x: tf.Tensor2D, method: ProductMethod = 'per-step'): tf.Tensor2D {
    return tf.tidy(() => {
      const y = this.product(x, method);
      const b = this.biasVector();
      return b === null ? y : tf.add<tf.Tensor2D>(y, b);
    });
  }

  chooseMethod(rows: number, calls: number, mode: ProductMode): ProductMethod {
    return chooseTTMethod(
      this.gates.map((g) => g.shape),
      rows,
      calls,
      mode,
    );
  }

  namedWeights(): NamedVariable[] {
    return this.gates.flatMap((g, i) =>
      g.namedWeights().map((w) => ({ name: `gate${i}.${w.name}`, variable: w.variable })),
    );
  }

  paramCount(): number {
    return this.gates.reduce((s, g) => s + g.paramCount(), 0);
  }

  dispose(): void {
    for (const g of this.gates) g.dispose();
  }
}
