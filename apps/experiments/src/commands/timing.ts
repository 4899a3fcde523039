/**
 * `pnpm run exp timing [--quick] [--json] [--backend B]`: inference and training-step time of
 * dense and TT models at the row-MNIST shape (batch 128, 28 steps, input 28, hidden 256), measured
 * round-robin with the benchmark's code (timing_bench.ts). `pnpm run bench` measures the full
 * grid (every mode, the original and pixel shapes, the stock tf.layers.lstm).
 */
import { recurrentKernels } from '@ttrnn/kernels';
import { BACKEND_NAMES, backendFromEnv, describeBackend, initBackend } from '@ttrnn/backend';
import { checkInts } from '../args.js';
import { defineCommand } from '../command.js';
import { dense, tt } from '../profiles.js';
import { SHAPES, benchConfig, formatTable, measureConfigs } from './timing_bench.js';
import type { BenchConfig, BenchRecord, BenchShape, ModelFactory } from './timing_bench.js';
import { cellsFactory } from './timing_models.js';

/** Dense LSTM/GRU and TT models in the production mode ('auto'). */
export function timingConfigs(quick: boolean): BenchConfig[] {
  const specs = quick
    ? [dense('lstm'), dense('gru'), tt('lstm', 2, 2), tt('lstm', 2, 8), tt('gru', 2, 2)]
    : [
        dense('lstm'),
        dense('gru'),
        ...[2, 4, 8].map((r) => tt('lstm', 2, r)),
        tt('lstm', 3, 4),
        ...[2, 4, 8].map((r) => tt('gru', 2, r)),
        tt('gru', 3, 4),
      ];
  return specs.map((spec) => benchConfig('row-mnist', spec));
}

export interface TimingOptions {
  readonly quick?: boolean;
  /** Backend to initialise (default TTRNN_BACKEND or wasm); null: use the one already active. */
  readonly backend?: string | null;
  /** Keep tfjs-backend-wasm's own Slice/SplitV/Unpack/Tanh kernels. */
  readonly stockKernels?: boolean;
  readonly warmup?: number;
  readonly iterations?: number;
  readonly seed?: number;
  /** Replaces the models of @ttrnn/cells (tests). */
  readonly factory?: ModelFactory;
  readonly log?: (line: string) => void;
}

export interface TimingResult {
  readonly backend: string;
  readonly tfjsVersion: string;
  readonly fastKernels: boolean;
  readonly shape: BenchShape;
  readonly warmup: number;
  readonly iterations: number;
  /** One record per configuration, as `pnpm run bench --json` writes them. */
  readonly records: BenchRecord[];
  /** The plain-text table (ratios against the dense LSTM). */
  readonly table: string;
}

/** Measures the timing configurations; the result is JSON-able. */
export async function runTiming(options: TimingOptions = {}): Promise<TimingResult> {
  const quick = options.quick ?? false;
  // initBackend installs the fast wasm kernels unless asked for the stock ones.
  if (options.backend !== null) {
    await initBackend(options.backend ?? backendFromEnv(), { fastKernels: options.stockKernels !== true });
  }
  const { backend, tfjsVersion } = describeBackend();
  const fastKernels = backend === 'wasm' && options.stockKernels !== true;
  const warmup = options.warmup ?? 1;
  const iterations = options.iterations ?? (quick ? 3 : 6);
  checkInts({ warmup, iterations }, { warmup: 0, iterations: 1 }, 'runTiming');
  const records = await measureConfigs(timingConfigs(quick), options.factory ?? cellsFactory, {
    warmup,
    iterations,
    seed: options.seed ?? 1,
    now: () => performance.now(),
    ...(options.log ? { log: options.log } : {}),
    kernelMemory: recurrentKernels(),
  });
  const shape = SHAPES['row-mnist'];
  const table = formatTable(records);
  return { backend, tfjsVersion, fastKernels, shape, warmup, iterations, records, table };
}

const OPTIONS = {
  quick: { kind: 'flag', description: 'fewer models and rounds' },
  json: { kind: 'flag', description: 'print one JSON object on stdout and nothing else' },
  backend: { kind: 'string', description: 'tfjs backend (default TTRNN_BACKEND or wasm)', choices: [...BACKEND_NAMES] },
  iterations: { kind: 'int', description: 'measured rounds (default 6, quick 3)', min: 1 },
  'stock-kernels': { kind: 'flag', description: "keep tfjs-backend-wasm's own Slice/SplitV/Unpack/Tanh kernels" },
} as const;

export const timingCommand = defineCommand({
  name: 'timing',
  summary: 'Inference and training-step time of dense vs TT models at the row-MNIST shape',
  options: OPTIONS,
  async run(options) {
    const json = options['json'] === true;
    const result = await runTiming({
      quick: options['quick'] === true,
      ...(options['backend'] !== undefined ? { backend: String(options['backend']) } : {}),
      ...(options['iterations'] !== undefined ? { iterations: options['iterations'] as number } : {}),
      stockKernels: options['stock-kernels'] === true,
      log: (line) => console.error(line),
    });
    if (json) {
      console.log(JSON.stringify(result));
    } else {
      const kernels = result.fastKernels ? ' (+ fast Slice/SplitV/Unpack/Tanh kernels)' : '';
      console.log(
        `backend ${result.backend}${kernels}, tfjs ${result.tfjsVersion}; ${result.warmup} warm-up + ${result.iterations} rounds\n`,
      );
      console.log(result.table);
    }
    return 0;
  },
});
