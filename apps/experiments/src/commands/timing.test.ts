import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchConfig, BenchModel } from './timing_bench.js';
import { countParams } from '@ttrnn/cells';
import { dense, tt } from '../profiles.js';
import type { ModelSpec } from '../profiles.js';
import {
  ALL_SHAPES,
  SHAPE_NAMES,
  SHAPES,
  SPEAKER_CHUNK,
  benchConfig,
  benchConfigs,
  cellsFactory,
  compareConfigs,
  configId,
  formatComparison,
  formatOriginalComparison,
  parseRecords,
  summarize,
} from './timing_bench.js';
import { runTiming, timingCommand, timingConfigs } from './timing.js';

/** A tiny stand-in model (last step → dense → log-softmax) so the test measures structure, not speed. */
function tinyModel(): BenchModel {
  const init = tf.fill([28, 10], 0.01);
  const w = tf.variable(init);
  init.dispose();
  return {
    params: w.size,
    variables: [w],
    threads: 1,
    apply(x) {
      return tf.tidy(() => {
        const last = tf.reshape(tf.slice(x, [0, x.shape[1] - 1, 0], [-1, 1, -1]), [x.shape[0], x.shape[2]]);
        return tf.logSoftmax(tf.matMul(last, w)) as tf.Tensor2D;
      });
    },
    dispose() {
      w.dispose();
    },
  };
}

describe('timing', () => {
  it('measures dense and TT models of every cell, the dense LSTM first (the reference of the ratios)', () => {
    for (const quick of [true, false]) {
      const configs = timingConfigs(quick);
      expect(configs[0]).toMatchObject({ model: 'lstm', cores: null });
      const models = configs.map((c) => c.model);
      expect(new Set(models)).toEqual(new Set(['lstm', 'gru', 'tt-lstm', 'tt-gru']));
      expect(new Set(configs.map(configId)).size).toBe(configs.length);
    }
    const ttLstm = timingConfigs(false).filter((c) => c.model === 'tt-lstm');
    expect(ttLstm.map((c) => `c${c.cores} r${c.rank}`)).toEqual(['c2 r2', 'c2 r4', 'c2 r8', 'c3 r4']);
  });

  it('returns one JSON-able record per configuration, with the table', async () => {
    const result = await runTiming({ quick: true, warmup: 0, iterations: 2, factory: tinyModel });
    const configs = timingConfigs(true);
    expect(result.records).toMatchObject(configs);
    for (const r of result.records) {
      expect(r.inferSpread.n).toBe(2);
      expect(r.trainSpread.n).toBe(2);
      expect(r.inferMs).toBeGreaterThanOrEqual(r.inferSpread.min);
      expect(r.inferMs).toBeLessThanOrEqual(r.inferSpread.max);
      expect(r.params).toBe(280);
      expect(r.trainPeakBytes).toBeGreaterThan(0);
    }
    const back = JSON.parse(JSON.stringify(result)) as typeof result;
    expect(back.records).toEqual(result.records);
    expect(result.table).toContain('tt-lstm c2 r8 auto');
    expect(result.table.split('\n')[0]).toContain('row-mnist: batch 128, 28 steps');
  });

  it('rejects bad rounds and unknown options', async () => {
    await expect(timingCommand.run(['--iterations', '0'])).rejects.toThrow(
      /option --iterations of 'timing' must be an integer from 1/,
    );
    await expect(timingCommand.run(['--rounds', '3'])).rejects.toThrow(/unknown option --rounds for 'timing'/);
    await expect(timingCommand.run(['extra'])).rejects.toThrow(/'timing' takes no positional arguments, got 'extra'/);
  });
});

describe('bench shapes', () => {
  it("speaker is the authors' encoder, measured checkpointed, dense and TT, and only when asked for", () => {
    expect(SHAPES.speaker).toMatchObject({ batch: 512, steps: 160, input: 40, hidden: 768 });
    expect(ALL_SHAPES).not.toContain('speaker');
    const ids = benchConfigs('speaker').map(configId);
    expect(ids).toEqual([
      `speaker/lstm/ckpt${SPEAKER_CHUNK}`,
      `speaker/tt-lstm/c2/r2/auto/ckpt${SPEAKER_CHUNK}`,
      `speaker/tt-lstm/c2/r8/auto/ckpt${SPEAKER_CHUNK}`,
      `speaker/gru/ckpt${SPEAKER_CHUNK}`,
      `speaker/tt-gru/c2/r2/auto/ckpt${SPEAKER_CHUNK}`,
      `speaker/tt-gru/c2/r8/auto/ckpt${SPEAKER_CHUNK}`,
    ]);
    expect(benchConfigs('speaker', { quick: true }).map(configId)).toHaveLength(4);
  });
});

