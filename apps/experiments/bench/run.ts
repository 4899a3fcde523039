/**
 * `pnpm run bench [--json] [--shape row-mnist|original|pixel|speaker|all] [--quick] [--filter S] [--backend B] [--threads N] [--compare] [--batch N]`
 *
 * `--compare`: the row-MNIST models the original's code was timed at, on the default (kernel) and
 * the plain path, with their ratios to the original's times and to the own dense LSTM.
 *
 * Inference and training-step time, peak memory and parameters of dense LSTM/GRU, TT-LSTM/TT-GRU
 * (2 and 3 cores, ranks 2/4/8, per-step / rebuilt / auto) and the stock tf.layers.lstm, measured
 * round-robin. Writes bench/results/latest.json and compares with bench/results/baseline.json
 * when present (`--save-baseline` writes the run there). With --json, stdout holds only the JSON
 * array of records; the table and progress go to stderr.
 */
import * as tfl from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKEND_NAMES, describeBackend, initBackend } from '@ttrnn/backend';
import { SEED_MAX, UsageError, parseArgs, usage } from '../src/args.js';
import type { OptionSpecs } from '../src/args.js';
import {
  ALL_SHAPES,
  SHAPES,
  SHAPE_NAMES,
  benchConfigs,
  compareConfigs,
  formatComparison,
  formatOriginalComparison,
  formatTable,
  measureConfigs,
  parseRecords,
} from '../src/commands/timing_bench.js';
import type { BenchConfig, BenchModel, BenchShape, ModelFactory, ShapeName } from '../src/commands/timing_bench.js';
import { cellsFactory } from '../src/commands/timing_models.js';
import { recurrentKernels, setKernelThreads } from '@ttrnn/kernels';

const OPTIONS: OptionSpecs = {
  json: { kind: 'flag', description: 'print only the JSON array of records on stdout' },
  shape: {
    kind: 'string',
    description: `which shape to measure ('all': ${ALL_SHAPES.join(', ')}; speaker is a GPU shape)`,
    choices: [...SHAPE_NAMES, 'all'],
    default: 'all',
  },
  quick: { kind: 'flag', description: 'fewer configurations (2 cores, ranks 2 and 8) and rounds' },
  filter: {
    kind: 'string',
    description: 'keep configurations whose id contains one of these comma-separated strings, e.g. tt-lstm/c2',
  },
  backend: { kind: 'string', description: 'tfjs backend', choices: [...BACKEND_NAMES], default: 'wasm' },
  iterations: {
    kind: 'int',
    description: 'measured rounds at row-mnist (original: half, at least 3; pixel and speaker: a quarter, at least 2)',
    min: 1,
  },
  warmup: { kind: 'int', description: 'warm-up rounds before measuring' },
  'save-baseline': { kind: 'flag', description: 'also write the results to bench/results/baseline.json' },
  seed: { kind: 'int', description: 'seed of weights and inputs', default: 1, max: SEED_MAX },
  'pixel-hidden': {
    kind: 'int',
    description: 'hidden size of the pixel shape (784 steps)',
    default: 128,
    min: 1,
    max: 4096,
  },
  batch: {
    kind: 'int',
    description: "batch size of every measured shape instead of the shape's own (a smoke run on a slow device)",
    min: 1,
  },
  threads: {
    kind: 'int',
    description: 'threads of the recurrent kernels (default: TTRNN_THREADS, else every core)',
    min: 1,
  },
  compare: {
    kind: 'flag',
    description:
      'the comparison with the original: row-mnist dense LSTM and TT-LSTM c2 r2/r4/r8, kernel and plain path, ratios to the original',
  },
  'stock-kernels': {
    kind: 'flag',
    description:
      "keep tfjs-backend-wasm's own Slice/SplitV/Unpack/Tanh (see packages/backend/src/wasm_fast_kernels.ts)",
  },
};

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results');

/** tf.layers.lstm with the original's sigmoid recurrent activation, and a dense head. */
const stockFactory = (_config: BenchConfig, shape: BenchShape, seed: number): BenchModel => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.lstm({
        units: shape.hidden,
        recurrentActivation: 'sigmoid',
        inputShape: [shape.steps, shape.input],
        kernelInitializer: tfl.initializers.glorotUniform({ seed }),
        recurrentInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
      }),
      tfl.layers.dense({ units: shape.classes, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 2 }) }),
    ],
  });
  return {
    params: model.countParams(),
    variables: model.trainableWeights.map((w) => w.read() as tfl.Variable),
    apply(x) {
      return tfl.tidy(() => tfl.logSoftmax(model.apply(x) as tfl.Tensor2D));
    },
    threads: 1,
    dispose() {
      model.dispose();
    },
  };
};

