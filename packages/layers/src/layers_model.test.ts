/**
 * The layers inside tf.sequential: the same numbers as the @ttrnn/cells models, the original's
 * parameter counts, summary(), training with fit, and a save / loadLayersModel round trip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertClose } from '@ttrnn/test-utils';
import { createModel } from '@ttrnn/cells';
import '@ttrnn/cells/node'; // registers the file:// tf.io router
import type { ModelConfig } from '@ttrnn/cells';
import { toLayersModel } from './convert.js';
import type { TTGRU, TTLSTM } from './recurrent.js';
import { DenseGRU, DenseLSTM, denseGru, denseLstm, ttGru, ttLstm } from './recurrent.js';
import { TTDense, ttDense } from './tt_dense.js';

const CONFIGS: ModelConfig[] = [
  {
    task: 'classifier',
    cell: 'lstm',
    tt: { cores: 2, rank: 2, extraCore: 'none', naive: false },
    inputSize: 6,
    hiddenSize: 8,
    layers: 1,
    outputSize: 4,
  },
  {
    task: 'classifier',
    cell: 'gru',
    tt: { cores: 2, rank: 3, extraCore: 'first', naive: false },
    inputSize: 6,
    hiddenSize: 8,
    layers: 2,
    outputSize: 4,
  },
  {
    task: 'classifier',
    cell: 'lstm',
    tt: { cores: 2, rank: 2, extraCore: 'none', naive: true },
    inputSize: 6,
    hiddenSize: 8,
    layers: 1,
    outputSize: 4,
    mode: 'per-step',
  },
  { task: 'classifier', cell: 'lstm', tt: null, inputSize: 6, hiddenSize: 8, layers: 2, outputSize: 4 },
  { task: 'classifier', cell: 'gru', tt: null, inputSize: 6, hiddenSize: 8, layers: 1, outputSize: 4 },
];

function input(batch: number, steps: number, features: number, seed: number): tf.Tensor3D {
  // Values from bounded integers / 100, a fixed pattern (no Math.random).
  const data = Array.from({ length: batch * steps * features }, (_, i) => (((i * 37 + seed * 11) % 201) - 100) / 100);
  return tf.tensor3d(data, [batch, steps, features]);
}

describe('toLayersModel', () => {
  it.each(
    CONFIGS.map(
      (c) => [`${c.tt === null ? 'dense' : 'TT'} ${c.cell} ×${c.layers}${c.tt?.naive ? ' naive' : ''}`, c] as const,
    ),
  )('%s: predict = exp(cells model apply) with the same weights', (_, config) => {
    const cells = createModel(config, 7);
    const model = toLayersModel(cells);
    const x = input(3, 5, 6, 1);
    const expected = tf.tidy(() => tf.exp(cells.apply(x)));
    const got = model.predict(x) as tf.Tensor;
    expect(got.shape).toEqual([3, 4]);
    assertClose(got.dataSync(), expected.dataSync(), { atol: 1e-6, rtol: 1e-5 }, 'probabilities');
    expect(model.countParams()).toBe(cells.paramCount());
    tf.dispose([x, expected, got]);
    cells.dispose();
    model.dispose();
  });

  it('rejects a speaker encoder, naming the task', () => {
    const cells = createModel(
      { task: 'speaker', cell: 'lstm', tt: null, inputSize: 4, hiddenSize: 4, layers: 1, outputSize: 3 },
      1,
    );
    expect(() => toLayersModel(cells)).toThrow(
      /'model' passed to 'toLayersModel' must be a sequence classifier.*'speaker'/,
    );
    cells.dispose();
  });
});

describe('parameter counts and summary', () => {
  // The original's counts for row MNIST (input 28, hidden 256, 10 classes), from its reference table.
  it.each([
    [
      'TT-LSTM 2 cores rank 2',
      () => [
        ttLstm({ units: 256, cores: 2, rank: 2, inputShape: [28, 28] }),
        ttDense({ units: 10, cores: 2, rank: 2 }),
      ],
      5034,
    ],
    [
      'TT-LSTM 3 cores rank 4',
      () => [
        ttLstm({ units: 256, cores: 3, rank: 4, inputShape: [28, 28] }),
        ttDense({ units: 10, cores: 3, rank: 4 }),
      ],
      4922,
    ],
    [
      'TT-GRU 2 cores rank 2',
      () => [ttGru({ units: 256, cores: 2, rank: 2, inputShape: [28, 28] }), ttDense({ units: 10, cores: 2, rank: 2 })],
      4202,
    ],
    [
      'TT-LSTM 2 cores rank 4, extra core first',
      () => [
        ttLstm({ units: 256, cores: 2, rank: 4, extraCore: 'first', inputShape: [28, 28] }),
        ttDense({ units: 10, cores: 2, rank: 4 }),
      ],
      9130,
    ],
    ['dense LSTM', () => [denseLstm({ units: 256, inputShape: [28, 28] }), tfl.layers.dense({ units: 10 })], 294410],
    ['dense GRU', () => [denseGru({ units: 256, inputShape: [28, 28] }), tfl.layers.dense({ units: 10 })], 222218],
  ] as const)('%s has the original count', (_, layers, count) => {
    const model = tfl.sequential({ layers: [...layers()] });
    expect(model.countParams()).toBe(count);
    model.dispose();
  });

  it('summary() lists the layers, output shapes and parameters', () => {
    const model = tfl.sequential({
      layers: [
        ttLstm({ units: 256, cores: 2, rank: 2, inputShape: [28, 28], name: 'rows' }),
        ttDense({ units: 10, cores: 2, rank: 2, name: 'head' }),
        tfl.layers.softmax(),
      ],
    });
    const lines: string[] = [];
    model.summary(100, undefined, (...msg: unknown[]) => lines.push(msg.join(' ')));
    const text = lines.join('\n');
    expect(text).toMatch(/rows \(TTLSTM\)\s+\[\[null,28,28\]\]\s+\[null,256\]\s+4800/);
    expect(text).toMatch(/head \(TTDense\)\s+\[\[null,256\]\]\s+\[null,10\]\s+234/);
    // 4800 + 234 = 5034, the original's count for this model.
    expect(text).toMatch(/Total params: 5034/);
    model.dispose();
  });
});

describe('training and saving', () => {
  /** A task a recurrent layer must learn: is the sum of the first feature over the steps positive? */
  function task(n: number): { x: tf.Tensor3D; y: tf.Tensor2D } {
    const x = input(n, 4, 3, 5);
    const y = tf.tidy(() => {
      const s = tf.sum(tf.slice(x, [0, 0, 0], [n, 4, 1]), [1, 2]);
      return tf.oneHot(tf.cast(tf.greater(s, 0), 'int32'), 2) as tf.Tensor2D;
    });
    return { x, y };
  }

  it.each([
    ['TT-LSTM', () => ttLstm({ units: 8, cores: 2, rank: 2, inputShape: [4, 3], seed: 3 })],
    ['TT-GRU', () => ttGru({ units: 8, cores: 2, rank: 2, inputShape: [4, 3], seed: 3 })],
    ['dense LSTM', () => denseLstm({ units: 8, inputShape: [4, 3], seed: 3 })],
  ] as const)('%s trains with model.fit (loss falls, every weight moves)', async (_, layer) => {
    const model = tfl.sequential({ layers: [layer(), tfl.layers.dense({ units: 2, activation: 'softmax' })] });
    const optimizer = tf.train.adam(0.05);
    model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const before = model.getWeights().map((w) => w.dataSync().slice());
    const { x, y } = task(64);
    const history = await model.fit(x, y, { epochs: 30, batchSize: 32, shuffle: false, verbose: 0 });
    const loss = history.history['loss'] as number[];
    expect(loss[loss.length - 1]!).toBeLessThan(0.5 * loss[0]!);
    expect((history.history['acc'] as number[]).at(-1)!).toBeGreaterThan(0.9);
    model.getWeights().forEach((w, i) => expect(w.dataSync()).not.toEqual(before[i]));
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
  });

  it('round-trips through model.save and tf.loadLayersModel with the same outputs and config', async () => {
    const model = tfl.sequential({
      layers: [
        ttLstm({
          units: 8,
          cores: 2,
          rank: 2,
          extraCore: 'last',
          returnSequences: true,
          productMode: 'per-step',
          seed: 4,
          inputShape: [5, 6],
        }),
        ttGru({ units: 8, cores: 2, rank: 2, naive: true, checkpoint: 2, seed: 5 }),
        new TTDense({ units: 4, cores: 2, rank: 2, useBias: false, productMode: 'rebuilt', seed: 6 }),
      ],
    });
    let saved: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
      }),
    );
    const json = JSON.stringify(saved!.modelTopology);
    for (const cls of ['TTLSTM', 'TTGRU', 'TTDense']) expect(json).toContain(`"class_name":"${cls}"`);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(['TTLSTM', 'TTGRU', 'TTDense']);
    expect(loaded.layers.map((l) => l.getConfig())).toEqual(model.layers.map((l) => l.getConfig()));
    const first = loaded.layers[0] as TTLSTM;
    expect([first.tt, first.productMode, first.returnSequences]).toEqual([
      { cores: 2, rank: 2, extraCore: 'last', naive: false },
      'per-step',
      true,
    ]);
    expect((loaded.layers[1] as TTGRU).checkpoint).toBe(2);
    const x = input(2, 5, 6, 2);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('round-trips through file:// in Node (the cells file-system handler), trained weights and all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ttrnn-layers-'));
    try {
      const model = tfl.sequential({
        layers: [
          ttGru({ units: 6, cores: 2, rank: 2, seed: 8, inputShape: [4, 3] }),
          ttDense({ units: 2, cores: 2, rank: 2 }),
        ],
      });
      const optimizer = tf.train.adam(0.05);
      model.compile({ optimizer, loss: 'meanSquaredError' });
      const { x, y } = task(16);
      await model.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
      await model.save(`file://${dir}`);
      const loaded = await tfl.loadLayersModel(`file://${join(dir, 'model.json')}`);
      const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([x, y, a, b]);
      model.dispose();
      loaded.dispose();
      optimizer.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a dense LSTM and dense GRU round-trip too', async () => {
    const model = tfl.sequential({
      layers: [new DenseLSTM({ units: 5, returnSequences: true, inputShape: [3, 2] }), new DenseGRU({ units: 4 })],
    });
    let saved: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(
        async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } }),
      ),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(['DenseLSTM', 'DenseGRU']);
    const x = input(2, 3, 2, 3);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });
});

