/**
 * Compressing a trained dense model into the tensorized layout: each stacked
 * gate matrix (N × G·H, gate blocks [i|f|g|o] or [r|z|n]) goes through TT-SVD
 * (`ttMatrixSvd`) with the modes of the chosen layout (fused with the gate core
 * none/first/last, or one TT per gate for the naive layout), the head likewise
 * with autoShape(H, d) → autoShape(K, d). Biases are copied (the TT cell's
 * input bias, which a dense LSTM lacks, starts at zero), the GE2E scalars too.
 *
 * Ranks: with `rank`, every bond is cut at `rank`; with `eps`, each matrix is
 * approximated to ‖W − Ŵ‖_F ≤ eps·‖W‖_F and the model's rank is the largest
 * rank any matrix needed. Bonds that came out smaller are padded to the
 * model's uniform rank (the same matrices up to O(1e-6)), so the result is an
 * ordinary TT model of `config.tt.rank`: it can be fine-tuned, saved and
 * counted like any other. Padded bonds are filled with tiny seeded noise
 * rather than zeros (see padCores) so that fine-tuning can use them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@ttrnn/random';
import { ttMatrixShape, ttMatrixSvd, ttParamCount } from '@ttrnn/tt';
import type { ExtraCore, TTMatrixShape } from '@ttrnn/tt';
import { EXTRA_CORES, cellTTShapes } from './cell_factory.js';
import { GRUCell } from './gru_cell.js';
import { Linear, ownVariable } from './linear.js';
import type { LinearMap } from './linear_map.js';
import { LSTMCell } from './lstm_cell.js';
import type { ModelConfig } from './model_config.js';
import { NaiveTTLinear } from './naive_tt_linear.js';
import { SequenceClassifier, SpeakerEncoder, assembleModel } from './models.js';
import type { SequenceModel } from './models.js';
import type { RecurrentCell } from './recurrent_cell.js';
import { GATES } from './recurrent_cell.js';
import { RNN } from './rnn.js';
import { TTLinear } from './tt_linear.js';
import { assertOneOf, assertPositiveInt, describe } from './validate.js';

export interface CompressOptions {
  /** d, cores per TT matrix (d + 1 for the fused cell matrices with an extra gate core). */
  readonly cores: number;
  /** Cut every bond at this rank. */
  readonly rank?: number;
  /** Relative Frobenius accuracy in (0, 1) per matrix. At least one of rank and eps. */
  readonly eps?: number;
  readonly extraCore?: ExtraCore;
  readonly naive?: boolean;
  /** Seeds the noise that fills padded bonds (default 0). */
  readonly seed?: number;
}

export interface MatrixCompression {
  /** As in namedWeights(): `rnn.cell0.input_weights`, …, `head`; naive gates get `.gate{g}`. */
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
  /** The TT shape in the compressed model (uniform rank). */
  readonly shape: TTMatrixShape;
  /** The ranks TT-SVD chose before padding. */
  readonly svdRanks: readonly number[];
  /** ‖W − Ŵ‖_F / ‖W‖_F. */
  readonly relativeError: number;
  /** Dense weights before, TT core entries after (biases not included). */
  readonly paramsBefore: number;
  readonly paramsAfter: number;
}

export interface CompressionResult {
  /** The TT model (the caller owns it). */
  readonly model: SequenceModel;
  readonly matrices: readonly MatrixCompression[];
  /** Whole-model parameter counts (the original's convention). */
  readonly paramsBefore: number;
  readonly paramsAfter: number;
}

interface Decomposed {
  readonly name: string;
  readonly w: tf.Tensor2D;
  readonly modes: { inModes: readonly number[]; outModes: readonly number[] };
  cores: tf.Tensor4D[];
  ranks: number[];
  relativeError: number;
}

function denseOf(map: LinearMap, what: string): Linear {
  if (!(map instanceof Linear))
    throw new Error(`'model' passed to 'compressModel' must be dense, but ${what} is a ${map.constructor.name}`);
  return map;
}

/** Relative size of the entries that fill padded bonds (see padCores). */
export const PAD_NOISE = 1e-3;

/**
 * Pads cores [r_k, m, n, r_{k+1}] to ranks [1, R, …, R, 1]. The new entries
 * are small seeded noise (PAD_NOISE × the core's RMS), not zeros: W changes
 * only by products of two padded entries (relative O(PAD_NOISE²)), while the
 * padded bonds get non-zero gradients, so fine-tuning can use the full rank
 * (with exact zeros both sides of a padded bond would stay zero forever).
 */
