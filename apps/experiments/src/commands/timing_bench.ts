/**
 * The measurement code shared by `pnpm run bench` (bench/run.ts) and `pnpm run exp timing`:
 * benchmark shapes and configurations, a round-robin timing loop, peak memory, statistics, the
 * table with ratios against the dense LSTM, and the comparison with a stored baseline. It is the
 * workspace's one timing loop: the kernel against the plain tfjs path is its `plain` configurations
 * (`pnpm run bench --shape row-mnist --filter row-mnist/lstm,row-mnist/gru,c2/r8/auto`: both paths of
 * the dense and the TT models).
 *
 * Timing is interleaved: every round measures every configuration once (inference, then one
 * training step), starting from a rotating offset, so a noisy shared machine slows all alike.
 * Only the entry points read the clock; this module receives `now` from them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PRODUCT_MODES } from '@ttrnn/cells';
import type { ProductMode } from '@ttrnn/cells';
import type { CellKind } from '@ttrnn/cells';
import { dense, modelName, tt } from '../profiles.js';
import type { ModelSpec } from '../profiles.js';
import { textTable } from '../report/format.js';

export const SHAPE_NAMES = ['row-mnist', 'original', 'pixel', 'speaker'] as const;
export type ShapeName = (typeof SHAPE_NAMES)[number];
/** The shapes of `--shape all`: speaker is left out (a GPU shape: one dense training step is minutes on 2 cores). */
export const ALL_SHAPES: readonly ShapeName[] = ['row-mnist', 'original', 'pixel'];