describe('argument errors', () => {
  it('name the argument and the layer', () => {
    expect(() => ttLstm({ units: 0, cores: 2, rank: 2 })).toThrow(
      "'units' passed to 'TTLSTM' must be a positive integer, got 0",
    );
    expect(() => ttGru({ units: 4, cores: 2, rank: 1.5 })).toThrow(
      "'rank' passed to 'TTGRU' must be a positive integer, got 1.5",
    );
    expect(() => ttLstm({ units: 4, cores: 2, rank: 2, extraCore: 'middle' as never })).toThrow(
      /'extraCore' passed to 'TTLSTM' must be one of 'none', 'first', 'last', got 'middle'/,
    );
    expect(() => denseLstm({ units: 4, productMode: 'fast' as never })).toThrow(
      /'productMode' passed to 'DenseLSTM' must be one of/,
    );
    expect(() => ttDense({ units: 4, cores: 0, rank: 2 })).toThrow(
      "'cores' passed to 'TTDense' must be a positive integer, got 0",
    );
  });

  it('a recurrent layer on a rank-2 input says what shape it expects', () => {
    expect(() =>
      tfl.sequential({ layers: [ttLstm({ units: 4, cores: 2, rank: 2, inputShape: [6], name: 'flat' })] }),
    ).toThrow(/layer 'flat' expects input of shape \[batch, steps, features\]/);
  });
});
