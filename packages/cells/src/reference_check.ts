/**
 * Checks this implementation against any file in the reference-vector format of the original
 * (reference/ttrnn-reference-vectors.json): per case, the largest absolute error of every output and gradient,
 * failed beyond `REFERENCE_TOLERANCES`. `pnpm run exp parity --vectors FILE` prints it.
 *
 * Cases are recognised by their content, not their names:
 * - a list of {n, d, shape} entries: autoShape cases;
 * - {layer: TT weight, x, y} (or the TT fields inline, with x and y): a TT matmul;
 * - {input_weights, hidden_weights, x, outputs}: a recurrent layer (LSTM or GRU
 *   from `class` or from the gate count; layout from the weights themselves);
 *   per-layer lists of weights make a multi-layer stack;
 * - {head, log_softmax_out, x, …weights}: a sequence classifier;
 * - `meta`: informational.
 */
import * as tf from '@tensorflow/tfjs-core';
import { autoShape, ttMatrixShape } from '@ttrnn/tt';
import type { TTMatrixShape } from '@ttrnn/tt';
import { cellTTShapes } from './cell_factory.js';
import type { LinearMap, ProductMode } from './linear_map.js';
import { PRODUCT_MODES } from './linear_map.js';
import { NaiveTTLinear } from './naive_tt_linear.js';
import type { RecurrentCell } from './recurrent_cell.js';
import {
  cellFromReference,
  isRecord,
  isRefArray,
  isWeightDescription,
  linearMapFromReference,
  refArray,
  refTensor,
} from './reference_format.js';
import { RNN } from './rnn.js';
import { TTLinear } from './tt_linear.js';

/** Largest absolute error accepted for an output and for a gradient. */
export const REFERENCE_TOLERANCES = { output: 1e-5, gradient: 1e-4 } as const;
const OUTPUT_TOLERANCE = REFERENCE_TOLERANCES.output;
const GRADIENT_TOLERANCE = REFERENCE_TOLERANCES.gradient;

export type ReferenceCaseKind = 'auto_shape' | 'tt_matmul' | 'rnn' | 'classifier' | 'meta' | 'unknown';

export interface ReferenceCaseResult {
  readonly name: string;
  readonly kind: ReferenceCaseKind;
  /** Largest absolute error over every output compared (NaN when none). */
  readonly outputError: number;
  /** Largest absolute error over every gradient compared (NaN when none). */
  readonly gradientError: number;
  /** Per quantity, the largest absolute error (over modes where several are run). */
  readonly details: Record<string, number>;
  readonly ok: boolean;
  /** Why the case failed to parse, or what it is. */
  readonly message?: string;
}

/** Largest |a − e|; Infinity for a length mismatch, NaN propagates. */
function maxAbs(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs((actual[i] as number) - (expected[i] as number));
    if (!(d <= m)) m = d;
  }
  return m;
}

/**
 * The errors of one case. Tensors are compared later, in `result`, by an asynchronous read: a GPU backend
 * (webgpu) cannot read a tensor synchronously in Node. Each compared tensor is kept (a clone) until then.
 */
