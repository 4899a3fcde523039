/**
 * Adam with PyTorch's update rule (`torch.optim.Adam`, no weight decay, no amsgrad) and a state that can be
 * saved and restored exactly.
 *
 * Porting notes: tfjs's AdamOptimizer keeps the bias-correction powers β^t as float32 variables updated by
 * repeated multiplication, while `setWeights` recomputes them with `pow`, so a restored optimizer differs
 * in the last bits from one that never stopped. Here the step count is an integer and the corrections
 * `1 − β^t` are computed in float64 from it, so an optimizer restored from its state is bit-identical.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedWeight } from './named_weights.js';
import { assertUniqueNames } from './named_weights.js';

export interface AdamOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

/** PyTorch's defaults. */
export const DEFAULT_ADAM_OPTIONS: Required<AdamOptions> = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** The moments of one weight. */
export interface AdamSlotState {
  readonly name: string;
  readonly shape: readonly number[];
  readonly m: Float32Array;
  readonly v: Float32Array;
}

export interface AdamState {
  /** Updates applied so far. */
  readonly step: number;
  readonly slots: readonly AdamSlotState[];
}

export class Adam {
  readonly options: Required<AdamOptions>;
  private readonly weights: ReadonlyArray<NamedWeight>;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;

  constructor(weights: ReadonlyArray<NamedWeight>, options: AdamOptions = {}) {
    assertUniqueNames(weights, 'Adam');
    const o = { ...DEFAULT_ADAM_OPTIONS, ...options };
    for (const key of ['beta1', 'beta2'] as const) {
      if (!(o[key] >= 0 && o[key] < 1)) throw new Error(`'${key}' passed to 'Adam' must be in [0, 1), got ${o[key]}`);
    }
    if (!(o.epsilon > 0)) throw new Error(`'epsilon' passed to 'Adam' must be positive, got ${o.epsilon}`);
    this.options = o;
    this.weights = weights;
    // Inside tidy: the zeros tensor each variable starts from is released, the variable stays.
    this.m = weights.map((w) => tf.tidy(() => tf.variable(tf.zerosLike(w.variable), false)));
    this.v = weights.map((w) => tf.tidy(() => tf.variable(tf.zerosLike(w.variable), false)));
  }

  /** Updates applied so far. */
  get step(): number {
    return this.t;
  }

  /**
   * One update with learning rate `lr`; `grads[i]` belongs to the i-th weight given to the constructor.
   * The gradients are not disposed.
   */
  apply(grads: ReadonlyArray<tf.Tensor>, lr: number): void {
    if (grads.length !== this.weights.length) {
      throw new Error(`'grads' passed to 'Adam.apply' must hold ${this.weights.length} tensors, got ${grads.length}`);
    }
    if (!(Number.isFinite(lr) && lr >= 0)) {
      throw new Error(`'lr' passed to 'Adam.apply' must be a non-negative number, got ${lr}`);
    }
    this.t += 1;
    const { beta1, beta2, epsilon } = this.options;
    const stepSize = lr / (1 - Math.pow(beta1, this.t));
    const sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, this.t));
    tf.tidy(() => {
      const b1 = tf.scalar(beta1);
      const b2 = tf.scalar(beta2);
      const c1 = tf.scalar(1 - beta1);
      const c2 = tf.scalar(1 - beta2);
      const eps = tf.scalar(epsilon);
      const bc2 = tf.scalar(sqrtBc2);
      const step = tf.scalar(stepSize);
      for (let i = 0; i < grads.length; i++) {
        const g = grads[i] as tf.Tensor;
        const m = this.m[i] as tf.Variable;
        const v = this.v[i] as tf.Variable;
        const w = (this.weights[i] as NamedWeight).variable;
        const m1 = tf.add(tf.mul(b1, m), tf.mul(c1, g));
        const v1 = tf.add(tf.mul(b2, v), tf.mul(c2, tf.square(g)));
        m.assign(m1);
        v.assign(v1);
        const denom = tf.add(tf.div(tf.sqrt(v1), bc2), eps);
        w.assign(tf.sub(w, tf.mul(step, tf.div(m1, denom))));
      }
    });
  }

  /** A copy of the moments and the step count (asynchronous: a GPU backend reads only asynchronously). */
  async getState(): Promise<AdamState> {
    const step = this.t;
    const slots = await Promise.all(
      this.weights.map(async (w, i) => ({
        name: w.name,
        shape: [...w.variable.shape],
        m: (await (this.m[i] as tf.Variable).data()) as Float32Array,
        v: (await (this.v[i] as tf.Variable).data()) as Float32Array,
      })),
    );
    return { step, slots };
  }

  /** Restores a state from `getState`; names and shapes must match this optimizer's weights. */
  setState(state: AdamState, source = 'state'): void {
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new Error(`${source}: Adam step must be a non-negative integer, got ${state.step}`);
    }
    if (state.slots.length !== this.weights.length) {
      throw new Error(
        `${source}: Adam state holds ${state.slots.length} weights, the model has ${this.weights.length}`,
      );
    }
    this.weights.forEach((w, i) => {
      const slot = state.slots[i] as AdamSlotState;
      const shape = w.variable.shape;
      if (slot.name !== w.name || slot.shape.join(',') !== shape.join(',')) {
        throw new Error(
          `${source}: Adam state slot ${i} is '${slot.name}' [${slot.shape.join(', ')}], the model's weight is '${w.name}' [${shape.join(', ')}]`,
        );
      }
      const size = w.variable.size;
      if (slot.m.length !== size || slot.v.length !== size) {
        throw new Error(`${source}: Adam moments of '${w.name}' must hold ${size} values`);
      }
    });
    this.weights.forEach((w, i) => {
      const slot = state.slots[i] as AdamSlotState;
      tf.tidy(() => {
        (this.m[i] as tf.Variable).assign(tf.tensor(slot.m, w.variable.shape, 'float32'));
        (this.v[i] as tf.Variable).assign(tf.tensor(slot.v, w.variable.shape, 'float32'));
      });
    });
    this.t = state.step;
  }

  dispose(): void {
    for (const x of this.m) x.dispose();
    for (const x of this.v) x.dispose();
  }
}
