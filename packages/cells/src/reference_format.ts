/**
 * Reading weights in the reference-vector format of the original
 * (../../reference/ttrnn-reference-vectors.json): arrays are
 * `{shape, data}` row-major; a TT weight is `{in_quant, out_quant, ranks,
 * cores_weight_t, W, bias}` with cores `[r_k, m_k, n_k, r_{k+1}]`; a naive
 * weight is `{n_gates, gates: [TT weight, …]}`; a dense weight has `W` [N, M]
 * (or PyTorch's `weight` [M, N]) and no cores.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GRUCell } from './gru_cell.js';
import { Linear } from './linear.js';
import type { LinearMap } from './linear_map.js';
import { LSTMCell } from './lstm_cell.js';
import { NaiveTTLinear } from './naive_tt_linear.js';
import type { CellKind, RecurrentCell } from './recurrent_cell.js';
import { TTLinear } from './tt_linear.js';
import { prod } from './validate.js';

export interface RefArray {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isRefArray(v: unknown): v is RefArray {
  return (
    isRecord(v) &&
    Array.isArray(v['shape']) &&
    Array.isArray(v['data']) &&
    (v['shape'] as unknown[]).every((s) => Number.isInteger(s) && (s as number) >= 0)
  );
}

/** Validates a `{shape, data}` array; `what` names it in errors. */
export function refArray(v: unknown, what: string): RefArray {
  if (!isRefArray(v))
    throw new Error(
      `${what}: expected an array {shape: [...], data: [...]}, got ${typeof v === 'object' ? JSON.stringify(v)?.slice(0, 80) : String(v)}`,
    );
  const n = prod(v.shape);
  if (v.data.length !== n)
    throw new Error(`${what}: shape [${v.shape.join(', ')}] needs ${n} values, got ${v.data.length}`);
  if (!v.data.every((x) => typeof x === 'number')) throw new Error(`${what}: data must hold numbers only`);
  return v;
}

export function refTensor(v: unknown, what: string): tf.Tensor {
  const a = refArray(v, what);
  return tf.tensor(a.data as number[], [...a.shape], 'float32');
}

/** Does `desc` look like a weight description (TT, naive TT or dense)? */
export function isWeightDescription(desc: unknown): boolean {
  if (!isRecord(desc)) return false;
  if (Array.isArray(desc['gates'])) return true;
  return (
    Array.isArray(desc['cores_weight_t']) ||
    Array.isArray(desc['cores']) ||
    isRefArray(desc['W']) ||
    isRefArray(desc['weight'])
  );
}

/** The bias of a weight description: null when absent or null. */
function biasOf(desc: Record<string, unknown>, cols: number, what: string): tf.Tensor1D | null {
  const b = desc['bias'];
  if (b === null || b === undefined) return null;
  const a = refArray(b, `${what}.bias`);
  if (a.shape.length !== 1 || a.shape[0] !== cols) {
    throw new Error(`${what}.bias: expected shape [${cols}], got [${a.shape.join(', ')}]`);
  }
  return tf.tensor1d(a.data as number[]);
}

/** A TT matrix (TTLinear) from `{cores_weight_t, bias}`; checks in_quant/out_quant/ranks when present. */
function ttFromDescription(desc: Record<string, unknown>, what: string): TTLinear {
  const list = (desc['cores_weight_t'] ?? desc['cores']) as unknown[];
  const arrays = list.map((c, k) => refArray(c, `${what}.cores_weight_t[${k}]`));
  arrays.forEach((a, k) => {
    if (a.shape.length !== 4)
      throw new Error(
        `${what}.cores_weight_t[${k}]: expected a rank-4 core [r_k, m_k, n_k, r_k+1], got [${a.shape.join(', ')}]`,
      );
  });
  const check = (key: string, expected: number[]): void => {
    const v = desc[key];
    if (v === undefined || v === null) return;
    if (!Array.isArray(v) || v.length !== expected.length || v.some((x, i) => x !== expected[i])) {
      throw new Error(`${what}.${key}: [${String(v)}] does not match the cores, which give [${expected.join(', ')}]`);
    }
  };
  check(
    'in_quant',
    arrays.map((a) => a.shape[2]!),
  );
  check(
    'out_quant',
    arrays.map((a) => a.shape[1]!),
  );
  check('ranks', [arrays[0]!.shape[0]!, ...arrays.map((a) => a.shape[3]!)]);
  const cols = prod(arrays.map((a) => a.shape[1]!));
  const bias = biasOf(desc, cols, what);
  const cores = arrays.map((a) => tf.tensor4d(a.data as number[], a.shape as [number, number, number, number]));
  try {
    return new TTLinear(cores, bias);
  } catch (err) {
    tf.dispose(cores);
    bias?.dispose();
    throw new Error(`${what}: ${(err as Error).message}`);
  }
}

