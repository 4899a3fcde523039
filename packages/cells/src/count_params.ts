/**
 * Parameter counts without building a model, in the two conventions of the
 * reference README:
 * - `params`: exactly as the original counts (every weight and bias; both TT
 *   biases; the speaker encoder's GE2E scale and offset);
 * - `paramsPaper`: the authors' analysis notebooks, which leave out the bias
 *   of the input-to-hidden TT matrix (G·H fewer per TT layer) and count only
 *   the network's weights: the speaker encoder's two GE2E scalars are not in
 *   it (their dense speaker LSTM is 2,682,112 = every weight and bias, no
 *   scalar; their TT-LSTM 2 cores rank 2 is 13,024).
 */
import { ttMatrixShape, ttParamCount } from '@ttrnn/tt';
import type { TTMatrixShape } from '@ttrnn/tt';
import { cellTTShapes } from './cell_factory.js';
import type { ModelConfig } from './model_config.js';
import { validateModelConfig } from './model_config.js';
import { GATES } from './recurrent_cell.js';

export interface MatrixCount {
  /** As in `namedWeights()`: `rnn.cell0.input_weights`, `rnn.cell0.hidden_weights`, …, `head`. */
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
  /** 'dense', 'tt' (one TT matrix) or 'naive-tt' (`gates` TT matrices of `tt`'s shape, concatenated). */
  readonly layout: 'dense' | 'tt' | 'naive-tt';
  /** The TT shape (of each gate's matrix for the naive layout); null when dense. */
  readonly tt: TTMatrixShape | null;
  readonly gates: number;
  /** Weight parameters (dense entries or TT core entries). */
  readonly weights: number;
  /** Bias parameters (0 when the matrix has none). */
  readonly bias: number;
}

export interface ParamCount {
  readonly params: number;
  readonly paramsPaper: number;
  readonly matrices: readonly MatrixCount[];
  /** The GE2E similarity scale and offset of the speaker encoder (2), else 0. */
  readonly extra: number;
}

export function countParams(config: ModelConfig): ParamCount {
  const c = validateModelConfig(config, 'countParams');
  const G = GATES[c.cell];
  const H = c.hiddenSize;
  const matrices: MatrixCount[] = [];
  let paperless = 0;
  for (let l = 0; l < c.layers; l++) {
    const n = l === 0 ? c.inputSize : H;
    const prefix = `rnn.cell${l}`;
    if (c.tt === null) {
      // Dense LSTM: one bias (hidden map); dense GRU: both.
      matrices.push(dense(`${prefix}.input_weights`, n, G * H, c.cell === 'gru'));
      matrices.push(dense(`${prefix}.hidden_weights`, H, G * H, true));
      continue;
    }
    const shapes = cellTTShapes(c.cell, n, H, c.tt);
    const layout = c.tt.naive ? 'naive-tt' : 'tt';
    const gates = shapes.gates;
    // Naive TT-LSTM has no biases; naive TT-GRU one per gate; fused TT cells both.
    const hasBias = !c.tt.naive || c.cell === 'gru';
    for (const [which, rows, shape] of [
      ['input_weights', n, shapes.input],
      ['hidden_weights', H, shapes.hidden],
    ] as const) {
      matrices.push({
        name: `${prefix}.${which}`,
        rows,
        cols: G * H,
        layout,
        tt: shape,
        gates,
        weights: gates * ttParamCount(shape),
        bias: hasBias ? G * H : 0,
      });
    }
    if (hasBias) paperless += G * H;
  }
  const K = c.outputSize;
  if (c.tt === null) {
    matrices.push(dense('head', H, K, true));
  } else {
    const shape = ttMatrixShape(H, K, c.tt.cores, c.tt.rank);
    matrices.push({
      name: 'head',
      rows: H,
      cols: K,
      layout: 'tt',
      tt: shape,
      gates: 1,
      weights: ttParamCount(shape),
      bias: K,
    });
  }
  const extra = c.task === 'speaker' ? 2 : 0;
  const params = matrices.reduce((s, m) => s + m.weights + m.bias, 0) + extra;
  return { params, paramsPaper: params - paperless - extra, matrices, extra };
}

function dense(name: string, rows: number, cols: number, bias: boolean): MatrixCount {
  return { name, rows, cols, layout: 'dense', tt: null, gates: 1, weights: rows * cols, bias: bias ? cols : 0 };
}
