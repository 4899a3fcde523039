/**
 * `pnpm run bench [options]` (bench/README.md; `--help` prints the usage, as does an unknown option): inference and training-step
 * time, peak memory and parameters of dense LSTM/GRU, TT-LSTM/TT-GRU (2 and 3 cores, ranks 2/4/8, per-step /
 * rebuilt / auto) and the stock tf.layers.lstm, measured round-robin. Writes bench/results/latest.json and
 * compares with bench/results/baseline.json when present (`--save-baseline` writes the run there). With --json,
 * stdout holds only the JSON array of records; the table and progress go to stderr.
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
  cellsFactory,
  compareConfigs,
  formatComparison,
  formatOriginalComparison,
  formatTable,
  measureConfigs,
  parseRecords,
  roundsAt,
} from '../src/commands/timing_bench.js';
import type { ModelFactory, ShapeName } from '../src/commands/timing_bench.js';
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

/** tf.layers.lstm with the original's sigmoid recurrent activation and a dense head; else the models of @ttrnn/cells. */
const factory: ModelFactory = (config, shape, seed) => {
  if (config.model !== 'tfjs-layers-lstm') return cellsFactory(config, shape, seed);
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
    apply: (x) => tfl.tidy(() => tfl.logSoftmax(model.apply(x) as tfl.Tensor2D)),
    threads: 1,
    dispose: () => model.dispose(),
  };
};

const benchUsage = () =>
  usage('bench', 'benchmarks (pnpm run bench)', OPTIONS).replace('pnpm run exp bench', 'pnpm run bench');
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(benchUsage());
  process.exit(0);
}

try {
  const options = parseArgs(process.argv.slice(2), OPTIONS, 'bench');
  const quick = options['quick'] === true;
  const err = (line: string) => process.stderr.write(line + '\n');
  const stock = options['stock-kernels'] === true;
  const backend = await initBackend(String(options['backend']), { fastKernels: !stock });
  const { tfjsVersion } = describeBackend();
  const shapes = options['shape'] === 'all' ? ALL_SHAPES : [options['shape'] as ShapeName];
  const filter = options['filter'] as string | undefined;
  if (options['threads'] !== undefined) setKernelThreads(options['threads'] as number);
  const compare = options['compare'] === true;
  const configs = compare ? compareConfigs() : shapes.flatMap((s) => benchConfigs(s, { quick, filter }));
  if (configs.length === 0) throw new UsageError(`--filter '${filter}' matches no configuration`);
  const iterations = (options['iterations'] as number | undefined) ?? (quick ? 3 : 6);
  const warmup = (options['warmup'] as number | undefined) ?? 1;
  const batch = options['batch'] as number | undefined;
  const rounds = (s: ShapeName) => Object.values(roundsAt(s, warmup, iterations)).join('+');
  err(
    `bench: ${configs.length} configurations on ${describeBackend().backend} (tfjs ${tfjsVersion}), kernel threads ${recurrentKernels().threads}; ` +
      `row-mnist ${rounds('row-mnist')} rounds, original ${rounds('original')}, pixel and speaker ${rounds('pixel')}` +
      (batch === undefined ? '' : `; batch ${batch} at every shape`),
  );
  const shapeSizes = SHAPE_NAMES.map((n) => {
    const hidden = n === 'pixel' ? (options['pixel-hidden'] as number) : SHAPES[n].hidden;
    return [n, { ...SHAPES[n], hidden, batch: batch ?? SHAPES[n].batch }];
  });
  const loadBefore = loadavg()[0]!;
  const records = await measureConfigs(configs, factory, {
    warmup,
    iterations,
    shapes: Object.fromEntries(shapeSizes),
    seed: options['seed'] as number,
    now: () => performance.now(),
    cpuNow: () => Object.values(process.cpuUsage()).reduce((a, b) => a + b) / 1000,
    log: err,
  });
  mkdirSync(RESULTS, { recursive: true });
  const doc = JSON.stringify(records, null, 1) + '\n';
  writeFileSync(join(RESULTS, 'latest.json'), doc);
  const basePath = join(RESULTS, 'baseline.json');
  const save = options['save-baseline'] === true;
  if (save) writeFileSync(basePath, doc);
  const fast = backend === 'wasm' && !stock ? ' (+ fast Slice/SplitV/Unpack/Tanh kernels)' : '';
  const table =
    `backend ${backend}${fast}, tfjs ${tfjsVersion}; ` +
    `1-min load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end (2 cores: above 1, other work shares the CPU)\n` +
    formatTable(records) +
    (compare ? '\n' + formatOriginalComparison(records) + '\n' : '');
  const comparison =
    existsSync(basePath) && !save
      ? formatComparison(records, parseRecords(JSON.parse(readFileSync(basePath, 'utf8')), basePath))
      : '';
  // With --json, stdout holds only the records.
  const print = options['json'] === true ? err : (s: string) => console.log(s);
  if (options['json'] === true) process.stdout.write(JSON.stringify(records) + '\n');
  print(table);
  if (comparison) print(comparison);
} catch (e) {
  if (e instanceof UsageError) {
    console.error(`error: ${e.message}\n\n${benchUsage()}`);
    process.exitCode = 2;
  } else {
    console.error(e);
    process.exitCode = 1;
  }
}
