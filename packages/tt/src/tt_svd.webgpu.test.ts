/**
 * The TT functions that read tensors (ttSvd, ttRound, coresToFloat64) on the webgpu backend, where a tensor
 * computed on the GPU cannot be read synchronously in Node. Through SwiftShader where there is no GPU; skipped,
 * saying what to install, where no Vulkan driver is found.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { onWebGPU, webgpuSkipReason } from '@ttrnn/test-utils';
import { Rng } from '@ttrnn/random';
import { ttRound } from './tt_round.js';
import { ttSvd } from './tt_svd.js';
import { coresToFloat64, ttTensorFull, ttTensorFull64 } from './tt_tensor.js';

const PROBLEM = await webgpuSkipReason('the TT-SVD tests on webgpu');

/** A GPU-only copy of `t` (an op on the GPU; CPU forwarding is off in this file). */
const onGpu = (t: tf.Tensor): tf.Tensor => tf.mul(t, 1);

describe.skipIf(PROBLEM !== null)('TT-SVD and rounding on webgpu', () => {
  // GPU-only results: small ops would otherwise run on the CPU and leave readable copies behind.
  onWebGPU({ cpuForward: false });

  it('ttSvd reads a GPU tensor and recovers its TT ranks; ttRound and coresToFloat64 read GPU cores', async () => {
    const rng = new Rng(3);
    const shapes: [number, number, number][] = [
      [1, 4, 2],
      [2, 5, 3],
      [3, 4, 1],
    ];
    const cpuCores = shapes.map((s) => tf.tensor3d(rng.normalArray(s[0] * s[1] * s[2]), s));
    const cores = cpuCores.map(onGpu);
    const full = ttTensorFull(cores);
    const svd = await ttSvd(full, { eps: 1e-5 });
    expect(svd.ranks).toEqual([1, 2, 3, 1]);
    const rebuilt = ttTensorFull(svd.cores);
    const [a, b] = [await full.data(), await rebuilt.data()];
    const scale = Math.max(...Array.from(a, Math.abs));
    expect(Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-5 * scale);

    const rounded = await ttRound(cores, { maxRank: 2 });
    expect(rounded.ranks).toEqual([1, 2, 2, 1]);
    expect(rounded.relativeError).toBeGreaterThan(0);
    const c64 = await coresToFloat64(cores);
    const f64 = ttTensorFull64(c64);
    expect(Math.max(...Array.from(a, (v, i) => Math.abs(v - f64[i]!)))).toBeLessThan(1e-5 * scale);
    tf.dispose([...cpuCores, ...cores, full, ...svd.cores, rebuilt, ...rounded.cores]);
  });
});