/** A weight map from its description (TT, naive TT with `{n_gates, gates}`, or dense `W`). */
export function linearMapFromReference(desc: unknown, what: string): LinearMap {
  if (!isRecord(desc)) throw new Error(`${what}: expected a weight description object, got ${String(desc)}`);
  if (Array.isArray(desc['gates'])) {
    const gatesDesc = desc['gates'] as unknown[];
    if (desc['n_gates'] !== undefined && desc['n_gates'] !== gatesDesc.length) {
      throw new Error(`${what}: n_gates is ${String(desc['n_gates'])} but ${gatesDesc.length} gates are listed`);
    }
    const gates: TTLinear[] = [];
    try {
      gatesDesc.forEach((g, i) => {
        if (!isRecord(g)) throw new Error(`${what}.gates[${i}]: expected a TT weight description`);
        gates.push(ttFromDescription(g, `${what}.gates[${i}]`));
      });
      return new NaiveTTLinear(gates);
    } catch (err) {
      for (const g of gates) g.dispose();
      throw err;
    }
  }
  if (Array.isArray(desc['cores_weight_t']) || Array.isArray(desc['cores'])) return ttFromDescription(desc, what);
  if (isRefArray(desc['W']) || isRefArray(desc['weight'])) {
    // `W` is [N, M] (y = x·W); PyTorch's `weight` is [M, N].
    const fromW = isRefArray(desc['W']);
    const w = refTensor(fromW ? desc['W'] : desc['weight'], `${what}.${fromW ? 'W' : 'weight'}`);
    if (w.rank !== 2) {
      w.dispose();
      throw new Error(`${what}: the dense weight must be a matrix, got shape [${w.shape.join(', ')}]`);
    }
    const w2 = fromW ? (w as tf.Tensor2D) : tf.tidy(() => tf.transpose(w as tf.Tensor2D));
    if (!fromW) w.dispose();
    let bias: tf.Tensor1D | null;
    try {
      bias = biasOf(desc, w2.shape[1], what);
    } catch (err) {
      w2.dispose();
      throw err;
    }
    return new Linear(w2, bias);
  }
  throw new Error(`${what}: not a weight description (expected cores_weight_t, {n_gates, gates} or W)`);
}

/** LSTM or GRU: from a class name when it says, otherwise from the gate count M / H. */
export function inferCellKind(className: unknown, outputSize: number, hiddenSize: number | undefined): CellKind {
  if (typeof className === 'string') {
    if (/gru/i.test(className)) return 'gru';
    if (/lstm/i.test(className)) return 'lstm';
  }
  if (hiddenSize !== undefined && outputSize === 4 * hiddenSize) return 'lstm';
  if (hiddenSize !== undefined && outputSize === 3 * hiddenSize) return 'gru';
  throw new Error(
    `cannot tell LSTM from GRU: class ${JSON.stringify(className)}, ${outputSize} gate columns for hidden size ${String(hiddenSize)}`,
  );
}

/** A cell from two weight descriptions; `hiddenSize` (when known) helps tell LSTM from GRU. */
export function cellFromReference(
  inputDesc: unknown,
  hiddenDesc: unknown,
  opts: { className?: unknown; hiddenSize?: number; what?: string } = {},
): RecurrentCell {
  const what = opts.what ?? 'cell';
  const input = linearMapFromReference(inputDesc, `${what}.input_weights`);
  let hidden: LinearMap;
  try {
    hidden = linearMapFromReference(hiddenDesc, `${what}.hidden_weights`);
  } catch (err) {
    input.dispose();
    throw err;
  }
  try {
    const kind = inferCellKind(opts.className, hidden.outputSize, opts.hiddenSize ?? hidden.inputSize);
    return kind === 'lstm' ? new LSTMCell(input, hidden) : new GRUCell(input, hidden);
  } catch (err) {
    input.dispose();
    hidden.dispose();
    throw new Error(`${what}: ${(err as Error).message}`);
  }
}
