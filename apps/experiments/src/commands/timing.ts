/**
 * `pnpm run exp timing [--quick] [--json] [--backend B]`: inference and training-step time of
 * dense and TT models at the row-MNIST shape (batch 128, 28 steps, input 28, hidden 256), measured
 * round-robin with the benchmark's code (timing_bench.ts). `pnpm run bench` measures the full
 * grid (every mode, the original and pixel shapes, the stock tf.layers.lstm).
 */
import { BACKEND_NAMES, backendFromEnv, describeBackend, initBackend } from '@ttrnn/backend';
import { defineCommand } from '../command.js';
import { dense, tt } from '../profiles.js';
import { SHAPES, benchConfig, cellsFactory, formatTable, measureConfigs } from './timing_bench.js';
import type { BenchConfig, ModelFactory } from './timing_bench.js';

/** Dense LSTM/GRU and TT models in the production mode ('auto'). */
export function timingConfigs(quick: boolean): BenchConfig[] {
  const specs = quick
    ? [tt('lstm', 2, 2), tt('lstm', 2, 8), tt('gru', 2, 2)]
    : (['lstm', 'gru'] as const).flatMap((c) => [tt(c, 2, 2), tt(c, 2, 4), tt(c, 2, 8), tt(c, 3, 4)]);
  return [dense('lstm'), dense('gru'), ...specs].map((spec) => benchConfig('row-mnist', spec));
}

/**
 * Measures the timing configurations on the active backend (`stockKernels`: initialised without the fast wasm
 * kernels); the result is JSON-able. `factory` replaces the models of @ttrnn/cells (tests).
 */
export async function runTiming(
  options: {
    quick?: boolean;
    stockKernels?: boolean;
    warmup?: number;
    iterations?: number;
    factory?: ModelFactory;
    log?: (line: string) => void;
  } = {},
) {
  const quick = options.quick ?? false;
  const { backend, tfjsVersion } = describeBackend();
  const fastKernels = backend === 'wasm' && options.stockKernels !== true;
  const warmup = options.warmup ?? 1;
  const iterations = options.iterations ?? (quick ? 3 : 6);
  const records = await measureConfigs(timingConfigs(quick), options.factory ?? cellsFactory, {
    warmup,
    iterations,
    seed: 1,
    now: () => performance.now(),
    ...(options.log ? { log: options.log } : {}),
  });
  const shape = SHAPES['row-mnist'];
  return { backend, tfjsVersion, fastKernels, shape, warmup, iterations, records, table: formatTable(records) };
}

export const timingCommand = defineCommand({
  name: 'timing',
  summary: 'Inference and training-step time of dense vs TT models at the row-MNIST shape',
  options: {
    quick: { kind: 'flag', description: 'fewer models and rounds' },
    json: { kind: 'flag', description: 'print one JSON object on stdout and nothing else' },
    backend: {
      kind: 'string',
      description: 'tfjs backend (default TTRNN_BACKEND or wasm)',
      choices: [...BACKEND_NAMES],
    },
    iterations: { kind: 'int', description: 'measured rounds (default 6, quick 3)', min: 1 },
    'stock-kernels': { kind: 'flag', description: "keep tfjs-backend-wasm's own Slice/SplitV/Unpack/Tanh kernels" },
  },
  async run(options) {
    const stockKernels = options['stock-kernels'] === true;
    // initBackend installs the fast wasm kernels unless asked for the stock ones.
    await initBackend((options['backend'] as string | undefined) ?? backendFromEnv(), { fastKernels: !stockKernels });
    const result = await runTiming({
      quick: options['quick'] === true,
      ...(options['iterations'] !== undefined ? { iterations: options['iterations'] as number } : {}),
      stockKernels,
      log: (line) => console.error(line),
    });
    if (options['json'] === true) {
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
