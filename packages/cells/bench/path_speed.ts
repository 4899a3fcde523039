/**
 * One training step (loss + gradients of every weight) through `model.apply` on the kernel path (the
 * default on wasm) and on the plain tfjs path, interleaved, medians of 6 after one warm-up round.
 * Threads of the kernel: TTRNN_THREADS (default every core).
 *
 *   pnpm --filter @ttrnn/experiments exec tsx --conditions=source ../../packages/cells/bench/path_speed.ts [steps,input,hidden,batch]
 *
 * Default shape: row-MNIST (28,28,256,128); the original's shape is 160,256,512,16.
 */
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ttrnn/backend';
import { performance } from 'node:perf_hooks';
import { createModel } from '../src/index.js';
import type { ModelConfig } from '../src/index.js';

await initBackend('wasm', { fastKernels: true });
const [steps, input, hidden, batch] = (process.argv[2] ?? '28,28,256,128').split(',').map(Number) as [
  number,
  number,
  number,
  number,
];
const kinds: [string, Partial<ModelConfig>][] = [
  ['lstm', { cell: 'lstm', tt: null }],
  ['tt-lstm c2 r8 auto', { cell: 'lstm', tt: { cores: 2, rank: 8, extraCore: 'none', naive: false } }],
  ['gru', { cell: 'gru', tt: null }],
];
const x = tf.randomNormal([batch, steps, input]) as tf.Tensor3D;
const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32') as tf.Tensor1D, 10);
for (const [name, part] of kinds) {
  const times: Record<string, number[]> = { kernel: [], plain: [] };
  const models = (['kernel', 'plain'] as const).map((path) =>
    createModel(
      {
        task: 'classifier',
        inputSize: input,
        hiddenSize: hidden,
        layers: 1,
        outputSize: 10,
        mode: 'auto',
        cell: 'lstm',
        tt: null,
        ...part,
        path,
      } as ModelConfig,
      1,
    ),
  );
  for (let r = 0; r < 7; r++) {
    for (const m of models) {
      const vars = m.namedWeights().map((w) => w.variable);
      const t0 = performance.now();
      const { value, grads } = tf.variableGrads(
        () => tf.neg(tf.mean(tf.sum(tf.mul(m.apply(x), y), 1))) as tf.Scalar,
        vars,
      );
      await value.data();
      for (const g of Object.values(grads)) await g.data();
      const dt = performance.now() - t0;
      tf.dispose([value, ...Object.values(grads)]);
      if (r > 0) times[m.config.path]!.push(dt);
    }
  }
  const med = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
  console.log(
    `${name} [${steps},${input},${hidden},${batch}]: plain ${med(times['plain']!).toFixed(0)} ms, kernel ${med(times['kernel']!).toFixed(0)} ms (medians of 6)`,
  );
  models.forEach((m) => m.dispose());
}
