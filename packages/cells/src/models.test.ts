import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { countParams } from './count_params.js';
import type { ModelConfig, ModelTTConfig } from './model_config.js';
import { createModel, GE2E_INIT } from './models.js';
import { loadReference } from '@ttrnn/test-utils/reference';
import { maxAbsDiff, randomTensor } from './test_util/random.js';
import { linearMapFromReference, cellFromReference, refTensor } from './reference_format.js';
import { RNN } from './rnn.js';
import { assembleModel } from './models.js';
import { assertClose } from '@ttrnn/test-utils';

const TT: [string, ModelTTConfig | null][] = [
  ['dense', null],
  ['tt', { cores: 2, rank: 2, extraCore: 'none', naive: false }],
  ['tt first', { cores: 2, rank: 3, extraCore: 'first', naive: false }],
  ['tt last', { cores: 3, rank: 2, extraCore: 'last', naive: false }],
  ['tt naive', { cores: 2, rank: 2, extraCore: 'none', naive: true }],
];

const config = (task: 'classifier' | 'speaker', cell: 'lstm' | 'gru', tt: ModelTTConfig | null): ModelConfig => ({
  task,
  cell,
  tt,
  inputSize: 6,
  hiddenSize: 8,
  layers: 2,
  outputSize: 10,
  mode: 'auto',
});