export const MODEL_KINDS = ['lstm', 'gru', 'tt-lstm', 'tt-gru', 'tfjs-layers-lstm'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** A benchmark input shape: a sequence classifier over `steps` steps of `input` features. */
export interface BenchShape {
  readonly name: ShapeName;
  readonly batch: number;
  readonly steps: number;
  readonly input: number;
  readonly hidden: number;
  readonly classes: number;
}

/**
 * row-mnist is the paper's classifier (and the shape the original's code was timed at: the
 * report's speed table). original is the large shape of the original's experiments
 * (160 steps of 256 features, hidden 512) at batch 16, ranks 2 and 8 only: at batch 128 one
 * dense training step takes over ten seconds on one wasm thread, and per-step TT contractions
 * at batch 32 peak at 3.5 GiB of the 4 GiB wasm heap. pixel is permuted pixel MNIST (784 steps of one pixel, hidden 128)
 * at batch 128, trained with the checkpointed backward of @ttrnn/cells: the ordinary backward
 * needs about 5.2 MiB per step there (4.1 GiB in all), beyond the wasm heap. speaker is the authors' speaker
 * encoder (a batch of 16 speakers × 32 utterances, 160 frames of 40 mel channels, hidden 768, a 256-wide
 * projection as the head), trained with the checkpointed backward as `exp speaker` trains it at this size: the
 * shape to measure on a GPU.
 */
export const SHAPES: Readonly<Record<ShapeName, BenchShape>> = {
  'row-mnist': { name: 'row-mnist', batch: 128, steps: 28, input: 28, hidden: 256, classes: 10 },
  original: { name: 'original', batch: 16, steps: 160, input: 256, hidden: 512, classes: 10 },
  pixel: { name: 'pixel', batch: 128, steps: 784, input: 1, hidden: 128, classes: 10 },
  speaker: { name: 'speaker', batch: 16 * 32, steps: 160, input: 40, hidden: 768, classes: 256 },
};

/** Steps per checkpointed chunk at the pixel shape (√784). */
export const PIXEL_CHUNK = 28;
/** Steps per checkpointed chunk at the speaker shape (what `exp speaker` chooses at hidden 768, 16 × 32). */
export const SPEAKER_CHUNK = 16;

/**
 * One measured configuration: a model of @ttrnn/cells (`tt: null`: dense) at a shape, or the stock
 * tf.layers.lstm (`stock`, with cell 'lstm' and tt null).
 */
export interface BenchConfig extends ModelSpec {
  readonly shape: ShapeName;
  /** The TT layers' product mode; null for dense models. */
  readonly mode: ProductMode | null;
  /** Steps per chunk of the checkpointed backward, or null for the ordinary backward. */
  readonly checkpoint: number | null;
  /**
   * 'plain': the recurrent layers on the plain tfjs path of @ttrnn/cells (the cell equations, autodiff);
   * absent: the default path ('auto': the WebAssembly kernel on the wasm backend).
   */
  readonly path?: 'plain';
  /** The stock tf.layers.lstm instead of the cells' LSTM. */
  readonly stock?: true;
}

/**
 * A configuration as the JSON records name it (bench/results/*.json, `--json`, the GPU bundle's run.mjs):
 * a model kind, and `cores`, `rank` and `mode` null for dense models.
 */
export interface RecordConfig {
  readonly shape: ShapeName;
  readonly model: ModelKind;
  readonly cores: number | null;
  readonly rank: number | null;
  readonly mode: ProductMode | null;
  readonly checkpoint: number | null;
  readonly path?: 'plain';
}

/**
 * The JSON boundary, both ways: `toRecordConfig` gives a configuration's record fields (in the records'
 * key order), `fromRecordConfig` the configuration of a record (e.g. of baseline.json).
 */
export function toRecordConfig(c: BenchConfig): RecordConfig {
  const model: ModelKind = c.stock === true ? 'tfjs-layers-lstm' : modelName(c);
  const tt = c.tt === null ? { cores: null, rank: null } : { cores: c.tt.cores, rank: c.tt.rank };
  return { shape: c.shape, model, ...tt, mode: c.mode, checkpoint: c.checkpoint, ...pathOf(c) };
}

export function fromRecordConfig(r: RecordConfig): BenchConfig {
  if (!(MODEL_KINDS as readonly string[]).includes(r.model))
    throw new Error(`bench record model must be one of ${MODEL_KINDS.join(', ')}, got '${String(r.model)}'`);
  const base = { shape: r.shape, mode: r.mode, checkpoint: r.checkpoint, ...pathOf(r) };
  if (r.model === 'tfjs-layers-lstm') return { ...base, ...dense('lstm'), stock: true };
  const spec = r.model.startsWith('tt-')
    ? tt(r.model.slice(3) as CellKind, r.cores!, r.rank!)
    : dense(r.model as CellKind);
  return { ...base, ...spec };
}

const pathOf = (c: { readonly path?: 'plain' | undefined }) => (c.path === undefined ? {} : { path: c.path });

/** A configuration of `spec` at `shape`: TT layers in `mode`, the ordinary backward unless `checkpoint`. */
export function benchConfig(
  shape: ShapeName,
  spec: ModelSpec,
  checkpoint: number | null = null,
  path?: 'plain',
  mode: ProductMode = 'auto',
): BenchConfig {
  return { shape, ...spec, mode: spec.tt === null ? null : mode, checkpoint, ...pathOf({ path }) };
}

/** The parts of a configuration's id and label: model, TT layout and mode, checkpoint, path. */
function configParts(c: BenchConfig): string[] {
  const r = toRecordConfig(c);
  const layout = c.tt === null ? [] : [`c${c.tt.cores}`, `r${c.tt.rank}`, String(c.mode)];
  const ck = c.checkpoint === null ? [] : [`ckpt${c.checkpoint}`];
  return [r.model, ...layout, ...ck, ...(c.path === 'plain' ? ['plain'] : [])];
}

/** `row-mnist/tt-lstm/c2/r4/auto/plain`. */
export function configId(c: BenchConfig): string {
  return [c.shape, ...configParts(c)].join('/');
}

/** The label of a configuration in tables (without the shape): `tt-lstm c2 r4 auto plain`. */
export function configLabel(c: BenchConfig): string {
  return configParts(c).join(' ');
}

export interface ConfigOptions {
  /** Fewer configurations: ranks 2 and 8, 2 cores only. */
  readonly quick?: boolean;
  /** Keep only configurations whose id contains one of these substrings (comma-separated). */
  readonly filter?: string;
  /** Leave out the stock tf.layers.lstm (it needs the union @tensorflow/tfjs). */
  readonly withStock?: boolean;
  /** TT cells only (and the dense baselines). */
  readonly cells?: readonly ('lstm' | 'gru')[];
}

/**
 * The grid: dense LSTM/GRU, TT-LSTM/TT-GRU × cores {2,3} × ranks {2,4,8} (original: {2,8}) ×
 * modes, stock LSTM, and the dense and TT (mode auto) models again on the plain tfjs path (the
 * before of the kernel); `quick`: 2 cores, ranks 2 and 8.
 */
export function benchConfigs(shape: ShapeName, options: ConfigOptions = {}): BenchConfig[] {
  const quick = options.quick ?? false;
  const cells = options.cells ?? ['lstm', 'gru'];
  const out: BenchConfig[] = [];
  const at = (spec: ModelSpec, checkpoint: number | null, path?: 'plain', mode?: ProductMode) =>
    benchConfig(shape, spec, checkpoint, path, mode);
  if (shape === 'pixel') {
    // One TT layout per cell (rank 4, auto): checkpointed on the default (kernel) path, unchunked on it (the
    // kernel keeps a few floats per unit and step), and checkpointed on the plain path (which needs it here).
    for (const cell of quick ? cells.slice(0, 1) : cells) {
      for (const [checkpoint, path] of [
        [PIXEL_CHUNK, undefined],
        [null, undefined],
        [PIXEL_CHUNK, 'plain'],
      ] as const) {
        out.push(at(dense(cell), checkpoint, path), at(tt(cell, 2, 4), checkpoint, path));
      }
    }
    return filterConfigs(out, options.filter);
  }
  if (shape === 'speaker') {
    // The dense encoders and TT encoders of 2 cores (ranks 2 and 8; quick: 8), mode auto, on the default path.
    for (const cell of cells) {
      out.push(at(dense(cell), SPEAKER_CHUNK));
      for (const rank of quick ? [8] : [2, 8]) out.push(at(tt(cell, 2, rank), SPEAKER_CHUNK));
    }
    return filterConfigs(out, options.filter);
  }
  for (const cell of cells) out.push(at(dense(cell), null));
  if (options.withStock ?? true) out.push({ ...at(dense('lstm'), null), stock: true });
  const coreCounts = quick ? [2] : [2, 3];
  const ranks = quick || shape === 'original' ? [2, 8] : [2, 4, 8];
  for (const cell of cells) {
    for (const cores of coreCounts) {
      for (const rank of ranks) {
        for (const mode of PRODUCT_MODES) out.push(at(tt(cell, cores, rank), null, undefined, mode));
      }
    }
  }
  // The plain tfjs path, in the production mode 'auto': what the kernel replaces.
  for (const cell of cells) {
    out.push(at(dense(cell), null, 'plain'));
    for (const cores of coreCounts) {
      for (const rank of ranks) out.push(at(tt(cell, cores, rank), null, 'plain'));
    }
  }
  return filterConfigs(out, options.filter);
}

/**
 * The comparison with the original (`pnpm run bench --compare`): row-MNIST, the dense LSTM and the
 * TT-LSTM with 2 cores at ranks 2, 4 and 8 (mode auto), on the default path and on the plain tfjs
 * path, i.e. the models whose times the original's authors' code was measured at (`ORIGINAL_TIMES`).
 */
export function compareConfigs(): BenchConfig[] {
  const out: BenchConfig[] = [];
  for (const path of [undefined, 'plain'] as const) {
    const specs = [dense('lstm'), ...[2, 4, 8].map((rank) => tt('lstm', 2, rank))];
    out.push(...specs.map((spec) => benchConfig('row-mnist', spec, null, path)));
  }
  return out;
}

/** A time of the original's PyTorch code (ms), or null where it was not measured. */
export interface OriginalTime {
  readonly inferMs: number | null;
  readonly trainMs: number;
}

/**
 * The original implementation (the authors' PyTorch model code under Debian's PyTorch 1.13, float32)
 * at the row-MNIST shape on a shared 2-core machine of the kind this project is measured on, medians:
 * `quiet`: one thread on a quiet machine; `twoThreads`: PyTorch's default (both cores) in a busier run.
 * Keyed by configuration label (configLabel without the mode).
 */
export const ORIGINAL_TIMES: Readonly<
  Record<string, { readonly quiet: OriginalTime; readonly twoThreads: OriginalTime }>
> = {
  lstm: { quiet: { inferMs: 23, trainMs: 76 }, twoThreads: { inferMs: 31, trainMs: 111 } },
  'tt-lstm c2 r2': { quiet: { inferMs: 27, trainMs: 100 }, twoThreads: { inferMs: 39, trainMs: 153 } },
  'tt-lstm c2 r4': { quiet: { inferMs: 36, trainMs: 145 }, twoThreads: { inferMs: 68, trainMs: 214 } },
  'tt-lstm c2 r8': { quiet: { inferMs: null, trainMs: 228 }, twoThreads: { inferMs: 93, trainMs: 331 } },
};

/**
 * Ratios of this run's row-MNIST times to the original's (`ORIGINAL_TIMES`) and to this run's own
 * dense LSTM: the issue's targets are train and infer ≤ 0.75× the original's for the TT-LSTM, dense
 * LSTM train ≤ 1.5×, and TT-LSTM inference below the own dense LSTM.
 */
export function formatOriginalComparison(records: readonly BenchRecord[]): string {
  const rows = records.filter(
    (r) =>
      r.shape === 'row-mnist' &&
      r.checkpoint === null &&
      (r.model === 'lstm' || (r.model === 'tt-lstm' && r.cores === 2)),
  );
  const dense = rows.find((r) => r.model === 'lstm' && r.path === undefined);
  const lines = [
    'Against the original (PyTorch, row-mnist; orig 1t: one thread on a quiet machine, orig 2t: both cores in a busier run; × = ttrnn / original;',
    'cpu: CPU time of all threads, the figure least disturbed by other work on the machine):',
  ];
  const times = ['model', 'path', 'threads', 'infer ms', 'train ms', 'cpu i/t ms', 'orig 1t i/t', 'orig 2t i/t'];
  const header = [...times, '× train 1t', '× train 2t', '× infer 1t', '× own dense i/t'];
  const body: string[][] = [];
  const ms = (v: number | null) => (v === null ? '–' : fmtMs(v));
  const ratio = (a: number, b: number | null) => (b === null ? '–' : (a / b).toFixed(2));
  for (const r of rows) {
    const key = r.cores === null ? r.model : `${r.model} c${r.cores} r${r.rank}`;
    const o = ORIGINAL_TIMES[key];
    if (o === undefined) continue;
    body.push([
      key + (r.mode === null ? '' : ` ${r.mode}`),
      r.path ?? 'default',
      String(r.threads),
      fmtMs(r.inferMs),
      fmtMs(r.trainMs),
      r.inferCpuMs === undefined || r.trainCpuMs === undefined ? '–' : `${fmtMs(r.inferCpuMs)}/${fmtMs(r.trainCpuMs)}`,
      `${ms(o.quiet.inferMs)}/${ms(o.quiet.trainMs)}`,
      `${ms(o.twoThreads.inferMs)}/${ms(o.twoThreads.trainMs)}`,
      ratio(r.trainMs, o.quiet.trainMs),
      ratio(r.trainMs, o.twoThreads.trainMs),
      ratio(r.inferMs, o.quiet.inferMs),
      dense === undefined ? '–' : `${ratio(r.inferMs, dense.inferMs)}/${ratio(r.trainMs, dense.trainMs)}`,
    ]);
  }
  lines.push(...textTable(header, body, 2));
  return lines.join('\n');
}

export function filterConfigs(configs: BenchConfig[], filter: string | undefined): BenchConfig[] {
  if (filter === undefined || filter === '') return configs;
  const parts = filter
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  // The dense LSTM is the reference of every ratio: keep it whenever its shape is measured.
  const kept = configs.filter((c) => parts.some((p) => configId(c).includes(p)));
  for (const c of configs) {
    if (
      c.cell === 'lstm' &&
      c.tt === null &&
      c.stock !== true &&
      kept.some((k) => k.shape === c.shape) &&
      !kept.includes(c)
    )
      kept.unshift(c);
  }
  return kept;
}

/** What the timing loop needs from a model. */
export interface BenchModel {
  readonly params: number;
  /** The trainable variables, in a fixed order. */
  readonly variables: tf.Variable[];
  /** x [batch, steps, features] → log-probabilities [batch, classes]. */
  apply(x: tf.Tensor3D): tf.Tensor2D;
  /** Threads its recurrent layers run on (1 for tfjs's own ops). */
  readonly threads: number;
  dispose(): void;
}

export type ModelFactory = (config: BenchConfig, shape: BenchShape, seed: number) => BenchModel;

export interface Spread {
  readonly min: number;
  readonly q1: number;
  readonly q3: number;
  readonly max: number;
  readonly n: number;
}

/** One measured configuration: medians (ms), spreads, peak memory and parameters. */
export interface BenchRecord extends RecordConfig {
  /** Threads of the recurrent kernels (1 on the plain path, which runs on tfjs's single wasm thread). */
  readonly threads: number;
  readonly steps: number;
  readonly hidden: number;
  readonly batch: number;
  readonly params: number;
  readonly inferMs: number;
  readonly trainMs: number;
  /**
   * Medians of the process's CPU time (all threads) per inference and training step, when the entry
   * point supplies a CPU clock: on a loaded machine, with one kernel thread, the closest figure to the
   * wall time of a quiet one.
   */
  readonly inferCpuMs?: number;
  readonly trainCpuMs?: number;
  readonly inferSpread: Spread;
  readonly trainSpread: Spread;
  /** Peak bytes held by tfjs tensors during one training step (tf.profile), including weights. */
  readonly trainPeakBytes: number;
  /** Peak bytes of the recurrent kernels' own memory during one training step (0 on the plain path). */
  readonly kernelPeakBytes: number;
  /** Peak bytes during one inference pass. */
  readonly inferPeakBytes: number;
}

/** Linear-interpolated quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summarize(samples: readonly number[]): { median: number; spread: Spread } {
  const s = [...samples].sort((a, b) => a - b);
  return {
    median: quantile(s, 0.5),
    spread: {
      min: s[0] ?? Number.NaN,
      q1: quantile(s, 0.25),
      q3: quantile(s, 0.75),
      max: s[s.length - 1] ?? Number.NaN,
      n: s.length,
    },
  };
}

export interface MeasureOptions {
  /** Discarded rounds before measuring. */
  readonly warmup: number;
  /** Measured rounds. */
  readonly iterations: number;
  /** Per-shape overrides (the original shape is slow). */
  readonly perShape?: Partial<Record<ShapeName, { warmup: number; iterations: number }>>;
  /** Replaces the built-in shapes (e.g. the pixel shape at hidden 256). */
  readonly shapes?: Partial<Record<ShapeName, BenchShape>>;
  readonly seed: number;
  /** Milliseconds clock, supplied by the entry point. */
  readonly now: () => number;
  /** Milliseconds of CPU time used by the process (optional, supplied by the entry point). */
  readonly cpuNow?: () => number;
  /** Progress lines (stderr). */
  readonly log?: (line: string) => void;
  /** The recurrent kernels' peak-memory counter (`recurrentKernels()`), read around one training step. */
  readonly kernelMemory?: { resetPeakBytes(): void; readonly peakBytes: number };
}