class Errors {
  readonly details: Record<string, number> = {};
  private pending: Array<{ tensor: tf.Tensor; settle: (values: ArrayLike<number>) => void }> = [];
  output(key: string, actual: tf.Tensor | ArrayLike<number>, expected: unknown): void {
    this.put(`out:${key}`, actual, expected);
  }
  gradient(key: string, actual: tf.Tensor | ArrayLike<number>, expected: unknown): void {
    this.put(`grad:${key}`, actual, expected);
  }
  /** Reported, never a reason to fail. */
  info(key: string, value: number): void {
    const k = `info:${key}`;
    const prev = this.details[k];
    this.details[k] = prev === undefined || !(value <= prev) ? value : prev;
  }
  /** `info` of a value computed from a tensor's values once they are read. */
  infoOf(key: string, tensor: tf.Tensor, value: (values: ArrayLike<number>) => number): void {
    this.later(tensor, (v) => this.info(key, value(v)));
  }
  private put(key: string, actual: tf.Tensor | ArrayLike<number>, expected: unknown): void {
    let e: ArrayLike<number>;
    if (typeof expected === 'number') {
      e = [expected];
    } else {
      const r = refArray(expected, key.replace(/^(out|grad):/, ''));
      if (actual instanceof tf.Tensor && actual.shape.join(',') !== r.shape.join(',')) {
        throw new Error(`${key}: computed shape [${actual.shape.join(', ')}] but the file has [${r.shape.join(', ')}]`);
      }
      e = r.data;
    }
    if (actual instanceof tf.Tensor) this.later(actual, (v) => this.record(key, maxAbs(v, e)));
    else this.record(key, maxAbs(actual, e));
  }
  private later(tensor: tf.Tensor, settle: (values: ArrayLike<number>) => void): void {
    // A clone, kept: the caller may dispose its tensor or be inside tf.tidy.
    this.pending.push({ tensor: tf.keep(tf.clone(tensor)), settle });
  }
  private record(key: string, err: number): void {
    const prev = this.details[key];
    this.details[key] = prev === undefined || !(err <= prev) ? err : prev;
  }
  /** Frees the tensors not yet compared (a case that failed half-way). */
  dispose(): void {
    tf.dispose(this.pending.map((p) => p.tensor));
    this.pending = [];
  }
  /** Reads every pending tensor and folds its error in, then summarises. */
  async result(name: string, kind: ReferenceCaseKind, message?: string): Promise<ReferenceCaseResult> {
    try {
      for (const p of this.pending) p.settle(await p.tensor.data());
    } finally {
      this.dispose();
    }
    return this.summary(name, kind, message);
  }
  private summary(name: string, kind: ReferenceCaseKind, message?: string): ReferenceCaseResult {
    let out = Number.NaN;
    let grad = Number.NaN;
    for (const [k, v] of Object.entries(this.details)) {
      if (k.startsWith('out:')) out = Number.isNaN(out) || !(v <= out) ? v : out;
      else if (k.startsWith('grad:')) grad = Number.isNaN(grad) || !(v <= grad) ? v : grad;
    }
    const okOut = Object.entries(this.details).every(([k, v]) =>
      k.startsWith('out:') ? v <= OUTPUT_TOLERANCE : k.startsWith('grad:') ? v <= GRADIENT_TOLERANCE : true,
    );
    return {
      name,
      kind,
      outputError: out,
      gradientError: grad,
      details: this.details,
      ok: okOut && Object.keys(this.details).length > 0,
      ...(message ? { message } : {}),
    };
  }
}

// ---------------------------------------------------------------------------
// Recognition

function isAutoShapeList(v: unknown): boolean {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((e) => isRecord(e) && Number.isInteger(e['n']) && Number.isInteger(e['d']) && Array.isArray(e['shape']))
  );
}

function isTTDescription(v: unknown): boolean {
  return isRecord(v) && (Array.isArray(v['cores_weight_t']) || Array.isArray(v['cores']));
}

function weightsList(v: unknown): unknown[] | null {
  if (isWeightDescription(v)) return [v];
  if (Array.isArray(v) && v.length > 0 && v.every(isWeightDescription)) return v;
  return null;
}

/** The kind of a case from its content. */
export function recogniseReferenceCase(name: string, value: unknown): ReferenceCaseKind {
  if (name === 'meta') return 'meta';
  if (isAutoShapeList(value)) return 'auto_shape';
  if (!isRecord(value)) return 'unknown';
  if (isRefArray(value['log_softmax_out']) && isWeightDescription(value['head'])) return 'classifier';
  if ((isTTDescription(value['layer']) || isTTDescription(value)) && isRefArray(value['x']) && isRefArray(value['y']))
    return 'tt_matmul';
  if (
    weightsList(value['input_weights']) &&
    weightsList(value['hidden_weights']) &&
    isRefArray(value['x']) &&
    isRefArray(value['outputs'])
  ) {
    return 'rnn';
  }
  return 'unknown';
}

// ---------------------------------------------------------------------------
// Cases

function checkAutoShape(name: string, list: Record<string, unknown>[]): Promise<ReferenceCaseResult> {
  const errors = new Errors();
  let worst = 0;
  let firstBad: string | undefined;
  for (const e of list) {
    const got = autoShape(e['n'] as number, e['d'] as number);
    const err = maxAbs(got, e['shape'] as number[]);
    if (!(err <= worst)) worst = err;
    if (err !== 0 && firstBad === undefined)
      firstBad = `autoShape(${String(e['n'])}, ${String(e['d'])}) = [${got.join(', ')}], file has [${String(e['shape'])}]`;
  }
  errors.details['out:shape'] = worst;
  return errors.result(name, 'auto_shape', firstBad ?? `${list.length} shapes`);
}

