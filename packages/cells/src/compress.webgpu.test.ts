/**
 * compressModel on the webgpu backend, where tensors computed on the GPU cannot be read synchronously in Node:
 * the weights of a dense model are moved by a GPU op first (so no CPU copy of them exists), then compressed at
 * full rank; the TT model must compute the dense model. Through SwiftShader where there is no GPU; skipped,
 * saying what to install, where no Vulkan driver is found.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { onWebGPU, webgpuSkipReason } from '@ttrnn/test-utils';
import { compressModel } from './compress.js';
import { createModel } from './models.js';
import { maxAbsDiffAsync, randomTensor } from './test_util/random.js';

const PROBLEM = await webgpuSkipReason('compressModel on webgpu');

describe.skipIf(PROBLEM !== null)('compressModel on webgpu', () => {
  // GPU-only results: small ops would otherwise run on the CPU and leave readable copies behind.
  onWebGPU({ cpuForward: false });

  it('reads GPU-resident weights and gives a TT model that computes the dense one', { timeout: 300_000 }, async () => {
    const model = createModel(
      { task: 'classifier', cell: 'gru', tt: null, inputSize: 6, hiddenSize: 8, layers: 1, outputSize: 4 },
      3,
    );
    // A GPU op writes every weight: afterwards only the GPU holds their values, which `dataSync` cannot read here.
    for (const w of model.namedWeights()) {
      const scaled = tf.mul(w.variable, 1.5);
      w.variable.assign(scaled);
      scaled.dispose();
    }
    const { model: tt, matrices } = await compressModel(model, { cores: 2, rank: 16 });
    for (const m of matrices) expect(m.relativeError).toBeLessThan(1e-5);
    const x = randomTensor([2, 3, 6], 8) as tf.Tensor3D;
    const a = model.apply(x);
    const b = tt.apply(x);
    expect(await maxAbsDiffAsync(a, b)).toBeLessThan(1e-4);
    // …and the weights were really scaled (the comparison is not between two untouched models).
    const c = createModel(model.config, 3);
    const a0 = c.apply(x);
    expect(await maxAbsDiffAsync(a, a0)).toBeGreaterThan(1e-3);
    tf.dispose([x, a, b, a0]);
    c.dispose();
    tt.dispose();
    model.dispose();
  });
});
