/**
 * Rebuilding a @ttrnn/cells weight map over the variables of a tf.layers layer.
 *
 * A layer owns its weights (`LayerVariable`s, created by `addWeight`, saved and loaded by tfjs);
 * the maths lives in @ttrnn/cells. The layer therefore creates a cells object once (for the
 * initial values and the names), copies its weights into layer variables of the same names, and
 * builds the same structure again over the layer's own `tf.Variable`s: cells' maps take a
 * variable as it is, so every product and every gradient reaches the layer's weights.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { GRUCell, LSTMCell, Linear, NaiveTTLinear, TTLinear, createCell } from '@ttrnn/cells';
import type { CellOptions, LinearMap, RecurrentCell } from '@ttrnn/cells';
import { adoptWeights } from './layer_util.js';

/** Looks up a variable by its cells name (relative to the map being rebuilt). */
export type VariableLookup = (name: string) => tf.Variable;

/** The same kind of map as `template` (dense, TT or one TT matrix per gate), over `variable(name)`. */
export function linearMapOver(template: LinearMap, variable: VariableLookup): LinearMap {
  if (template instanceof TTLinear) {
    const cores = template.cores.map((_, k) => variable(`parameters.${k}`));
    return new TTLinear(cores, template.bias === null ? null : (variable('bias') as tf.Variable<tf.Rank.R1>));
  }
  if (template instanceof NaiveTTLinear) {
    return new NaiveTTLinear(
      template.gates.map((g, i) => linearMapOver(g, (n) => variable(`gate${i}.${n}`)) as TTLinear),
    );
  }
  if (template instanceof Linear) {
    return new Linear(
      variable('weight') as tf.Variable<tf.Rank.R2>,
      template.bias === null ? null : (variable('bias') as tf.Variable<tf.Rank.R1>),
    );
  }
  throw new Error(`'template' passed to 'linearMapOver' must be a Linear, TTLinear or NaiveTTLinear`);
}

/** The same cell as `template` (LSTM or GRU, any layout) over `variable(name)`; names as `cell.namedWeights()`. */
export function cellOver(template: RecurrentCell, variable: VariableLookup): RecurrentCell {
  const input = linearMapOver(template.inputWeights, (n) => variable(`input_weights.${n}`));
  const hidden = linearMapOver(template.hiddenWeights, (n) => variable(`hidden_weights.${n}`));
  return template.kind === 'lstm' ? new LSTMCell(input, hidden) : new GRUCell(input, hidden);
}

/** A lookup into a name → variable map that names the layer when a name is missing. */
export function lookupIn(vars: ReadonlyMap<string, tf.Variable>, layer: string): VariableLookup {
  return (name) => {
    const v = vars.get(name);
    if (v === undefined)
      throw new Error(`layer '${layer}' has no weight '${name}' (has ${[...vars.keys()].join(', ')})`);
    return v;
  };
}

/**
 * A cell of `opts` over weights of a layer: initial values from `createCell(opts, seed)`, weights added
 * under the cells' names with `add` (the layer's `addWeight`), and the cell rebuilt over them.
 */
export function cellWithLayerWeights(
  opts: CellOptions,
  seed: number,
  layer: string,
  add: (name: string, shape: number[]) => tfl.LayerVariable,
): { cell: RecurrentCell; names: string[] } {
  const template = createCell(opts, seed);
  try {
    const { vars, names } = adoptWeights(template.namedWeights(), add);
    return { cell: cellOver(template, lookupIn(vars, layer)), names };
  } finally {
    template.dispose();
  }
}