async function checkTTMatmul(name: string, c: Record<string, unknown>): Promise<ReferenceCaseResult> {
  const errors = new Errors();
  const desc = isTTDescription(c['layer']) ? c['layer'] : c;
  const layer = linearMapFromReference(desc, `${name}.layer`);
  try {
    tf.tidy(() => {
      const x = refTensor(c['x'], `${name}.x`) as tf.Tensor2D;
      for (const method of ['per-step', 'rebuilt'] as const) errors.output('y', layer.apply(x, method), c['y']);
      const d = desc as Record<string, unknown>;
      if (isRefArray(d['W'])) errors.output('W', layer.full(), d['W']);
    });
    return await errors.result(name, 'tt_matmul');
  } finally {
    errors.dispose();
    layer.dispose();
  }
}

/** Per-layer weight descriptions → cells (disposed on failure). */
function buildCells(
  inputs: unknown[],
  hiddens: unknown[],
  className: unknown,
  hiddenSize: number | undefined,
  name: string,
): RecurrentCell[] {
  if (inputs.length !== hiddens.length) {
    throw new Error(`${name}: ${inputs.length} input weights but ${hiddens.length} hidden weights`);
  }
  const cells: RecurrentCell[] = [];
  try {
    inputs.forEach((inp, l) => {
      const opts = { className, what: `${name}.cell${l}`, ...(hiddenSize !== undefined ? { hiddenSize } : {}) };
      cells.push(cellFromReference(inp, hiddens[l], opts));
    });
  } catch (err) {
    for (const c of cells) c.dispose();
    throw err;
  }
  return cells;
}

function makeRnn(cells: RecurrentCell[]): RNN {
  try {
    return new RNN(cells);
  } catch (err) {
    for (const c of cells) c.dispose();
    throw err;
  }
}

const MODES: readonly ProductMode[] = PRODUCT_MODES;

const shapeText = (s: TTMatrixShape): string =>
  `in [${s.inModes.join(', ')}] out [${s.outModes.join(', ')}] ranks [${s.ranks.join(', ')}]`;

function checkShape(actual: LinearMap, expected: TTMatrixShape, what: string): void {
  const shapes =
    actual instanceof TTLinear
      ? [actual.shape]
      : actual instanceof NaiveTTLinear
        ? actual.gates.map((g) => g.shape)
        : null;
  if (shapes === null) throw new Error(`layout: ${what} is dense but the config describes a TT layout`);
  for (const s of shapes) {
    if (shapeText(s) !== shapeText(expected)) {
      throw new Error(`layout: ${what} has ${shapeText(s)}, but the config's layout rules give ${shapeText(expected)}`);
    }
  }
}

/**
 * When the case's config names the TT layout (n_cores, tt_rank, new_core,
 * is_naive), the weights must have exactly the shapes our layout rules build
 * for it (autoShape, gate-core placement, naive per-gate matrices): this checks
 * the rules themselves, not only the arithmetic on the given cores.
 */
function checkLayout(
  rnn: RNN,
  head: LinearMap | null,
  config: Record<string, unknown>,
  outputSize: number | undefined,
): string | null {
  const cores = config['n_cores'];
  const rank = config['tt_rank'];
  if (typeof cores !== 'number' || typeof rank !== 'number') return null;
  const extraCore = config['new_core'] ?? config['extra_core'] ?? 'none';
  if (extraCore !== 'none' && extraCore !== 'first' && extraCore !== 'last')
    throw new Error(`layout: unknown new_core ${JSON.stringify(extraCore)}`);
  const layout = { cores, rank, extraCore, naive: config['is_naive'] === true } as const;
  rnn.cells.forEach((cell, l) => {
    const shapes = cellTTShapes(cell.kind, cell.inputSize, cell.hiddenSize, layout);
    checkShape(cell.inputWeights, shapes.input, `cell${l}.input_weights`);
    checkShape(cell.hiddenWeights, shapes.hidden, `cell${l}.hidden_weights`);
  });
  if (head !== null && outputSize !== undefined)
    checkShape(head, ttMatrixShape(rnn.hiddenSize, outputSize, cores, rank), 'head');
  return `layout ${cores} cores, rank ${rank}, ${layout.naive ? 'naive' : `extra core ${extraCore}`}: shapes as the rules give`;
}