/** Deterministic inputs and labels for a shape. */
function makeBatch(shape: BenchShape, seed: number): { x: tf.Tensor3D; labels: tf.Tensor2D } {
  // A small LCG is enough: the values only have to be finite and reproducible.
  let s = seed >>> 0 || 1;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const n = shape.batch * shape.steps * shape.input;
  const xs = new Float32Array(n);
  for (let i = 0; i < n; i++) xs[i] = rand() * 2 - 1;
  const onehot = new Float32Array(shape.batch * shape.classes);
  for (let b = 0; b < shape.batch; b++) onehot[b * shape.classes + Math.floor(rand() * shape.classes)] = 1;
  return {
    x: tf.tensor3d(xs, [shape.batch, shape.steps, shape.input]),
    labels: tf.tensor2d(onehot, [shape.batch, shape.classes]),
  };
}

/** Mean negative log-likelihood against one-hot labels. */
function nll(logProbs: tf.Tensor2D, onehot: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(logProbs, onehot), 1))) as tf.Scalar;
}

interface Slot {
  readonly config: BenchConfig;
  readonly shape: BenchShape;
  readonly model: BenchModel;
  readonly optimizer: tf.Optimizer;
  readonly data: { x: tf.Tensor3D; labels: tf.Tensor2D };
  readonly infer: number[];
  readonly train: number[];
  readonly inferCpu: number[];
  readonly trainCpu: number[];
  inferPeak: number;
  trainPeak: number;
  kernelPeak: number;
}

