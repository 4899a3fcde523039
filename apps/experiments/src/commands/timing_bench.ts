/**
 * The measurement code shared by `pnpm run bench` (bench/run.ts) and `pnpm run exp timing`:
 * benchmark shapes and configurations, the models of @ttrnn/cells, a round-robin timing loop, peak
 * memory, statistics, the table with ratios against the dense LSTM, and the comparison with a stored
 * baseline. It is the workspace's one timing loop: the kernel against the plain tfjs path is its `plain`
 * configurations (`pnpm run bench --shape row-mnist --filter row-mnist/lstm,row-mnist/gru,c2/r8/auto`:
 * both paths of the dense and the TT models).
 *
 * Timing is interleaved: every round measures every configuration once (inference, then one
 * training step), starting from a rotating offset, so a noisy shared machine slows all alike.
 * Only the entry points read the clock; this module receives `now` from them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PRODUCT_MODES, chooseRecurrentPath, createModel } from '@ttrnn/cells';
import type { CellKind, ProductMode, SequenceClassifier } from '@ttrnn/cells';
import { recurrentKernels } from '@ttrnn/kernels';
import { dense, tt } from '../profiles.js';
import { MODEL_NAMES, modelName } from '../experiments/training_run.js';
import type { ModelSpec } from '../profiles.js';
import { textTable } from '../report/format.js';

export const SHAPE_NAMES = ['row-mnist', 'original', 'pixel', 'speaker'] as const;
export type ShapeName = (typeof SHAPE_NAMES)[number];
/** The shapes of `--shape all`: speaker is left out (a GPU shape: one dense training step is minutes on 2 cores). */
export const ALL_SHAPES: readonly ShapeName[] = ['row-mnist', 'original', 'pixel'];