async function checkRnn(name: string, c: Record<string, unknown>): Promise<ReferenceCaseResult> {
  const errors = new Errors();
  const outputs = refArray(c['outputs'], `${name}.outputs`);
  const hiddenSize = outputs.shape[outputs.shape.length - 1];
  const cells = buildCells(
    weightsList(c['input_weights'])!,
    weightsList(c['hidden_weights'])!,
    c['class'],
    hiddenSize,
    name,
  );
  const rnn = makeRnn(cells);
  let layoutNote: string | null = null;
  try {
    layoutNote = checkLayout(rnn, null, isRecord(c['config']) ? c['config'] : {}, undefined);
    const L = rnn.cells.length;
    for (const mode of MODES) {
      tf.tidy(() => {
        const x = refTensor(c['x'], `${name}.x`) as tf.Tensor3D;
        const r = rnn.run(x, { mode });
        errors.output('outputs', r.outputs!, c['outputs']);
        if (c['h_last'] !== undefined && c['h_last'] !== null) errors.output('h_last', r.hLast[L - 1]!, c['h_last']);
        if (c['c_last'] !== undefined && c['c_last'] !== null) {
          if (r.cLast === null) throw new Error(`${name}: the file has c_last but the cell is a GRU`);
          errors.output('c_last', r.cLast[L - 1]!, c['c_last']);
        }
        if (isRefArray(c['loss_R']) && typeof c['loss'] === 'number') {
          // The loss is a sum of many outputs: reported relative to its size, for information only.
          const expected = c['loss'];
          errors.infoOf(
            'loss (relative)',
            tf.sum(tf.mul(r.outputs!, refTensor(c['loss_R'], `${name}.loss_R`))),
            (v) => Math.abs((v[0] as number) - expected) / Math.max(1, Math.abs(expected)),
          );
        }
      });
    }
    // Step-0 pre-activations of the first layer (h0 = 0).
    if (isRefArray(c['step0_input_part']) || isRefArray(c['step0_hidden_part'])) {
      tf.tidy(() => {
        const x = refTensor(c['x'], `${name}.x`) as tf.Tensor3D;
        const [batch, , n] = x.shape;
        const cell = rnn.cells[0]!;
        const x0 = tf.reshape(tf.slice(x, [0, 0, 0], [batch, 1, n]), [batch, n]) as tf.Tensor2D;
        const p = cell.preActivations(x0, tf.zeros([batch, cell.hiddenSize]));
        if (isRefArray(c['step0_input_part'])) errors.output('step0_input_part', p.input, c['step0_input_part']);
        if (isRefArray(c['step0_hidden_part'])) errors.output('step0_hidden_part', p.hidden, c['step0_hidden_part']);
      });
    }
    if (isRecord(c['grads']) || isRefArray(c['grad_x'])) {
      if (!isRefArray(c['loss_R'])) throw new Error(`${name}: gradients are given but loss_R is missing`);
      checkGradients(name, c, rnn, errors);
    }
    return await errors.result(name, 'rnn', layoutNote ?? undefined);
  } finally {
    errors.dispose();
    rnn.dispose();
  }
}

function checkGradients(name: string, c: Record<string, unknown>, rnn: RNN, errors: Errors): void {
  const named = rnn.namedWeights();
  const byName = new Map(named.map((w) => [w.name, w.variable]));
  const grads = isRecord(c['grads']) ? c['grads'] : {};
  const order = Array.isArray(c['param_names_in_order']) ? (c['param_names_in_order'] as string[]) : Object.keys(grads);
  for (const key of [...order, ...Object.keys(grads)]) {
    if (!byName.has(key)) {
      throw new Error(
        `${name}: parameter '${key}' of the file has no counterpart here (known: ${[...byName.keys()].join(', ')})`,
      );
    }
  }
  for (const mode of ['per-step', 'rebuilt'] as const) {
    const x0 = refTensor(c['x'], `${name}.x`);
    const xv = tf.variable(x0);
    x0.dispose();
    const R = refTensor(c['loss_R'], `${name}.loss_R`);
    try {
      const { value, grads: g } = tf.variableGrads(
        () =>
          tf.tidy(() => tf.sum(tf.mul(rnn.run(xv as tf.Variable<tf.Rank.R3>, { mode, outputs: true }).outputs!, R))),
        [...named.map((w) => w.variable), xv],
      );
      try {
        for (const key of Object.keys(grads)) {
          const mine = g[byName.get(key)!.name]!;
          const exp = refArray(grads[key], `${name}.grads.${key}`);
          // PyTorch's dense weights are [M, N]; ours are [N, M].
          const same = exp.shape.join(',') === mine.shape.join(',');
          const t =
            !same && mine.rank === 2 && exp.shape.join(',') === [...mine.shape].reverse().join(',')
              ? tf.transpose(mine)
              : mine;
          errors.gradient(key, t, grads[key]);
          if (t !== mine) t.dispose();
        }
        if (c['grad_x'] !== undefined && c['grad_x'] !== null) errors.gradient('x', g[xv.name]!, c['grad_x']);
      } finally {
        tf.dispose([value, ...Object.values(g)]);
      }
    } finally {
      tf.dispose([xv, R]);
    }
  }
}