async function inferOnce(slot: Slot): Promise<void> {
  const y = tf.tidy(() => slot.model.apply(slot.data.x));
  await y.data();
  y.dispose();
}

async function trainOnce(slot: Slot): Promise<void> {
  const { model, data, optimizer } = slot;
  const loss = optimizer.minimize(() => nll(model.apply(data.x), data.labels), true, model.variables);
  if (loss === null) throw new Error(`training step of ${configId(slot.config)} returned no loss`);
  const v = await loss.data();
  loss.dispose();
  if (!Number.isFinite(v[0]))
    throw new Error(`training step of ${configId(slot.config)} gave a non-finite loss ${v[0]}`);
}

/** Peak tfjs bytes while `f` runs (one untimed pass). */
async function peakBytes(f: () => Promise<void>): Promise<number> {
  let peak = 0;
  // tf.profile records kernels; the checks for NaN it can run read every output, so turn them off.
  const check = tf.env().getBool('CHECK_COMPUTATION_FOR_ERRORS');
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  try {
    const info = await tf.profile(async () => {
      await f();
    });
    peak = info.peakBytes;
  } finally {
    tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', check);
  }
  return peak;
}

/**
 * Builds every configuration, measures them round-robin and returns one record each, in the
 * order given. Shapes are measured one after the other (each with its own rounds).
 */