describe('bench records', () => {
  it('are named as before (model kind; cores, rank and mode null for dense models), in the key order of baseline.json', () => {
    const configs = [...benchConfigs('row-mnist'), ...benchConfigs('pixel'), ...benchConfigs('speaker')];
    // The key order is the one of baseline.json's records.
    const json = (f: (c: BenchConfig) => boolean) => JSON.stringify(configs.find(f));
    expect(json((c) => c.model === 'tfjs-layers-lstm')).toBe(
      '{"shape":"row-mnist","model":"tfjs-layers-lstm","cores":null,"rank":null,"mode":null,"checkpoint":null}',
    );
    expect(json((c) => c.model === 'tt-gru' && c.cores === 3 && c.rank === 4 && c.path === 'plain')).toBe(
      '{"shape":"row-mnist","model":"tt-gru","cores":3,"rank":4,"mode":"auto","checkpoint":null,"path":"plain"}',
    );
    expect(json((c) => c.shape === 'pixel' && c.cores === null)).toBe(
      '{"shape":"pixel","model":"lstm","cores":null,"rank":null,"mode":null,"checkpoint":28}',
    );
    expect(() => parseRecords([{ ...configs[0], inferMs: 1, trainMs: 2, model: 'rnn' }], 'baseline.json')).toThrow(
      /baseline.json: record 0: model must be one of lstm, gru, tt-lstm, tt-gru, tfjs-layers-lstm, got 'rnn'/,
    );
  });

  it('build the model they name: cell, TT layout and path', () => {
    const shape = { ...SHAPES['row-mnist'], input: 4, hidden: 8, classes: 3 };
    for (const spec of [dense('gru'), tt('lstm', 2, 3)]) {
      const model = cellsFactory(benchConfig('row-mnist', spec, 2, 'plain'), shape, 1);
      const config = { task: 'classifier', ...spec, inputSize: 4, hiddenSize: 8, layers: 1, outputSize: 3 } as const;
      expect(model.params).toBe(countParams(config).params);
      expect(model.threads).toBe(1);
      model.dispose();
    }
    expect(() =>
      cellsFactory({ ...benchConfig('row-mnist', dense('lstm')), model: 'tfjs-layers-lstm' }, shape, 1),
    ).toThrow(/config.cell/);
  });

  it('of the stored baseline parse and name configurations the bench measures (so a run compares with them)', () => {
    const file = new URL('../../bench/results/baseline.json', import.meta.url);
    const records = parseRecords(JSON.parse(readFileSync(file, 'utf8')), 'baseline.json');
    expect(records.length).toBeGreaterThan(0);
    const ids = new Set([...SHAPE_NAMES.flatMap((s) => benchConfigs(s)), ...compareConfigs()].map(configId));
    for (const r of records) expect(ids).toContain(configId(r));
  });
});

describe('timing statistics', () => {
  it('summarises samples by median, quartiles and range', () => {
    const { median, spread } = summarize([5, 1, 4, 2, 3]);
    expect(median).toBe(3);
    expect(spread).toEqual({ min: 1, q1: 2, q3: 4, max: 5, n: 5 });
    expect(summarize([1, 2]).median).toBe(1.5);
  });

  /** A row-mnist record of `spec` with these medians. */
  const rec = (spec: ModelSpec, inferMs: number, trainMs: number, path?: 'plain') =>
    ({ ...benchConfig('row-mnist', spec, null, path), threads: 2, inferMs, trainMs }) as never;

  it('compares with a baseline and flags changes beyond the tolerance', () => {
    const text = formatComparison(
      [rec(dense('lstm'), 10, 20), rec(dense('gru'), 10, 20)],
      [rec(dense('lstm'), 10, 40)],
    );
    expect(text).toMatch(/row-mnist\/lstm .*\(1\.00 \).*\(0\.50!\)/);
    expect(text).not.toContain('gru');
    expect(() => parseRecords({}, 'baseline.json')).toThrow(/baseline.json: expected a JSON array/);
    expect(() => parseRecords([{ shape: 'x' }], 'baseline.json')).toThrow(/record 0 is not a bench record/);
  });

  it('compares with the original: the models it was timed at, on both paths, with ratios to its times and to the own dense LSTM', () => {
    expect(compareConfigs().map(configId)).toEqual([
      'row-mnist/lstm',
      'row-mnist/tt-lstm/c2/r2/auto',
      'row-mnist/tt-lstm/c2/r4/auto',
      'row-mnist/tt-lstm/c2/r8/auto',
      'row-mnist/lstm/plain',
      'row-mnist/tt-lstm/c2/r2/auto/plain',
      'row-mnist/tt-lstm/c2/r4/auto/plain',
      'row-mnist/tt-lstm/c2/r8/auto/plain',
    ]);
    const text = formatOriginalComparison([
      rec(dense('lstm'), 46, 152),
      rec(tt('lstm', 2, 2), 23, 50),
      rec(tt('lstm', 2, 8), 40, 200, 'plain'),
    ]);
    const line = (prefix: string) => text.split('\n').find((l) => l.startsWith(prefix))!;
    // The original: dense LSTM 23/76 ms (one thread, quiet), 31/111 (two threads); TT-LSTM r2 27/100, 39/153.
    expect(line('lstm ').split(/\s+/).join(' ')).toBe(
      'lstm default 2 46.0 152 – 23.0/76.0 31.0/111 2.00 1.37 2.00 1.00/1.00',
    );
    expect(line('tt-lstm c2 r2').split(/\s+/).slice(-5)).toEqual(['39.0/153', '0.50', '0.33', '0.85', '0.50/0.33']);
    // Rank 8 has no inference time of the original's single-threaded run.
    expect(line('tt-lstm c2 r8').split(/\s+/)).toContain('–/228');
  });
});
