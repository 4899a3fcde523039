/** Argument checks and shape helpers shared by the layers. */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CELL_KINDS, PRODUCT_MODES, normalizeTTLayout } from '@ttrnn/cells';
import type { CellKind, NamedVariable, ProductMode, TTLayout } from '@ttrnn/cells';

/** What every tf.layers layer accepts (name, inputShape, batchInputShape, trainable, …). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
export type Kwargs = Parameters<tfl.layers.Layer['call']>[1];
/** A tfjs-layers shape: `null` for an unknown dimension (the batch). */
export type Shape = (number | null)[];

export function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === undefined) return 'undefined';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export function positiveInt(v: unknown, arg: string, fn: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new Error(`'${arg}' passed to '${fn}' must be a positive integer, got ${describe(v)}`);
  }
  return v;
}

export function productMode(v: unknown, fn: string): ProductMode {
  const mode = v ?? 'auto';
  if (!PRODUCT_MODES.includes(mode as ProductMode)) {
    throw new Error(
      `'productMode' passed to '${fn}' must be one of ${PRODUCT_MODES.map((m) => `'${m}'`).join(', ')}, got ${describe(v)}`,
    );
  }
  return mode as ProductMode;
}

export function seedOf(v: unknown, fn: string): number {
  const seed = v ?? 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0) {
    throw new Error(`'seed' passed to '${fn}' must be a non-negative integer, got ${describe(v)}`);
  }
  return seed;
}

export function booleanOf(v: unknown, dflt: boolean, arg: string, fn: string): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new Error(`'${arg}' passed to '${fn}' must be a boolean, got ${describe(v)}`);
  return v;
}

/** The one input shape of a single-input layer. */
export function oneShape(inputShape: Shape | Shape[], layer: string): Shape {
  if (Array.isArray(inputShape[0])) {
    const shapes = inputShape as Shape[];
    if (shapes.length !== 1) throw new Error(`layer '${layer}' takes one input, got ${shapes.length}`);
    return shapes[0]!;
  }
  return inputShape as Shape;
}

/** The one input tensor of a single-input layer. */
export function oneTensor(inputs: tf.Tensor | tf.Tensor[], layer: string): tf.Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1) throw new Error(`layer '${layer}' takes one input, got ${inputs.length}`);
    return inputs[0]!;
  }
  return inputs;
}

/** Rejects a mask: the cells run every step of every sequence (no padding support). */
export function rejectMask(kwargs: Kwargs, layer: string): void {
  if (kwargs !== undefined && kwargs !== null && kwargs['mask'] !== undefined && kwargs['mask'] !== null) {
    throw new Error(`layer '${layer}' does not support masking: every sequence must have the full length`);
  }
}

/**
 * Adds the weights of a cells object to a layer under the same names and returns the layer's
 * variables by name. `add` is the layer's protected `addWeight`, bound.
 */
export function adoptWeights(
  named: readonly NamedVariable[],
  add: (name: string, shape: number[]) => tfl.LayerVariable,
): { vars: Map<string, tf.Variable>; names: string[] } {
  const vars = new Map<string, tf.Variable>();
  for (const { name, variable } of named) {
    const lv = add(name, [...variable.shape]);
    lv.write(variable);
    // read() is the tf.Variable itself (typed as a Tensor).
    vars.set(name, lv.read() as tf.Variable);
  }
  return { vars, names: named.map((w) => w.name) };
}

/** Runs `f`, prefixing an error message with the layer's name. */
export function named<T>(layer: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw new Error(`layer '${layer}': ${(err as Error).message}`);
  }
}

/** What the recurrent layers and the RNN cells both take from their options, checked. */
export interface CellSettings {
  readonly cellKind: CellKind;
  readonly units: number;
  /** The TT layout, or null for the dense cells. */
  readonly tt: Required<TTLayout> | null;
  readonly productMode: ProductMode;
  readonly seed: number;
}

/** Checks the options every layer and cell of this package shares; errors name `fn`. */
export function cellSettings(
  args: { units: number; productMode?: ProductMode; seed?: number },
  cellKind: CellKind,
  tt: TTLayout | null,
  fn: string,
): CellSettings {
  if (!CELL_KINDS.includes(cellKind))
    throw new Error(`'cellKind' passed to '${fn}' must be 'lstm' or 'gru', got ${describe(cellKind)}`);
  return {
    cellKind,
    units: positiveInt(args.units, 'units', fn),
    tt: tt === null ? null : normalizeTTLayout(tt, fn),
    productMode: productMode(args.productMode, fn),
    seed: seedOf(args.seed, fn),
  };
}

/** The TT layout's entries of a layer's config: none for a dense cell. */
export function ttConfig(tt: Required<TTLayout> | null): tf.serialization.ConfigDict {
  return tt === null ? {} : { cores: tt.cores, rank: tt.rank, extraCore: tt.extraCore, naive: tt.naive };
}