export const MODEL_KINDS = [...MODEL_NAMES, 'tfjs-layers-lstm'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** A benchmark input shape: a sequence classifier over `steps` steps of `input` features. */
export type BenchShape = Readonly<
  { name: ShapeName } & Record<'batch' | 'steps' | 'input' | 'hidden' | 'classes', number>
>;

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

/** Measured rounds at a shape: the long shapes get fewer (the memory pass before the rounds also warms them up). */
export function roundsAt(shape: ShapeName, warmup: number, iterations: number) {
  if (shape === 'row-mnist') return { warmup, iterations };
  const [divisor, least] = shape === 'original' ? [2, 3] : [4, 2];
  return { warmup: 0, iterations: Math.max(least, Math.round(iterations / divisor)) };
}

/**
 * One measured configuration, named as the JSON records name it (bench/results/*.json, `--json`, the GPU
 * bundle's run.mjs; in this key order): a model kind, and `cores`, `rank` and `mode` null for dense models.
 */
export interface BenchConfig {
  readonly shape: ShapeName;
  readonly model: ModelKind;
  readonly cores: number | null;
  readonly rank: number | null;
  /** The TT layers' product mode; null for dense models. */
  readonly mode: ProductMode | null;
  /** Steps per chunk of the checkpointed backward, or null for the ordinary backward. */
  readonly checkpoint: number | null;
  /**
   * 'plain': the recurrent layers on the plain tfjs path of @ttrnn/cells (the cell equations, autodiff);
   * absent: the default path ('auto': the WebAssembly kernel on the wasm backend).
   */
  readonly path?: 'plain';
}

/** A configuration of `spec` at `shape`: TT layers in `mode`, the ordinary backward unless `checkpoint`. */
export function benchConfig(
  shape: ShapeName,
  spec: ModelSpec,
  checkpoint: number | null = null,
  path?: 'plain',
  mode: ProductMode = 'auto',
): BenchConfig {
  const t = spec.tt;
  const layout = t === null ? { cores: null, rank: null, mode: null } : { cores: t.cores, rank: t.rank, mode };
  return { shape, model: modelName(spec), ...layout, checkpoint, ...(path ? { path } : {}) };
}

/** `row-mnist/tt-lstm/c2/r4/auto/plain`: shape, model, TT layout and mode, checkpoint, path. */
export function configId(c: BenchConfig): string {
  const layout = c.cores === null ? [] : [`c${c.cores}`, `r${c.rank}`, String(c.mode)];
  const ck = c.checkpoint === null ? [] : [`ckpt${c.checkpoint}`];
  return [c.shape, c.model, ...layout, ...ck, ...(c.path === 'plain' ? ['plain'] : [])].join('/');
}

/** The label of a configuration in tables (without the shape): `tt-lstm c2 r4 auto plain`. */
export const configLabel = (c: BenchConfig): string => configId(c).split('/').slice(1).join(' ');

/**
 * The grid: dense LSTM/GRU, TT-LSTM/TT-GRU × cores {2,3} × ranks {2,4,8} (original: {2,8}) ×
 * modes, stock LSTM, and the dense and TT (mode auto) models again on the plain tfjs path (the
 * before of the kernel); `quick`: 2 cores, ranks 2 and 8. `filter`: keep the configurations whose id
 * contains one of these comma-separated substrings.
 */
export function benchConfigs(
  shape: ShapeName,
  options: { quick?: boolean; filter?: string | undefined } = {},
): BenchConfig[] {
  const quick = options.quick ?? false;
  const cells = ['lstm', 'gru'] as const;
  const out: BenchConfig[] = [];
  const at = (spec: ModelSpec, checkpoint: number | null, path?: 'plain', mode?: ProductMode) =>
    out.push(benchConfig(shape, spec, checkpoint, path, mode));
  if (shape === 'pixel') {
    // One TT layout per cell (rank 4, auto): checkpointed on the default (kernel) path, unchunked on it (the
    // kernel keeps a few floats per unit and step), and checkpointed on the plain path (which needs it here).
    for (const cell of quick ? cells.slice(0, 1) : cells) {
      for (const v of [[PIXEL_CHUNK], [null], [PIXEL_CHUNK, 'plain']] as [number | null, 'plain'?][]) {
        for (const spec of [dense(cell), tt(cell, 2, 4)]) at(spec, ...v);
      }
    }
  } else if (shape === 'speaker') {
    // The dense encoders and TT encoders of 2 cores (ranks 2 and 8; quick: 8), mode auto, on the default path.
    for (const cell of cells) {
      at(dense(cell), SPEAKER_CHUNK);
      for (const rank of quick ? [8] : [2, 8]) at(tt(cell, 2, rank), SPEAKER_CHUNK);
    }
  } else {
    const layouts = (quick ? [2] : [2, 3]).flatMap((cores) =>
      (quick || shape === 'original' ? [2, 8] : [2, 4, 8]).map((rank) => [cores, rank] as const),
    );
    for (const cell of cells) at(dense(cell), null);
    out.push({ ...benchConfig(shape, dense('lstm')), model: 'tfjs-layers-lstm' });
    for (const cell of cells) {
      for (const [cores, rank] of layouts)
        for (const mode of PRODUCT_MODES) at(tt(cell, cores, rank), null, undefined, mode);
    }
    // The plain tfjs path, in the production mode 'auto': what the kernel replaces.
    for (const cell of cells) {
      at(dense(cell), null, 'plain');
      for (const [cores, rank] of layouts) at(tt(cell, cores, rank), null, 'plain');
    }
  }
  if (options.filter === undefined || options.filter === '') return out;
  const parts = options.filter.split(',').map((s) => s.trim());
  const kept = out.filter((c) => parts.some((p) => p !== '' && configId(c).includes(p)));
  if (kept.length === 0) return kept;
  // The dense LSTM (both paths) is the reference of every ratio: keep it whenever its shape is measured.
  for (const c of out) if (c.model === 'lstm' && !kept.includes(c)) kept.unshift(c);
  return kept;
}

/**
 * The comparison with the original (`pnpm run bench --compare`): row-MNIST, the dense LSTM and the
 * TT-LSTM with 2 cores at ranks 2, 4 and 8 (mode auto), on the default path and on the plain tfjs
 * path, i.e. the models whose times the original's authors' code was measured at (`ORIGINAL_TIMES`).
 */
export function compareConfigs(): BenchConfig[] {
  const specs = [dense('lstm'), ...[2, 4, 8].map((rank) => tt('lstm', 2, rank))];
  return [undefined, 'plain' as const].flatMap((path) => specs.map((s) => benchConfig('row-mnist', s, null, path)));
}

/**
 * The original implementation (the authors' PyTorch model code under Debian's PyTorch 1.13, float32)
 * at the row-MNIST shape on a shared 2-core machine of the kind this project is measured on, medians of
 * [inference, training step] in ms (null: not measured): `quiet`: one thread on a quiet machine;
 * `twoThreads`: PyTorch's default (both cores) in a busier run. Keyed by configuration label (configLabel
 * without the mode).
 */
export const ORIGINAL_TIMES: Readonly<
  Record<string, Record<'quiet' | 'twoThreads', readonly [number | null, number]>>
> = {
  lstm: { quiet: [23, 76], twoThreads: [31, 111] },
  'tt-lstm c2 r2': { quiet: [27, 100], twoThreads: [39, 153] },
  'tt-lstm c2 r4': { quiet: [36, 145], twoThreads: [68, 214] },
  'tt-lstm c2 r8': { quiet: [null, 228], twoThreads: [93, 331] },
};

/**
 * Ratios of this run's row-MNIST times to the original's (`ORIGINAL_TIMES`) and to this run's own
 * dense LSTM: the issue's targets are train and infer ≤ 0.75× the original's for the TT-LSTM, dense
 * LSTM train ≤ 1.5×, and TT-LSTM inference below the own dense LSTM.
 */
export function formatOriginalComparison(records: readonly BenchRecord[]): string {
  const rows = records.filter((r) => r.shape === 'row-mnist' && r.checkpoint === null);
  const dense = rows.find((r) => r.model === 'lstm' && r.path === undefined);
  const header = ['model', 'path', 'threads', 'infer ms', 'train ms', 'cpu i/t ms', 'orig 1t i/t', 'orig 2t i/t'];
  header.push('× train 1t', '× train 2t', '× infer 1t', '× own dense i/t');
  const ms = (v: number | null) => (v === null ? '–' : fmtMs(v));
  const ratio = (a: number, b: number | null) => (b === null ? '–' : (a / b).toFixed(2));
  const body: string[][] = [];
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
      o.quiet.map(ms).join('/'),
      o.twoThreads.map(ms).join('/'),
      ratio(r.trainMs, o.quiet[1]),
      ratio(r.trainMs, o.twoThreads[1]),
      ratio(r.inferMs, o.quiet[0]),
      dense === undefined ? '–' : `${ratio(r.inferMs, dense.inferMs)}/${ratio(r.trainMs, dense.trainMs)}`,
    ]);
  }
  return [
    'Against the original (PyTorch, row-mnist; orig 1t: one thread on a quiet machine, orig 2t: both cores in a busier run; × = ttrnn / original;',
    'cpu: CPU time of all threads, the figure least disturbed by other work on the machine):',
    ...textTable(header, body, 2),
  ].join('\n');
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

