/**
 * The WGSL path against the plain path on the webgpu backend (the GPU code path; through SwiftShader, Vulkan
 * on the CPU, where the machine has no GPU): outputs, final states and every gradient, LSTM and GRU, dense and
 * TT (W rebuilt from the cores), one layer wider than a workgroup's tile. Skipped, saying what to install, where
 * no Vulkan driver is found. Small shapes: SwiftShader takes about a millisecond per dispatch.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { onWebGPU, webgpuSkipReason } from '@ttrnn/test-utils';
import type { TTLayout } from '../../cell_factory.js';
import { maxAbsDiffAsync, randomTensor } from '../../test_util/random.js';
import { evaluate, makeRnn } from '../../test_util/rnn_eval.js';
import { chooseRecurrentPath } from '../path.js';

const PROBLEM = await webgpuSkipReason('the WGSL recurrent path tests');

/** [name, layout, hidden, batch] */
const CASES: [string, TTLayout | null, number, number][] = [
  ['dense', null, 8, 3],
  ['tt 2 cores', { cores: 2, rank: 3 }, 8, 3],
  // 70 hidden units: two tiles of 64 in the forward's product, five (partial last) in the backward's; 6 batch rows:
  // two workgroups of 4 rows, the second half empty.
  ['dense, wider than a tile', null, 70, 6],
];

describe.skipIf(PROBLEM !== null)('the WGSL recurrent path on webgpu', () => {
  onWebGPU();

  it('is chosen on webgpu unless a TT map contracts per step', () => {
    const dense = makeRnn('lstm', null, 1, 1).cells[0]!;
    const tt = makeRnn('gru', { cores: 2, rank: 2 }, 1, 1).cells[0]!;
    expect(chooseRecurrentPath(dense, 'per-step')).toBe('webgpu');
    expect(chooseRecurrentPath(tt, 'auto')).toBe('webgpu');
    expect(chooseRecurrentPath(tt, 'rebuilt')).toBe('webgpu');
    expect(chooseRecurrentPath(tt, 'per-step')).toBe('plain');
    dense.dispose();
    tt.dispose();
  });

  it("refuses path 'kernel' (the WebAssembly kernels cannot read GPU tensors), naming the paths to use", () => {
    const rnn = makeRnn('lstm', null, 1, 1);
    const x = randomTensor([2, 3, 6], 1) as tf.Tensor3D;
    expect(() => rnn.run(x, { path: 'kernel' })).toThrow(
      /'kernelSequence' \(path 'kernel'\) cannot read webgpu tensors synchronously; on webgpu use path 'auto' or 'plain'/,
    );
    x.dispose();
    rnn.dispose();
  });

  for (const cell of ['lstm', 'gru'] as const) {
    it.each(CASES)(
      `${cell} %s: outputs and gradients equal the plain path's`,
      { timeout: 300_000 },
      async (_n, tt, h, batch) => {
        const rnn = makeRnn(cell, tt, 31, 2, 6, h);
        const x = randomTensor([batch, 5, 6], 4) as tf.Tensor3D;
        const R = randomTensor([batch, 5, h], 5);
        const ref = evaluate(rnn, x, R, { mode: 'rebuilt', path: 'plain' });
        const fast = evaluate(rnn, x, R, { mode: 'rebuilt', path: 'webgpu' });
        expect(fast.length).toBe(ref.length);
        // [loss, outputs, final h…, final c…, gradients of every weight…, gradient of x]
        const nOut = 2 + rnn.cells.length * (cell === 'lstm' ? 2 : 1);
        for (let i = 0; i < ref.length; i++) {
          const d = await maxAbsDiffAsync(fast[i]!, ref[i]!);
          expect(d, `tensor ${i}`).toBeLessThan(i < nOut ? 1e-5 : 1e-4);
        }
        // The gradients must not vanish: a zero gradient everywhere would hide bugs.
        for (const g of ref.slice(-3)) {
          const m = tf.tidy(() => tf.max(tf.abs(g)));
          expect((await m.data())[0]).toBeGreaterThan(0);
          m.dispose();
        }
        tf.dispose([...ref, ...fast, x, R]);
        rnn.dispose();
      },
    );
  }

  it(
    'gru with checkpointed chunks: the chunks run the WGSL op and give the ordinary run',
    { timeout: 300_000 },
    async () => {
      const rnn = makeRnn('gru', { cores: 2, rank: 2 }, 41, 1, 6, 8);
      const x = randomTensor([2, 7, 6], 7) as tf.Tensor3D;
      const R = randomTensor([2, 7, 8], 8);
      const ref = evaluate(rnn, x, R, { mode: 'rebuilt', path: 'plain' });
      const fast = evaluate(rnn, x, R, { mode: 'rebuilt', path: 'webgpu', checkpoint: 3 });
      for (let i = 0; i < ref.length; i++)
        expect(await maxAbsDiffAsync(fast[i]!, ref[i]!), `tensor ${i}`).toBeLessThan(1e-4);
      tf.dispose([...ref, ...fast, x, R]);
      rnn.dispose();
    },
  );
});
