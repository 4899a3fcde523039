/**
 * Builds a cell in any layout of the original from its sizes and TT options.
 *
 * Biases (reference README): dense LSTM has one bias, on the hidden-to-hidden
 * map; dense GRU has both; fused TT-LSTM / TT-GRU have a bias on both TT
 * matrices (1e-3); naive TT-LSTM has none; naive TT-GRU one per gate on both.
 */
import { Rng } from '@ttrnn/random';
import { fusedGateShape, ttMatrixShape } from '@ttrnn/tt';
import type { ExtraCore, TTMatrixShape } from '@ttrnn/tt';
import { GRUCell } from './gru_cell.js';
import { Linear } from './linear.js';
import type { LinearMap } from './linear_map.js';
import { LSTMCell } from './lstm_cell.js';
import { NaiveTTLinear } from './naive_tt_linear.js';
import { GATES } from './recurrent_cell.js';
import type { CellKind, RecurrentCell } from './recurrent_cell.js';
import { TTLinear } from './tt_linear.js';
import { assertOneOf, assertPositiveInt, describe } from './validate.js';

export const EXTRA_CORES: readonly ExtraCore[] = ['none', 'first', 'last'];
export const CELL_KINDS: readonly CellKind[] = ['lstm', 'gru'];

/** The tensorized layout of a cell; null means dense. */
export interface TTLayout {
  /** d, the number of cores (d + 1 with an extra gate core). */
  readonly cores: number;
  readonly rank: number;
  /** Default 'none'. Must be 'none' for the naive layout. */
  readonly extraCore?: ExtraCore;
  /** One TT matrix per gate instead of one for the stacked gates. Default false. */
  readonly naive?: boolean;
}

export interface CellOptions {
  readonly cell: CellKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly tt?: TTLayout | null;
}

/** Validates a TT layout, naming `fn` and the field; returns it with defaults filled in. */
export function normalizeTTLayout(tt: unknown, fn: string, arg = 'tt'): Required<TTLayout> {
  if (typeof tt !== 'object' || tt === null || Array.isArray(tt)) {
    throw new Error(
      `'${arg}' passed to '${fn}' must be null or an object {cores, rank, extraCore, naive}, got ${describe(tt)}`,
    );
  }
  const o = tt as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['cores', 'rank', 'extraCore', 'naive'].includes(key)) {
      throw new Error(
        `'${arg}' passed to '${fn}' has an unknown option '${key}' (expected cores, rank, extraCore, naive)`,
      );
    }
  }
  assertPositiveInt(o['cores'], `${arg}.cores`, fn);
  assertPositiveInt(o['rank'], `${arg}.rank`, fn);
  const extraCore = o['extraCore'] ?? 'none';
  assertOneOf(extraCore, EXTRA_CORES, `${arg}.extraCore`, fn);
  const naive = o['naive'] ?? false;
  if (typeof naive !== 'boolean')
    throw new Error(`'${arg}.naive' passed to '${fn}' must be a boolean, got ${describe(naive)}`);
  if (naive && extraCore !== 'none') {
    throw new Error(
      `'${arg}.extraCore' passed to '${fn}' must be 'none' with the naive layout (one TT matrix per gate), got '${extraCore}'`,
    );
  }
  return { cores: o['cores'], rank: o['rank'], extraCore, naive };
}

/** The TT shapes of a cell's two maps (for the naive layout: the shape of each gate's matrix). */
export function cellTTShapes(
  cell: CellKind,
  inputSize: number,
  hiddenSize: number,
  tt: Required<TTLayout>,
): { input: TTMatrixShape; hidden: TTMatrixShape; gates: number } {
  const gates = GATES[cell];
  if (tt.naive) {
    return {
      input: ttMatrixShape(inputSize, hiddenSize, tt.cores, tt.rank),
      hidden: ttMatrixShape(hiddenSize, hiddenSize, tt.cores, tt.rank),
      gates,
    };
  }
  const common = { hiddenSize, gates, cores: tt.cores, rank: tt.rank, extraCore: tt.extraCore };
  return {
    input: fusedGateShape({ inputSize, ...common }),
    hidden: fusedGateShape({ inputSize: hiddenSize, ...common }),
    gates: 1,
  };
}

/** A freshly initialised cell (TT-Glorot cores, U(±1/√fan_in) dense weights), reproducible from `rng`. */
export function createCell(opts: CellOptions, rng: number | Rng): RecurrentCell {
  const fn = 'createCell';
  assertOneOf(opts.cell, CELL_KINDS, 'cell', fn);
  assertPositiveInt(opts.inputSize, 'inputSize', fn);
  assertPositiveInt(opts.hiddenSize, 'hiddenSize', fn);
  const gen = typeof rng === 'number' ? new Rng(rng) : rng;
  const { cell, inputSize: n, hiddenSize: h } = opts;
  const g = GATES[cell];
  let input: LinearMap;
  let hidden: LinearMap;
  if (opts.tt === null || opts.tt === undefined) {
    input = Linear.init({ inputSize: n, outputSize: g * h, bias: cell === 'gru' }, gen);
    hidden = Linear.init({ inputSize: h, outputSize: g * h, bias: true }, gen);
  } else {
    const tt = normalizeTTLayout(opts.tt, fn);
    const shapes = cellTTShapes(cell, n, h, tt);
    if (tt.naive) {
      const bias = cell === 'gru';
      input = NaiveTTLinear.init(shapes.input, g, gen, bias);
      hidden = NaiveTTLinear.init(shapes.hidden, g, gen, bias);
    } else {
      input = TTLinear.init(shapes.input, gen, true);
      hidden = TTLinear.init(shapes.hidden, gen, true);
    }
  }
  return cell === 'lstm' ? new LSTMCell(input, hidden) : new GRUCell(input, hidden);
}