/**
 * The sequence classifiers of @ttrnn/cells (`createModel`: last hidden state → head → log-softmax, with a TT
 * head for TT models as in the original), one layer, on the default path (the WebAssembly kernel on the wasm
 * backend) or the plain tfjs path, with or without the checkpointed backward. The stock tf.layers.lstm needs
 * the union @tensorflow/tfjs: bench/run.ts builds it.
 */
export const cellsFactory: ModelFactory = (config, shape, seed) => {
  const cell = config.model.replace(/^tt-/, '') as CellKind;
  const spec = config.cores === null ? dense(cell) : tt(cell, config.cores, config.rank!);
  const model = createModel(
    {
      task: 'classifier',
      ...spec,
      inputSize: shape.input,
      hiddenSize: shape.hidden,
      layers: 1,
      outputSize: shape.classes,
      mode: config.mode ?? 'auto',
      path: config.path ?? 'auto',
      checkpoint: config.checkpoint,
    },
    seed,
  ) as SequenceClassifier;
  const path = chooseRecurrentPath(model.rnn.cells[0]!, model.config.mode, model.config.path);
  return {
    params: model.paramCount(),
    variables: model.namedWeights().map((w) => w.variable),
    apply: (x) => model.apply(x),
    threads: path === 'kernel' ? recurrentKernels().threads : 1,
    dispose: () => model.dispose(),
  };
};

export type Spread = Readonly<Record<'min' | 'q1' | 'q3' | 'max' | 'n', number>>;