const factory: ModelFactory = (config, shape, seed) =>
  config.stock === true ? stockFactory(config, shape, seed) : cellsFactory(config, shape, seed);

async function main(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv, OPTIONS, 'bench');
  const json = options['json'] === true;
  const quick = options['quick'] === true;
  const err = (line: string) => process.stderr.write(line + '\n');
  const stock = options['stock-kernels'] === true;
  const backend = await initBackend(String(options['backend']), { fastKernels: !stock });
  const fastKernels = backend === 'wasm' && !stock;
  const shapeOpt = String(options['shape']);
  const shapes: ShapeName[] = shapeOpt === 'all' ? [...ALL_SHAPES] : [shapeOpt as ShapeName];
  const filter = options['filter'] === undefined ? undefined : String(options['filter']);
  const threads = options['threads'] as number | undefined;
  if (threads !== undefined) {
    if (threads < 1) throw new UsageError(`option --threads of 'bench' must be a positive integer, got ${threads}`);
    setKernelThreads(threads);
  }
  const compare = options['compare'] === true;
  const configs = compare
    ? compareConfigs()
    : shapes.flatMap((s) => benchConfigs(s, { quick, ...(filter !== undefined ? { filter } : {}) }));
  if (configs.length === 0) throw new UsageError(`--filter '${filter}' matches no configuration`);
  const iterations = (options['iterations'] as number | undefined) ?? (quick ? 3 : 6);
  const warmup = (options['warmup'] as number | undefined) ?? 1;
  // The long shapes get fewer rounds (the memory pass before the rounds also warms them up).
  const originalRounds = { warmup: 0, iterations: Math.max(3, Math.round(iterations / 2)) };
  const pixelRounds = { warmup: 0, iterations: Math.max(2, Math.round(iterations / 4)) };
  err(
    `bench: ${configs.length} configurations on ${describeBackend().backend} (tfjs ${describeBackend().tfjsVersion}), kernel threads ${recurrentKernels().threads}; ` +
      `row-mnist ${warmup}+${iterations} rounds, original ${originalRounds.warmup}+${originalRounds.iterations}, pixel and speaker 0+${pixelRounds.iterations}` +
      (options['batch'] === undefined ? '' : `; batch ${String(options['batch'])} at every shape`),
  );
  const pixelHidden = options['pixel-hidden'] as number;
  if (pixelHidden <= 0)
    throw new UsageError(`option --pixel-hidden of 'bench' must be a positive integer, got ${pixelHidden}`);
  const batch = options['batch'] as number | undefined;
  const withBatch = (s: BenchShape): BenchShape => (batch === undefined ? s : { ...s, batch });
  const shapeOverrides = Object.fromEntries(
    SHAPE_NAMES.map((n) => [n, withBatch(n === 'pixel' ? { ...SHAPES.pixel, hidden: pixelHidden } : SHAPES[n])]),
  ) as Record<ShapeName, BenchShape>;
  const loadBefore = loadavg()[0]!;
  const records = await measureConfigs(configs, factory, {
    warmup,
    iterations,
    perShape: { original: originalRounds, pixel: pixelRounds, speaker: pixelRounds },
    shapes: shapeOverrides,
    seed: options['seed'] as number,
    now: () => performance.now(),
    cpuNow: () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    },
    log: err,
    kernelMemory: recurrentKernels(),
  });
  mkdirSync(RESULTS, { recursive: true });
  const doc = JSON.stringify(records, null, 1);
  writeFileSync(join(RESULTS, 'latest.json'), doc + '\n');
  if (options['save-baseline'] === true) writeFileSync(join(RESULTS, 'baseline.json'), doc + '\n');
  const table =
    `backend ${backend}${fastKernels ? ' (+ fast Slice/SplitV/Unpack/Tanh kernels)' : ''}, tfjs ${describeBackend().tfjsVersion}; ` +
    `1-min load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end (2 cores: above 1, other work shares the CPU)\n` +
    formatTable(records) +
    (compare ? '\n' + formatOriginalComparison(records) + '\n' : '');
  const basePath = join(RESULTS, 'baseline.json');
  const comparison =
    existsSync(basePath) && options['save-baseline'] !== true
      ? formatComparison(records, parseRecords(JSON.parse(readFileSync(basePath, 'utf8')), basePath))
      : '';
  if (json) {
    process.stdout.write(JSON.stringify(records) + '\n');
    err(table);
    if (comparison) err(comparison);
  } else {
    console.log(table);
    if (comparison) console.log(comparison);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(
        `error: ${e.message}\n\n${usage('bench', 'benchmarks (pnpm run bench)', OPTIONS).replace('pnpm run exp bench', 'pnpm run bench')}`,
      );
      process.exitCode = 2;
      return;
    }
    console.error(e);
    process.exitCode = 1;
  },
);