export async function measureConfigs(
  configs: readonly BenchConfig[],
  factory: ModelFactory,
  options: MeasureOptions,
): Promise<BenchRecord[]> {
  const log = options.log ?? (() => {});
  const records = new Map<BenchConfig, BenchRecord>();
  const shapes = [...new Set(configs.map((c) => c.shape))];
  for (const shapeName of shapes) {
    const shape = options.shapes?.[shapeName] ?? SHAPES[shapeName];
    const group = configs.filter((c) => c.shape === shapeName);
    const rounds = options.perShape?.[shapeName] ?? { warmup: options.warmup, iterations: options.iterations };
    const data = makeBatch(shape, options.seed);
    const slots: Slot[] = [];
    try {
      for (const [i, config] of group.entries()) {
        const model = factory(config, shape, options.seed + i);
        slots.push({
          config,
          shape,
          model,
          optimizer: tf.train.adam(1e-3),
          data,
          infer: [],
          train: [],
          inferCpu: [],
          trainCpu: [],
          inferPeak: 0,
          trainPeak: 0,
          kernelPeak: 0,
        });
      }
      // Memory first (one untimed pass each; it also compiles the first kernels).
      for (const slot of slots) {
        slot.inferPeak = await peakBytes(() => inferOnce(slot));
        options.kernelMemory?.resetPeakBytes();
        slot.trainPeak = await peakBytes(() => trainOnce(slot));
        slot.kernelPeak = options.kernelMemory?.peakBytes ?? 0;
      }
      const total = rounds.warmup + rounds.iterations;
      for (let round = 0; round < total; round++) {
        const t0 = options.now();
        for (let j = 0; j < slots.length; j++) {
          const slot = slots[(j + round) % slots.length]!;
          const cpu = options.cpuNow ?? (() => 0);
          let c = cpu();
          let t = options.now();
          await inferOnce(slot);
          const inferMs = options.now() - t;
          const inferCpuMs = cpu() - c;
          c = cpu();
          t = options.now();
          await trainOnce(slot);
          const trainMs = options.now() - t;
          const trainCpuMs = cpu() - c;
          if (round >= rounds.warmup) {
            slot.infer.push(inferMs);
            slot.train.push(trainMs);
            slot.inferCpu.push(inferCpuMs);
            slot.trainCpu.push(trainCpuMs);
          }
        }
        const kind = round < rounds.warmup ? 'warm-up' : 'round';
        const k = round < rounds.warmup ? round + 1 : round - rounds.warmup + 1;
        const of = round < rounds.warmup ? rounds.warmup : rounds.iterations;
        log(
          `${shapeName}: ${kind} ${k}/${of} (${slots.length} configurations, ${((options.now() - t0) / 1000).toFixed(1)} s)`,
        );
      }
      for (const slot of slots) {
        const inf = summarize(slot.infer);
        const tr = summarize(slot.train);
        records.set(slot.config, {
          ...toRecordConfig(slot.config),
          steps: shape.steps,
          hidden: shape.hidden,
          batch: shape.batch,
          params: slot.model.params,
          threads: slot.model.threads,
          inferMs: inf.median,
          trainMs: tr.median,
          ...(options.cpuNow === undefined
            ? {}
            : { inferCpuMs: summarize(slot.inferCpu).median, trainCpuMs: summarize(slot.trainCpu).median }),
          inferSpread: inf.spread,
          trainSpread: tr.spread,
          trainPeakBytes: slot.trainPeak,
          kernelPeakBytes: slot.kernelPeak,
          inferPeakBytes: slot.inferPeak,
        });
      }
    } finally {
      for (const slot of slots) {
        slot.model.dispose();
        slot.optimizer.dispose();
      }
      tf.dispose([data.x, data.labels]);
    }
  }
  return configs.map((c) => records.get(c)!);
}

