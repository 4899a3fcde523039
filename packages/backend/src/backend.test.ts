import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, initBackend, backendFromEnv, webgpuProblem } from './backend.js';
import { assertClose } from '../../../tooling/test-utils/src/tolerance.js';
import { loadWebGPUPackage, describeVulkan } from './webgpu_node.js';

const WEBGPU_PROBLEM = await webgpuProblem();
if (WEBGPU_PROBLEM !== null) console.warn(`skipping the webgpu tests: ${WEBGPU_PROBLEM}`);

/** Runs `f` on a backend and returns plain arrays (tensors disposed). */
async function on(backend: 'cpu' | 'wasm' | 'webgpu', f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await initBackend(backend);
  const outs = tf.tidy(f);
  const data = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(outs);
  return data;
}

function values(shape: number[], seed: number): tf.Tensor {
  // Bounded integers / 100: exact in float32, so both backends see the same inputs.
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    v[i] = ((s % 201) - 100) / 100;
  }
  return tf.tensor(v, shape);
}

const cases: Array<[string, () => tf.Tensor[]]> = [
  [
    'matMul in all transpose combinations',
    () => {
      const a = values([5, 7], 1),
        b = values([7, 3], 2),
        at = values([7, 5], 3),
        bt = values([3, 7], 4);
      return [
        tf.matMul(a, b),
        tf.matMul(at, b, true, false),
        tf.matMul(a, bt, false, true),
        tf.matMul(at, bt, true, true),
      ];
    },
  ],
  [
    'batched matMul with transposes',
    () => {
      const a = values([4, 6, 5], 5),
        b = values([4, 3, 6], 6);
      return [tf.matMul(a, b, true, true), tf.matMul(values([2, 3, 4], 7), values([2, 4, 5], 8))];
    },
  ],
  [
    'fused matMul with bias and activation, rank 2 and rank 3',
    () => {
      const a = values([2, 4, 6], 9),
        b = values([2, 6, 3], 10),
        bias = values([3], 11);
      return [
        tf.fused.matMul({ a, b, bias, activation: 'relu' }),
        tf.fused.matMul({
          a: values([4, 6], 12),
          b: values([3, 6], 13),
          bias,
          transposeB: true,
          activation: 'sigmoid',
        }),
        tf.fused.matMul({ a, b: values([2, 3, 6], 14), bias, transposeB: true }),
      ];
    },
  ],
  [
    'gradients of matMul (which use the transpose flags)',
    () => {
      const a = values([8, 5], 15),
        b = values([5, 4], 16);
      const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y))));
      return g([a, b]);
    },
  ],
  [
    'slices, splits and unstacks (the fast wasm Slice kernels)',
    () => {
      const x = values([4, 3, 10], 18);
      return [
        tf.slice(x, [1, 0, 2], [2, 3, 5]),
        ...tf.split(x, [4, 6], 2),
        ...tf.unstack(x, 0),
        ...tf.grads((y: tf.Tensor) => tf.sum(tf.square(tf.split(y, [3, 7], 2)[1]!)))([x]),
      ];
    },
  ],
  [
    'elementwise and reductions used by the cells',
    () => {
      const x = values([3, 8], 17);
      return [
        tf.sigmoid(x),
        tf.tanh(x),
        tf.logSoftmax(x),
        tf.sum(x, 1),
        tf.transpose(tf.reshape(x, [3, 2, 4]), [2, 0, 1]),
      ];
    },
  ],
];

describe('cpu and wasm agree (so a wasm kernel bug cannot hide)', () => {
  for (const [name, f] of cases) {
    it(name, async () => {
      const cpu = await on('cpu', f);
      const wasm = await on('wasm', f);
      expect(wasm.length).toBe(cpu.length);
      cpu.forEach((c, i) => assertClose(wasm[i]!, c, { atol: 1e-5, rtol: 1e-5 }, `${name} output ${i}`));
      await initBackend(backendFromEnv());
    });
  }
});

describe.skipIf(WEBGPU_PROBLEM !== null)(
  'cpu and webgpu agree (the GPU code path, through SwiftShader where there is no GPU)',
  () => {
    for (const [name, f] of cases) {
      it(name, async () => {
        const cpu = await on('cpu', f);
        const gpu = await on('webgpu', f);
        expect(gpu.length).toBe(cpu.length);
        cpu.forEach((c, i) => assertClose(gpu[i]!, c, { atol: 1e-5, rtol: 1e-5 }, `${name} output ${i}`));
        await initBackend(backendFromEnv());
      });
    }
  },
);

describe('initBackend', () => {
  it('rejects unknown names with the choices listed', async () => {
    await expect(initBackend('gpu')).rejects.toThrow(
      /'backend' passed to 'initBackend' must be one of wasm, cpu, webgl, webgpu, tensorflow, tensorflow-gpu/,
    );
  });

  it('explains how to install tfjs-node when the native backend is missing', async () => {
    let installed = true;
    try {
      await import(/* @vite-ignore */ '@tensorflow/tfjs-node' as string);
    } catch {
      installed = false;
    }
    if (installed) return; // a user machine with tfjs-node: nothing to explain
    await expect(initBackend('tensorflow')).rejects.toThrow(/@tensorflow\/tfjs-node@4.22.0.*pnpm add/);
    await expect(initBackend('tensorflow-gpu')).rejects.toThrow(/tfjs-node-gpu.*CUDA/);
  });

  it('reads TTRNN_BACKEND and rejects bad values', () => {
    expect(backendFromEnv({})).toBe('wasm');
    expect(backendFromEnv({ TTRNN_BACKEND: 'cpu' })).toBe('cpu');
    expect(backendFromEnv({ TTRNN_BACKEND: 'webgpu' })).toBe('webgpu');
    expect(() => backendFromEnv({ TTRNN_BACKEND: 'metal' })).toThrow(
      /TTRNN_BACKEND must be one of wasm, cpu, webgl, webgpu/,
    );
  });
});

describe('webgpu set-up in Node', () => {
  it('says how to install the webgpu package when it is missing', async () => {
    await expect(loadWebGPUPackage('ttrnn-no-such-package')).rejects.toThrow(
      /needs the optional package webgpu@0\.6\.2.*`pnpm add webgpu@0\.6\.2`/,
    );
  });

  it('respects a Vulkan driver chosen by the user and leaves other systems to their own driver', async () => {
    const env = await describeVulkan(
      { VK_ICD_FILENAMES: '/opt/x/my_icd.json', LD_LIBRARY_PATH: '/nonexistent' },
      'linux',
    );
    expect(env.icd).toBe('/opt/x/my_icd.json');
    expect(env.source).toBe('env');
    expect(await describeVulkan({}, 'darwin')).toEqual({ icd: 'system', source: 'system' });
  });

  it.skipIf(WEBGPU_PROBLEM !== null)('reports the adapter in describeBackend', async () => {
    await initBackend('webgpu');
    const d = describeBackend();
    expect(d.backend).toBe('webgpu');
    expect(d.adapter).toMatch(/\w/);
    await initBackend(backendFromEnv());
  });
});