describe('models', () => {
  for (const task of ['classifier', 'speaker'] as const) {
    for (const cell of ['lstm', 'gru'] as const) {
      it.each(TT)(`${task} ${cell} %s: output, parameter count and names`, (_n, tt) => {
        const cfg = config(task, cell, tt);
        const model = createModel(cfg, 5);
        const x = randomTensor([3, 4, 6], 1) as tf.Tensor3D;
        const y = model.apply(x);
        expect(y.shape).toEqual([3, 10]);
        const rows = tf.tidy(() =>
          (task === 'classifier' ? tf.sum(tf.exp(y), 1) : tf.norm(y, 'euclidean', 1)).dataSync(),
        );
        for (const r of rows) expect(r).toBeCloseTo(1, 5);
        expect(model.paramCount()).toBe(countParams(cfg).params);
        const names = model.namedWeights().map((w) => w.name);
        expect(new Set(names).size).toBe(names.length);
        expect(names[0]).toMatch(/^rnn\.cell0\.input_weights\./);
        if (task === 'speaker') {
          expect(names.slice(-2)).toEqual(['ge2e.w', 'ge2e.b']);
          const [w, b] = model
            .namedWeights()
            .slice(-2)
            .map((v) => v.variable.dataSync()[0]);
          expect([w, b]).toEqual([GE2E_INIT.w, GE2E_INIT.b]);
        }
        // Same seed, same model; another seed, another model.
        const same = createModel(cfg, 5);
        const other = createModel(cfg, 6);
        const ys = same.apply(x);
        const yo = other.apply(x);
        expect(maxAbsDiff(ys, y)).toBe(0);
        expect(maxAbsDiff(yo, y)).toBeGreaterThan(1e-6);
        tf.dispose([x, y, ys, yo]);
        for (const m of [model, same, other]) m.dispose();
      });
    }
  }

  it('the classifier reproduces the reference tt_classifier log-softmax', () => {
    const c = loadReference()['tt_classifier'] as Record<string, unknown>;
    const cell = cellFromReference(c['rnn_input_weights'], c['rnn_hidden_weights'], { className: 'TTLSTM' });
    const head = linearMapFromReference(c['head'], 'head');
    const model = assembleModel(
      {
        task: 'classifier',
        cell: 'lstm',
        tt: { cores: 2, rank: 2, extraCore: 'none', naive: false },
        inputSize: 6,
        hiddenSize: 8,
        layers: 1,
        outputSize: 10,
      },
      { rnn: new RNN([cell]), head },
    );
    expect(model.paramCount()).toBe(countParams(model.config).params);
    const x = refTensor(c['x'], 'x') as tf.Tensor3D;
    for (const mode of ['per-step', 'rebuilt', 'auto'] as const) {
      const m = assembleModel({ ...model.config, mode }, { rnn: (model as unknown as { rnn: RNN }).rnn, head });
      const y = m.apply(x);
      assertClose(
        y.dataSync(),
        (c['log_softmax_out'] as { data: number[] }).data,
        { atol: 1e-5, rtol: 0 },
        `log_softmax (${mode})`,
      );
      y.dispose();
    }
    x.dispose();
    model.dispose();
  });

  it.each(['lstm', 'gru'] as const)(
    'a %s classifier gives the same log-probabilities and gradients on both paths and with checkpoints',
    (cell) => {
      const tt = { cores: 2, rank: 2, extraCore: 'none', naive: false } as const;
      const variants = [
        { path: 'plain' },
        { path: 'kernel' },
        { checkpoint: 2 },
        { path: 'plain', checkpoint: 4 },
        { path: 'kernel', checkpoint: 4 },
      ] as const;
      const x = randomTensor([2, 5, 6], 3) as tf.Tensor3D;
      const results = variants.map((v) => {
        const model = createModel({ ...config('classifier', cell, tt), mode: 'rebuilt', ...v }, 9);
        const vars = model.namedWeights().map((w) => w.variable);
        const { value, grads } = tf.variableGrads(() => tf.sum(model.apply(x)) as tf.Scalar, vars);
        const out = [value, ...vars.map((w) => grads[w.name]!)];
        model.dispose();
        return out;
      });
      for (const r of results.slice(1)) r.forEach((t, i) => expect(maxAbsDiff(t, results[0]![i]!)).toBeLessThan(1e-5));
      tf.dispose([x, ...results.flat()]);
    },
  );

  it('rejects bad configurations and inputs', () => {
    expect(() => createModel({ ...config('classifier', 'lstm', null), layers: 0 }, 1)).toThrow(
      /'config.layers' passed to 'createModel'/,
    );
    expect(() => createModel({ ...config('classifier', 'lstm', null), task: 'regression' as 'speaker' }, 1)).toThrow(
      /config.task/,
    );
    expect(() => createModel({ ...config('classifier', 'lstm', null), mode: 'fast' as 'auto' }, 1)).toThrow(
      /config.mode/,
    );
    expect(() => createModel({ ...config('classifier', 'lstm', null), path: 'fused' as 'plain' }, 1)).toThrow(
      /'config.path' passed to 'createModel'/,
    );
    expect(() => createModel({ ...config('classifier', 'lstm', null), checkpoint: -2 }, 1)).toThrow(
      /'config.checkpoint' passed to 'createModel'/,
    );
    expect(() => createModel(config('classifier', 'lstm', null), Number.NaN)).toThrow(/'seed' passed to 'createModel'/);
    const before = tf.memory().numTensors;
    expect(() =>
      createModel({ ...config('classifier', 'gru', { cores: 2, rank: 0, extraCore: 'none', naive: false }) }, 1),
    ).toThrow(/rank/);
    expect(tf.memory().numTensors).toBe(before);
    const model = createModel(config('speaker', 'lstm', null), 1);
    const x = tf.zeros([2, 3, 5]) as tf.Tensor3D;
    expect(() => model.apply(x)).toThrow(/'x' passed to 'SpeakerEncoder.apply' must have 6 features per step/);
    x.dispose();
    model.dispose();
  });

  describe('apply on hostile input', () => {
    const x = (value: number, at = 7): tf.Tensor3D => {
      const data = new Float32Array(2 * 3 * 6).fill(0.25);
      data[at] = value;
      return tf.tensor3d(data, [2, 3, 6]);
    };
    const CASES: [string, (m: ReturnType<typeof createModel>) => unknown, RegExp][] = [
      [
        'NaN input',
        (m) => tf.tidy(() => m.apply(x(Number.NaN))),
        /'x' passed to 'SequenceClassifier.apply' must hold finite numbers, got NaN at \[0, 1, 1\]/,
      ],
      [
        '+Infinity input',
        (m) => tf.tidy(() => m.apply(x(Infinity, 20))),
        /must hold finite numbers, got Infinity at \[1, 0, 2\]/,
      ],
      ['-Infinity input', (m) => tf.tidy(() => m.apply(x(-Infinity, 35))), /got -Infinity at \[1, 2, 5\]/],
      [
        'a plain array',
        (m) => m.apply([[[1, 2, 3, 4, 5, 6]]] as unknown as tf.Tensor3D),
        /must be a rank-3 tensor \[batch, steps, 6\], got a plain array \(wrap it: tf.tensor3d\(x\)\)/,
      ],
      [
        'a disposed tensor',
        (m) => {
          const t = x(0);
          t.dispose();
          return m.apply(t);
        },
        /'x' passed to 'SequenceClassifier.apply' is a disposed tensor/,
      ],
    ];
    it.each(CASES)('refuses %s with an error naming the argument', (_what, call, expected) => {
      const model = createModel(config('classifier', 'lstm', null), 1);
      try {
        const before = tf.memory().numTensors;
        expect(() => call(model)).toThrow(expected);
        expect(tf.memory().numTensors).toBe(before);
      } finally {
        model.dispose();
      }
    });
    it('refuses non-finite input to the speaker encoder too, and accepts finite input', () => {
      const model = createModel(config('speaker', 'gru', TT[1]![1]), 1);
      try {
        expect(() => tf.tidy(() => model.apply(x(Number.NaN)))).toThrow(
          /'SpeakerEncoder.apply' must hold finite numbers/,
        );
        const ok = x(1e30);
        const out = model.apply(ok);
        expect(Array.from(out.dataSync()).every(Number.isFinite)).toBe(true);
        tf.dispose([ok, out]);
      } finally {
        model.dispose();
      }
    });
    it('refuses apply and namedWeights after dispose; a second dispose does nothing', () => {
      const model = createModel(config('speaker', 'lstm', null), 1);
      model.dispose();
      model.dispose();
      const t = x(0);
      expect(() => model.apply(t)).toThrow(
        /'SpeakerEncoder.apply' called on a disposed model \(dispose\(\) released its weights\)/,
      );
      expect(() => model.namedWeights()).toThrow(/called on a disposed model/);
      t.dispose();
    });
  });
});