/** One measured configuration: medians (ms), spreads, peak memory and parameters. */
export interface BenchRecord extends BenchConfig {
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

export function summarize(samples: readonly number[]): { median: number; spread: Spread } {
  const s = [...samples].sort((a, b) => a - b);
  // Linear-interpolated quantile (NaN without samples).
  const q = (p: number) => {
    const pos = (s.length - 1) * p;
    const lo = Math.floor(pos);
    return s.length === 0 ? Number.NaN : s[lo]! + (s[Math.ceil(pos)]! - s[lo]!) * (pos - lo);
  };
  return { median: q(0.5), spread: { min: q(0), q1: q(0.25), q3: q(0.75), max: q(1), n: s.length } };
}

export interface MeasureOptions {
  /** Discarded and measured rounds at row-mnist (`roundsAt` the others). */
  readonly warmup: number;
  readonly iterations: number;
  /** Replaces the built-in shapes (e.g. the pixel shape at hidden 256). */
  readonly shapes?: Partial<Record<ShapeName, BenchShape>>;
  readonly seed: number;
  /** Milliseconds clock, supplied by the entry point. */
  readonly now: () => number;
  /** Milliseconds of CPU time used by the process (optional, supplied by the entry point). */
  readonly cpuNow?: () => number;
  /** Progress lines (stderr). */
  readonly log?: (line: string) => void;
}

/** Deterministic inputs and one-hot labels for a shape. */
function makeBatch({ batch, steps, input, classes }: BenchShape, seed: number) {
  // A small LCG is enough: the values only have to be finite and reproducible.
  let s = seed >>> 0 || 1;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const xs = Float32Array.from({ length: batch * steps * input }, () => rand() * 2 - 1);
  const onehot = new Float32Array(batch * classes);
  for (let b = 0; b < batch; b++) onehot[b * classes + Math.floor(rand() * classes)] = 1;
  return { x: tf.tensor3d(xs, [batch, steps, input]), labels: tf.tensor2d(onehot, [batch, classes]) };
}

/** Peak tfjs bytes while `f` runs (one untimed pass). */
async function peakBytes(f: () => Promise<void>): Promise<number> {
  // tf.profile records kernels; the checks for NaN it can run read every output, so turn them off.
  const check = tf.env().getBool('CHECK_COMPUTATION_FOR_ERRORS');
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  try {
    return (await tf.profile(f)).peakBytes;
  } finally {
    tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', check);
  }
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
  const { now, log = () => {} } = options;
  const cpu = options.cpuNow ?? (() => 0);
  const records = new Map<BenchConfig, BenchRecord>();
  for (const shapeName of new Set(configs.map((c) => c.shape))) {
    const shape = options.shapes?.[shapeName] ?? SHAPES[shapeName];
    const { warmup, iterations } = roundsAt(shapeName, options.warmup, options.iterations);
    const { x, labels } = makeBatch(shape, options.seed);
    type Peaks = Pick<BenchRecord, 'trainPeakBytes' | 'kernelPeakBytes' | 'inferPeakBytes'>;
    type Slot = { config: BenchConfig; model: BenchModel; optimizer: tf.Optimizer; samples: number[][]; peaks?: Peaks };
    const slots: Slot[] = [];
    const infer = async ({ model }: Slot) => {
      const y = tf.tidy(() => model.apply(x));
      await y.data();
      y.dispose();
    };
    const train = async ({ model, optimizer, config }: Slot) => {
      const nll = () => tf.neg(tf.mean(tf.sum(tf.mul(model.apply(x), labels), 1))) as tf.Scalar;
      const loss = optimizer.minimize(nll, true, model.variables)!;
      const v = await loss.data();
      loss.dispose();
      if (!Number.isFinite(v[0]))
        throw new Error(`training step of ${configId(config)} gave a non-finite loss ${v[0]}`);
    };
    /** Wall and CPU milliseconds of `f`. */
    const timed = async (f: () => Promise<void>) => {
      const [c, t] = [cpu(), now()];
      await f();
      return [now() - t, cpu() - c] as const;
    };
    try {
      for (const config of configs.filter((c) => c.shape === shapeName)) {
        const model = factory(config, shape, options.seed + slots.length);
        slots.push({ config, model, optimizer: tf.train.adam(1e-3), samples: [] });
      }
      // Memory first (one untimed pass each; it also compiles the first kernels).
      for (const slot of slots) {
        const inferPeakBytes = await peakBytes(() => infer(slot));
        recurrentKernels().resetPeakBytes();
        const trainPeakBytes = await peakBytes(() => train(slot));
        slot.peaks = { trainPeakBytes, kernelPeakBytes: recurrentKernels().peakBytes, inferPeakBytes };
      }
      for (let round = 0; round < warmup + iterations; round++) {
        const t0 = now();
        for (let j = 0; j < slots.length; j++) {
          const slot = slots[(j + round) % slots.length]!;
          const [inferMs, inferCpuMs] = await timed(() => infer(slot));
          const [trainMs, trainCpuMs] = await timed(() => train(slot));
          if (round >= warmup) slot.samples.push([inferMs, trainMs, inferCpuMs, trainCpuMs]);
        }
        const [kind, k, of] =
          round < warmup ? ['warm-up', round + 1, warmup] : ['round', round - warmup + 1, iterations];
        log(`${shapeName}: ${kind} ${k}/${of} (${slots.length} configurations, ${((now() - t0) / 1000).toFixed(1)} s)`);
      }
      for (const { config, model, samples, peaks } of slots) {
        // samples: [infer, train, infer CPU, train CPU] ms of every measured round.
        const stat = (k: number) => summarize(samples.map((s) => s[k]!));
        const [inf, tr] = [stat(0), stat(1)];
        records.set(config, {
          ...config,
          steps: shape.steps,
          hidden: shape.hidden,
          batch: shape.batch,
          params: model.params,
          threads: model.threads,
          inferMs: inf.median,
          trainMs: tr.median,
          ...(options.cpuNow === undefined ? {} : { inferCpuMs: stat(2).median, trainCpuMs: stat(3).median }),
          inferSpread: inf.spread,
          trainSpread: tr.spread,
          ...peaks!,
        });
      }
    } finally {
      for (const slot of slots) {
        slot.model.dispose();
        slot.optimizer.dispose();
      }
      tf.dispose([x, labels]);
    }
  }
  return configs.map((c) => records.get(c)!);
}

const fmtMs = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/**
 * A plain-text table per shape: params, inference and training medians with [q1–q3], ratios
 * against the dense LSTM of the same shape, and peak training memory.
 */
export function formatTable(records: readonly BenchRecord[]): string {
  const lines: string[] = [];
  for (const shapeName of new Set(records.map((r) => r.shape))) {
    const rows = records.filter((r) => r.shape === shapeName);
    const { input, classes } = SHAPES[shapeName];
    const { batch, steps, hidden } = rows[0]!;
    const ref = rows.find((r) => r.model === 'lstm' && r.path === undefined) ?? rows.find((r) => r.model === 'lstm');
    lines.push(
      `${shapeName}: batch ${batch}, ${steps} steps, input ${input}, hidden ${hidden}, ${classes} classes (ms: median [q1–q3]; ×: ratio to dense lstm)`,
    );
    const times = (what: string) => [`${what} ms`, '[q1–q3]', '×'];
    const header = ['model', 'params', ...times('infer'), ...times('train'), 'peak MiB', 'kernel MiB'];
    const stats = (ms: number, spread: Spread, refMs: number | undefined) => [
      fmtMs(ms),
      `[${fmtMs(spread.q1)}–${fmtMs(spread.q3)}]`,
      refMs === undefined ? '' : (ms / refMs).toFixed(2),
    ];
    const body = rows.map((r) => [
      configLabel(r),
      String(r.params),
      ...stats(r.inferMs, r.inferSpread, ref?.inferMs),
      ...stats(r.trainMs, r.trainSpread, ref?.trainMs),
      ...[r.trainPeakBytes, r.kernelPeakBytes ?? 0].map((b) => (b / 2 ** 20).toFixed(1)),
    ]);
    lines.push(...textTable(header, body, 1), '');
  }
  return lines.join('\n');
}

/** Median ratios current/baseline for configurations present in both, flagged beyond ±tolerance. */
export function formatComparison(current: readonly BenchRecord[], baseline: readonly BenchRecord[]): string {
  const tolerance = 0.25;
  // Configuration and size: a run at another batch or hidden size is not compared with the baseline.
  const key = (r: BenchRecord) => `${configId(r)}@b${r.batch}s${r.steps}h${r.hidden}`;
  const base = new Map(baseline.map((r) => [key(r), r]));
  const flag = (x: number) => (Math.abs(x - 1) > tolerance ? '!' : ' ');
  const change = (b: number, r: number) =>
    `${fmtMs(b).padStart(6)} → ${fmtMs(r).padStart(6)} (${(r / b).toFixed(2)}${flag(r / b)})`;
  const lines = current.flatMap((r) => {
    const b = base.get(key(r));
    return b === undefined
      ? []
      : [`  ${configId(r).padEnd(40)} infer ${change(b.inferMs, r.inferMs)}  train ${change(b.trainMs, r.trainMs)}`];
  });
  return [
    'Against baseline.json (ratio current/baseline of the medians; ! beyond ±' + (tolerance * 100).toFixed(0) + '%):',
    ...(lines.length === 0 ? ['  (no configuration in common)'] : lines),
  ].join('\n');
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
    if (!MODEL_KINDS.includes(o!.model!)) {
      throw new Error(
        `${file}: record ${i}: model must be one of ${MODEL_KINDS.join(', ')}, got '${String(o!.model)}'`,
      );
    }
  }
  return value as BenchRecord[];
}
