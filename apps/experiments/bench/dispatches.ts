/**
 * GPU dispatches per forward pass and per training step of the row-MNIST models on the webgpu backend, on the
 * plain tfjs path and on the WGSL path of @ttrnn/cells: the number is the adapter's business only in that every
 * dispatch costs a launch (microseconds on a GPU, about a millisecond on SwiftShader), so it is a figure that holds
 * on any device, where the times printed beside it hold only for the adapter that ran.
 *
 *   pnpm --filter @ttrnn/experiments exec tsx --conditions=source bench/dispatches.ts [--batch N]
 *
 * Counts every `runWebGPUProgram` call of tfjs-backend-webgpu (tfjs's own kernels and the WGSL programs alike);
 * ops that tfjs runs on the CPU (small tensors the CPU holds) are not dispatches and are not counted.
 */
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, initBackend } from '@ttrnn/backend';
import { SHAPES, benchConfig, cellsFactory } from '../src/commands/timing_bench.js';
import { dense, tt } from '../src/profiles.js';

const i = process.argv.indexOf('--batch');
const batch = i < 0 ? 4 : Number(process.argv[i + 1]);
if (!Number.isInteger(batch) || batch < 1)
  throw new Error(`--batch must be a positive integer, got ${process.argv[i + 1]}`);
await initBackend('webgpu');
const backend = tf.backend() as unknown as { runWebGPUProgram: (...args: unknown[]) => unknown };
const run = backend.runWebGPUProgram.bind(backend);
let dispatches = 0;
backend.runWebGPUProgram = (...args: unknown[]) => {
  dispatches++;
  return run(...args);
};
console.log(
  `${describeBackend().adapter ?? 'webgpu'}; row-MNIST models (28 steps, input 28, hidden 256), batch ${batch}`,
);
const x = tf.randomNormal([batch, 28, 28], 0, 1, 'float32', 1) as tf.Tensor3D;
const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: batch }, (_, b) => b % 10)), 10);
const shape = { ...SHAPES['row-mnist'], batch };
for (const spec of [dense('lstm'), tt('lstm', 2, 4), dense('gru'), tt('gru', 2, 4)]) {
  // The default path is the WGSL one on webgpu (mode rebuilt for the TT models).
  for (const path of ['plain', undefined] as const) {
    const model = cellsFactory(benchConfig('row-mnist', spec, null, path, 'rebuilt'), shape, 1);
    const optimizer = tf.train.adam(1e-3);
    const nll = () => tf.neg(tf.mean(tf.sum(tf.mul(model.apply(x), y), 1))) as tf.Scalar;
    const step = async (): Promise<void> => {
      const loss = optimizer.minimize(nll, true, model.variables)!;
      await loss.data();
      loss.dispose();
    };
    await step(); // compiles the shaders
    dispatches = 0;
    const out = model.apply(x);
    await out.data();
    out.dispose();
    const forward = dispatches;
    dispatches = 0;
    const t0 = performance.now();
    await step();
    const ms = performance.now() - t0;
    const name = `${spec.cell} ${spec.tt === null ? 'dense' : 'TT 2 cores rank 4'}, ${path ?? 'webgpu'} path`;
    console.log(`${name}: ${forward} dispatches per forward, ${dispatches} per training step (${ms.toFixed(0)} ms)`);
    optimizer.dispose();
    model.dispose();
  }
}