async function checkClassifier(name: string, c: Record<string, unknown>): Promise<ReferenceCaseResult> {
  const errors = new Errors();
  const config = isRecord(c['config']) ? c['config'] : {};
  const className = c['class'] ?? (config['gru'] === true ? 'GRU' : config['gru'] === false ? 'LSTM' : undefined);
  const inputs = weightsList(c['rnn_input_weights'] ?? c['input_weights']);
  const hiddens = weightsList(c['rnn_hidden_weights'] ?? c['hidden_weights']);
  if (inputs === null || hiddens === null)
    throw new Error(`${name}: a classifier case needs rnn_input_weights and rnn_hidden_weights`);
  const hiddenSize = typeof config['hidden_size'] === 'number' ? config['hidden_size'] : undefined;
  const rnn = makeRnn(buildCells(inputs, hiddens, className, hiddenSize, name));
  let head: LinearMap | null = null;
  let layoutNote: string | null = null;
  try {
    head = linearMapFromReference(c['head'], `${name}.head`);
    const outputSize = typeof config['output_size'] === 'number' ? config['output_size'] : head.outputSize;
    layoutNote = checkLayout(rnn, head, config, outputSize);
    for (const mode of MODES) {
      tf.tidy(() => {
        const x = refTensor(c['x'], `${name}.x`) as tf.Tensor3D;
        const r = rnn.run(x, { mode, outputs: false });
        const logits = head!.apply(r.hLast[r.hLast.length - 1]!, mode === 'per-step' ? mode : 'rebuilt');
        errors.output('log_softmax_out', tf.logSoftmax(logits), c['log_softmax_out']);
      });
    }
    return await errors.result(name, 'classifier', layoutNote ?? undefined);
  } finally {
    errors.dispose();
    rnn.dispose();
    head?.dispose();
  }
}

/** The result of a case that compared nothing: informational (`ok`) or one that could not be checked. */
const uncompared = (name: string, kind: ReferenceCaseKind, ok: boolean, message: string): ReferenceCaseResult => ({
  name,
  kind,
  outputError: Number.NaN,
  gradientError: Number.NaN,
  details: {},
  ok,
  message,
});

const CHECKS: Partial<Record<ReferenceCaseKind, (name: string, value: never) => Promise<ReferenceCaseResult>>> = {
  auto_shape: checkAutoShape,
  tt_matmul: checkTTMatmul,
  rnn: checkRnn,
  classifier: checkClassifier,
};

/**
 * Checks every case of a parsed reference document against this implementation. Never throws for a bad
 * case: it reports it. `onLeak` hears of a case that left tensors behind (one that failed half-way).
 */
export async function checkReferenceVectors(
  doc: unknown,
  options: { readonly onLeak?: (name: string, tensors: number) => void } = {},
): Promise<ReferenceCaseResult[]> {
  if (!isRecord(doc)) return [uncompared('(file)', 'unknown', false, 'the file must hold a JSON object of cases')];
  const results: ReferenceCaseResult[] = [];
  for (const [name, value] of Object.entries(doc)) {
    const kind = recogniseReferenceCase(name, value);
    const check = CHECKS[kind];
    const before = tf.memory().numTensors;
    try {
      if (kind === 'meta') results.push(uncompared(name, kind, true, 'informational'));
      else if (check !== undefined) results.push(await check(name, value as never));
      else {
        const keys = isRecord(value) ? Object.keys(value).join(', ') : typeof value;
        results.push(uncompared(name, 'unknown', false, `unknown kind of case (keys: ${keys})`));
      }
    } catch (err) {
      results.push(uncompared(name, kind, false, `cannot check: ${(err as Error).message}`));
    }
    // A case that threw half-way must not leave tensors behind for the next one.
    const leaked = tf.memory().numTensors - before;
    if (leaked > 0) options.onLeak?.(name, leaked);
  }
  return results;
}
