import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createCell } from './cell_factory.js';
import type { Linear } from './linear.js';
import { checkReferenceVectors as runParity, recogniseReferenceCase as recognise } from './reference_check.js';
import { RNN } from './rnn.js';
import { REFERENCE_FILE } from '@ttrnn/test-utils/reference';

/** A fresh copy of the committed reference vectors (the tests perturb it). */
const load = (): Record<string, unknown> => JSON.parse(readFileSync(REFERENCE_FILE, 'utf8')) as Record<string, unknown>;
type Arr = { shape: number[]; data: number[] };

describe('checkReferenceVectors', () => {
  it('recognises every case of the committed file by content and finds them all within tolerance', async () => {
    const doc = load();
    // Renamed cases must be recognised the same way.
    const renamed = Object.fromEntries(Object.entries(doc).map(([k, v]) => [k === 'meta' ? k : `case_${k}`, v]));
    const results = await runParity(renamed);
    expect(results.map((r) => r.kind)).toEqual([
      'meta',
      'auto_shape',
      'tt_matmul',
      'rnn',
      'rnn',
      'rnn',
      'rnn',
      'rnn',
      'rnn',
      'classifier',
    ]);
    for (const r of results) expect(r.ok, `${r.name}: ${r.message ?? ''}`).toBe(true);
    const rnn = results.filter((r) => r.kind === 'rnn');
    for (const r of rnn) {
      expect(r.outputError).toBeLessThan(1e-5);
      expect(r.gradientError).toBeLessThan(1e-4);
      expect(Object.keys(r.details)).toEqual(
        expect.arrayContaining([
          'out:outputs',
          'out:h_last',
          'out:step0_input_part',
          'out:step0_hidden_part',
          'grad:x',
        ]),
      );
    }
    // The TT matmul case compares y by both products and the rebuilt W.
    expect(Object.keys(results.find((r) => r.kind === 'tt_matmul')!.details).sort()).toEqual(['out:W', 'out:y']);
  });

  it('fails a perturbed output, a perturbed gradient and a wrong auto shape', async () => {
    const doc = load();
    const lstm = doc['ttlstm'] as Record<string, unknown>;
    (lstm['outputs'] as Arr).data[3]! += 2e-5;
    const gru = doc['ttgru'] as { grads: Record<string, Arr> };
    gru.grads['cell0.hidden_weights.parameters.1']!.data[0]! += 3e-4;
    (doc['auto_shape'] as { shape: number[] }[])[0]!.shape = [3, 2];
    const byName = new Map((await runParity(doc)).map((r) => [r.name, r]));
    expect(byName.get('ttlstm')!.ok).toBe(false);
    expect(byName.get('ttlstm')!.details['out:outputs']).toBeGreaterThan(1e-5);
    expect(byName.get('ttgru')!.ok).toBe(false);
    expect(byName.get('ttgru')!.details['grad:cell0.hidden_weights.parameters.1']).toBeGreaterThan(1e-4);
    expect(byName.get('auto_shape')!.ok).toBe(false);
    expect(byName.get('ttlstm_naive')!.ok).toBe(true);
  });

  it('checks the layout rules against the config: a case whose config disagrees with its cores fails', async () => {
    const doc = load();
    const last = structuredClone(doc['ttlstm_extra_last']) as { config: Record<string, unknown> };
    last.config['new_core'] = 'first';
    const naive = structuredClone(doc['ttlstm_naive']) as { config: Record<string, unknown> };
    naive.config['tt_rank'] = 3;
    const results = await runParity({ last, naive, ok: doc['ttlstm_extra_first'], cls: doc['tt_classifier'] });
    expect(results[0]).toMatchObject({ ok: false });
    expect(results[0]!.message).toMatch(
      /layout: cell0.input_weights has in \[2, 3, 1\] out \[2, 4, 4\].*rules give in \[1, 2, 3\] out \[4, 2, 4\]/,
    );
    expect(results[1]!.ok).toBe(false);
    expect(results[2]!.message).toMatch(/layout 2 cores, rank 2, extra core first: shapes as the rules give/);
    expect(results[3]!.ok).toBe(true);
    expect(results[3]!.message).toMatch(/layout 2 cores, rank 2/);
  });

  it('reports unknown and unparseable cases instead of skipping them', async () => {
    const doc = load();
    const broken = structuredClone(doc['ttlstm']) as Record<string, unknown>;
    (broken['x'] as Arr).data.pop();
    const results = await runParity({ mystery: { foo: 1 }, broken, ttgru: doc['ttgru'] });
    expect(results[0]).toMatchObject({ name: 'mystery', kind: 'unknown', ok: false });
    expect(results[1]).toMatchObject({ name: 'broken', kind: 'rnn', ok: false });
    expect(results[1]!.message).toMatch(/x: shape \[2, 3, 6\] needs 36 values, got 35/);
    expect(results[2]!.ok).toBe(true);
    expect(recognise('meta', { anything: 1 })).toBe('meta');
  });

  it('parses dense weights (W or PyTorch weight), multi-layer stacks and GRU told from the gate count', async () => {
    // A two-layer dense GRU written in the reference format, with no class name.
    const cells = [
      createCell({ cell: 'gru', inputSize: 5, hiddenSize: 4 }, 1),
      createCell({ cell: 'gru', inputSize: 4, hiddenSize: 4 }, 2),
    ];
    const rnn = new RNN(cells);
    const arr = (t: tf.Tensor): Arr => ({ shape: [...t.shape], data: Array.from(t.dataSync()) });
    const desc = (m: unknown, torch: boolean): Record<string, unknown> => {
      const lin = m as Linear;
      const w = torch ? tf.transpose(lin.weight) : lin.weight;
      const out = { [torch ? 'weight' : 'W']: arr(w), bias: lin.bias === null ? null : arr(lin.bias) };
      if (torch) w.dispose();
      return out;
    };
    const x = tf.randomUniform([2, 3, 5], -1, 1, 'float32', 3) as tf.Tensor3D;
    const r = rnn.run(x);
    const c = {
      input_weights: cells.map((cell, l) => desc(cell.inputWeights, l === 1)),
      hidden_weights: cells.map((cell) => desc(cell.hiddenWeights, false)),
      x: arr(x),
      outputs: arr(r.outputs!),
      h_last: arr(r.hLast[1]!),
      c_last: null,
    };
    tf.dispose([x, r.outputs!, ...r.hLast]);
    rnn.dispose();
    const [res] = await runParity({ dense_gru_2layers: c });
    expect(res).toMatchObject({ kind: 'rnn', ok: true });
    expect(res!.outputError).toBeLessThan(1e-6);
    // The same file claiming an LSTM must fail loudly.
    const [wrong] = await runParity({ claimed_lstm: { ...c, class: 'LSTM' } });
    expect(wrong!.ok).toBe(false);
  });
});