function fmtMs(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function fmtMiB(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

/** Configuration and size: a run at another batch or hidden size is not compared with the baseline. */
function recordKey(r: BenchRecord): string {
  return `${configId(fromRecordConfig(r))}@b${r.batch}s${r.steps}h${r.hidden}`;
}

/**
 * A plain-text table per shape: params, inference and training medians with [q1–q3], ratios
 * against the dense LSTM of the same shape, and peak training memory.
 */
export function formatTable(records: readonly BenchRecord[]): string {
  const lines: string[] = [];
  const shapes = [...new Set(records.map((r) => r.shape))];
  for (const shapeName of shapes) {
    const rows = records.filter((r) => r.shape === shapeName);
    const shape = SHAPES[shapeName];
    const first = rows[0]!;
    const ref = rows.find((r) => r.model === 'lstm' && r.path === undefined) ?? rows.find((r) => r.model === 'lstm');
    lines.push(
      `${shapeName}: batch ${first.batch}, ${first.steps} steps, input ${shape.input}, hidden ${first.hidden}, ${shape.classes} classes (ms: median [q1–q3]; ×: ratio to dense lstm)`,
    );
    const times = (what: string) => [`${what} ms`, '[q1–q3]', '×'];
    const header = ['model', 'params', ...times('infer'), ...times('train'), 'peak MiB', 'kernel MiB'];
    const body = rows.map((r) => [
      configLabel(fromRecordConfig(r)),
      String(r.params),
      fmtMs(r.inferMs),
      `[${fmtMs(r.inferSpread.q1)}–${fmtMs(r.inferSpread.q3)}]`,
      ref ? (r.inferMs / ref.inferMs).toFixed(2) : '',
      fmtMs(r.trainMs),
      `[${fmtMs(r.trainSpread.q1)}–${fmtMs(r.trainSpread.q3)}]`,
      ref ? (r.trainMs / ref.trainMs).toFixed(2) : '',
      fmtMiB(r.trainPeakBytes),
      fmtMiB(r.kernelPeakBytes ?? 0),
    ]);
    lines.push(...textTable(header, body, 1), '');
  }
  return lines.join('\n');
}

/** Median ratios current/baseline for configurations present in both, flagged beyond ±tolerance. */
export function formatComparison(
  current: readonly BenchRecord[],
  baseline: readonly BenchRecord[],
  tolerance = 0.25,
): string {
  const base = new Map(baseline.map((r) => [recordKey(r), r]));
  const lines = [
    'Against baseline.json (ratio current/baseline of the medians; ! beyond ±' + (tolerance * 100).toFixed(0) + '%):',
  ];
  let n = 0;
  for (const r of current) {
    const b = base.get(recordKey(r));
    if (b === undefined) continue;
    n++;
    const ri = r.inferMs / b.inferMs;
    const rt = r.trainMs / b.trainMs;
    const flag = (x: number) => (Math.abs(x - 1) > tolerance ? '!' : ' ');
    lines.push(
      `  ${configId(fromRecordConfig(r)).padEnd(40)} infer ${fmtMs(b.inferMs).padStart(6)} → ${fmtMs(r.inferMs).padStart(6)} (${ri.toFixed(2)}${flag(ri)})` +
        `  train ${fmtMs(b.trainMs).padStart(6)} → ${fmtMs(r.trainMs).padStart(6)} (${rt.toFixed(2)}${flag(rt)})`,
    );
  }
  if (n === 0) lines.push('  (no configuration in common)');
  return lines.join('\n');
}

/** Checks a parsed JSON value is an array of bench records (for baseline.json). */
export function parseRecords(value: unknown, file: string): BenchRecord[] {
  if (!Array.isArray(value)) throw new Error(`${file}: expected a JSON array of bench records`);
  for (const [i, r] of value.entries()) {
    const o = r as Partial<BenchRecord> | null;
    const types = [typeof o?.shape, typeof o?.model, typeof o?.inferMs, typeof o?.trainMs].join();
    if (typeof o !== 'object' || types !== 'string,string,number,number') {
      throw new Error(`${file}: record ${i} is not a bench record (needs shape, model, inferMs, trainMs)`);
    }
  }
  return value as BenchRecord[];
}