async function padCores(cores: readonly tf.Tensor4D[], rank: number, rng: Rng): Promise<tf.Tensor4D[]> {
  const d = cores.length;
  // Read first (asynchronously: webgpu cannot read synchronously), then draw the noise in core order.
  const values = await Promise.all(cores.map((c) => c.data()));
  return cores.map((c, k) => {
    const [r0, m, n, r1] = c.shape;
    const R0 = k === 0 ? 1 : rank;
    const R1 = k === d - 1 ? 1 : rank;
    if (r0 === R0 && r1 === R1) return tf.clone(c);
    const src = values[k]!;
    let ss = 0;
    for (const v of src) ss += v * v;
    const std = PAD_NOISE * Math.sqrt(ss / Math.max(1, src.length));
    const out = rng.normalArray(R0 * m * n * R1, 0, std);
    for (let a = 0; a < r0; a++) {
      for (let j = 0; j < m * n; j++) {
        for (let b = 0; b < r1; b++) out[(a * m * n + j) * R1 + b] = src[(a * m * n + j) * r1 + b]!;
      }
    }
    return tf.tensor4d(out, [R0, m, n, R1]);
  });
}

/**
 * Compresses a dense model; the input model is left untouched. Asynchronous: it reads the weights, which the
 * webgpu backend cannot do synchronously in Node.
 */
export async function compressModel(model: SequenceModel, opts: CompressOptions): Promise<CompressionResult> {
  const fn = 'compressModel';
  const cfg = model.config;
  if (cfg.tt !== null)
    throw new Error(`'model' passed to '${fn}' must be a dense model (config.tt null), got a TT model`);
  if (typeof opts !== 'object' || opts === null)
    throw new Error(`'options' passed to '${fn}' must be an object {cores, rank?, eps?, extraCore?, naive?}`);
  for (const key of Object.keys(opts)) {
    if (!['cores', 'rank', 'eps', 'extraCore', 'naive', 'seed'].includes(key))
      throw new Error(`'options' passed to '${fn}' has an unknown option '${key}'`);
  }
  assertPositiveInt(opts.cores, 'cores', fn);
  if (opts.rank !== undefined) assertPositiveInt(opts.rank, 'rank', fn);
  if (opts.rank === undefined && opts.eps === undefined)
    throw new Error(`'options' passed to '${fn}' must set 'rank' or 'eps', got ${describe(opts)}`);
  if (opts.eps !== undefined && !(typeof opts.eps === 'number' && opts.eps > 0 && opts.eps < 1)) {
    throw new Error(`'eps' passed to '${fn}' must be a number in (0, 1), got ${describe(opts.eps)}`);
  }
  const extraCore = opts.extraCore ?? 'none';
  assertOneOf(extraCore, EXTRA_CORES, 'extraCore', fn);
  const naive = opts.naive ?? false;
  if (naive && extraCore !== 'none')
    throw new Error(`'extraCore' passed to '${fn}' must be 'none' with the naive layout, got '${extraCore}'`);
  if (naive && cfg.cell === 'lstm') {
    throw new Error(
      `'naive' passed to '${fn}': the naive TT-LSTM of the original has no biases, so the dense LSTM's bias would be lost; use the fused layout`,
    );
  }
  if (!(model instanceof SequenceClassifier || model instanceof SpeakerEncoder)) {
    throw new Error(`'model' passed to '${fn}' must be a model made by createModel, loadModel or assembleModel`);
  }
  const parts: { rnn: RNN; head: LinearMap; ge2e?: { w: tf.Variable; b: tf.Variable } } = model;
  const G = GATES[cfg.cell];
  const H = cfg.hiddenSize;
  // Shapes use a placeholder rank: only the modes matter for TT-SVD.
  const layout = { cores: opts.cores, rank: 1, extraCore, naive };
  const svdOpts = {
    ...(opts.rank !== undefined ? { maxRank: opts.rank } : {}),
    ...(opts.eps !== undefined ? { eps: opts.eps } : {}),
  };

  const jobs: Decomposed[] = [];
  const decomposed: Decomposed[] = [];
  try {
    parts.rnn.cells.forEach((cell, l) => {
      const shapes = cellTTShapes(cfg.cell, cell.inputSize, H, layout);
      for (const [which, map, shape] of [
        ['input_weights', cell.inputWeights, shapes.input],
        ['hidden_weights', cell.hiddenWeights, shapes.hidden],
      ] as const) {
        const dense = denseOf(map, `rnn.cell${l}.${which}`);
        const name = `rnn.cell${l}.${which}`;
        if (naive) {
          const blocks = tf.split(dense.weight, G, 1) as tf.Tensor2D[];
          blocks.forEach((w, g) =>
            jobs.push({ name: `${name}.gate${g}`, w, modes: shape, cores: [], ranks: [], relativeError: 0 }),
          );
        } else {
          jobs.push({ name, w: dense.weight, modes: shape, cores: [], ranks: [], relativeError: 0 });
        }
      }
    });
    const head = denseOf(parts.head, 'head');
    jobs.push({
      name: 'head',
      w: head.weight,
      modes: ttMatrixShape(H, cfg.outputSize, opts.cores, 1),
      cores: [],
      ranks: [],
      relativeError: 0,
    });

    for (const job of jobs) {
      const r = await ttMatrixSvd(job.w, job.modes, svdOpts);
      job.cores = r.cores;
      job.ranks = r.ranks;
      job.relativeError = r.relativeError;
      decomposed.push(job);
    }
  } catch (err) {
    for (const j of decomposed) tf.dispose(j.cores);
    if (naive) tf.dispose(jobs.filter((j) => j.name !== 'head').map((j) => j.w));
    throw err;
  }
  const rank =
    opts.rank !== undefined && opts.eps === undefined ? opts.rank : Math.max(1, ...jobs.flatMap((j) => j.ranks));
  const ttConfig = { cores: opts.cores, rank, extraCore, naive };
  const config: ModelConfig = { ...cfg, tt: ttConfig };

  const matrices: MatrixCompression[] = jobs.map((j) => {
    const d = j.modes.inModes.length;
    const shape: TTMatrixShape = {
      inModes: [...j.modes.inModes],
      outModes: [...j.modes.outModes],
      ranks: [1, ...Array<number>(d - 1).fill(rank), 1],
    };
    return {
      name: j.name,
      rows: j.w.shape[0],
      cols: j.w.shape[1],
      shape,
      svdRanks: j.ranks,
      relativeError: j.relativeError,
      paramsBefore: j.w.shape[0] * j.w.shape[1],
      paramsAfter: ttParamCount(shape),
    };
  });
  // Build the TT model; every padded core and copied bias is owned by a layer as soon as it exists.
  const built: LinearMap[] = [];
  const cells: RecurrentCell[] = [];
  const rng = new Rng(opts.seed ?? 0);
  // Padded in the order of `jobs`, which is the order the layers take them in below (the noise's order).
  const padded = new Map<string, tf.Tensor4D[]>();
  const take = (name: string): tf.Tensor4D[] => {
    const cores = padded.get(name)!;
    padded.delete(name);
    return cores;
  };
  const copyBias = (map: LinearMap): tf.Tensor1D | null => {
    const b = map.biasVector();
    return b === null ? null : tf.clone(b);
  };
  let result: SequenceModel;
  try {
    for (const j of jobs) padded.set(j.name, await padCores(j.cores, rank, rng));
    parts.rnn.cells.forEach((cell, l) => {
      const maps: LinearMap[] = [];
      for (const [which, map] of [
        ['input_weights', cell.inputWeights],
        ['hidden_weights', cell.hiddenWeights],
      ] as const) {
        const name = `rnn.cell${l}.${which}`;
        if (naive) {
          const bias = copyBias(map);
          const gb = bias === null ? null : (tf.split(bias, G, 0) as tf.Tensor1D[]);
          bias?.dispose();
          const gates: TTLinear[] = [];
          for (let g = 0; g < G; g++)
            gates.push(new TTLinear(take(`${name}.gate${g}`), gb === null ? tf.zeros([H]) : gb[g]!));
          maps.push(new NaiveTTLinear(gates));
        } else {
          // The fused TT cells carry a bias on both matrices; a dense LSTM's input map has none (zeros).
          maps.push(new TTLinear(take(name), copyBias(map) ?? (tf.zeros([G * H]) as tf.Tensor1D)));
        }
        built.push(maps[maps.length - 1]!);
      }
      const c = cfg.cell === 'lstm' ? new LSTMCell(maps[0]!, maps[1]!) : new GRUCell(maps[0]!, maps[1]!);
      cells.push(c);
    });
    const head = new TTLinear(take('head'), copyBias(parts.head));
    built.push(head);
    const ge2e = parts.ge2e
      ? { w: ownVariable(tf.clone(parts.ge2e.w)), b: ownVariable(tf.clone(parts.ge2e.b)) }
      : undefined;
    result = assembleModel(config, { rnn: new RNN(cells), head, ...(ge2e ? { ge2e } : {}) });
  } catch (err) {
    for (const m of built) m.dispose();
    for (const cores of padded.values()) tf.dispose(cores);
    throw err;
  } finally {
    for (const j of jobs) tf.dispose(j.cores);
    if (naive) tf.dispose(jobs.filter((j) => j.name !== 'head').map((j) => j.w));
  }

  return { model: result, matrices, paramsBefore: model.paramCount(), paramsAfter: result.paramCount() };
}
