import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@ttrnn/random';
import { ge2eCosines, ge2eLoss } from './ge2e.js';

/** GE2E loss with plain loops: embeddings[j][i] is a unit vector. */
function ge2eByHand(e: number[][][], w: number, b: number): { loss: number; sim: number[][][] } {
  const n = e.length;
  const m = e[0]!.length;
  const dim = e[0]![0]!.length;
  const unit = (v: number[]): number[] => {
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return v.map((x) => x / norm);
  };
  const dot = (a: number[], c: number[]): number => a.reduce((s, x, k) => s + x * c[k]!, 0);
  const incl = e.map((utts) => unit(Array.from({ length: dim }, (_, k) => utts.reduce((s, u) => s + u[k]!, 0) / m)));
  const sim: number[][][] = [];
  let total = 0;
  for (let j = 0; j < n; j++) {
    sim.push([]);
    for (let i = 0; i < m; i++) {
      const row: number[] = [];
      for (let k = 0; k < n; k++) {
        let c: number[];
        if (k === j) {
          c = unit(
            Array.from({ length: dim }, (_, d) => e[j]!.reduce((s, u, i2) => (i2 === i ? s : s + u[d]!), 0) / (m - 1)),
          );
        } else {
          c = incl[k]!;
        }
        row.push(w * dot(e[j]![i]!, c) + b);
      }
      sim[j]!.push(row);
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
      total += lse - row[j]!;
    }
  }
  return { loss: total / (n * m), sim };
}

function randomUnitEmbeddings(n: number, m: number, dim: number, seed: number): number[][][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: m }, () => {
      const v = Array.from({ length: dim }, () => rng.normal());
      const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      return v.map((x) => x / norm);
    }),
  );
}

describe('ge2eLoss', () => {
  it('matches a hand computation with exclusive own and inclusive other centroids', () => {
    const e = randomUnitEmbeddings(3, 4, 5, 1);
    const expected = ge2eByHand(e, 10, -5);
    const x = tf.tensor3d(e);
    const w = tf.scalar(10);
    const b = tf.tensor1d([-5]);
    const loss = ge2eLoss(x, w, b);
    const cos = ge2eCosines(x);
    expect(loss.dataSync()[0]).toBeCloseTo(expected.loss, 4);
    const cosData = cos.arraySync();
    for (let j = 0; j < 3; j++)
      for (let i = 0; i < 4; i++)
        for (let k = 0; k < 3; k++) expect(10 * cosData[j]![i]![k]! - 5).toBeCloseTo(expected.sim[j]![i]![k]!, 4);
    tf.dispose([x, w, b, loss, cos]);
  });
  it('uses the exclusive centroid: two utterances per speaker see only each other', () => {
    // With M = 2 the own centroid of utterance i is the other utterance itself.
    const e = [
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [1, 0],
      ],
    ];
    const expected = ge2eByHand(e, 1, 0);
    const [cos, loss] = tf.tidy(() => {
      const x = tf.tensor3d(e);
      return [ge2eCosines(x).arraySync(), ge2eLoss(x, tf.scalar(1), tf.scalar(0)).dataSync()[0]!];
    });
    expect(cos[0]![0]![0]).toBeCloseTo(0, 6); // [1,0]·[0,1]
    expect(cos[1]![0]![1]).toBeCloseTo(1, 6);
    expect(cos[0]![0]![1]).toBeCloseTo(1, 6); // against speaker 1's inclusive centroid [1,0]
    expect(loss).toBeCloseTo(expected.loss, 5);
  });
  it('has gradients for the embeddings and for w and b', () => {
    const e = randomUnitEmbeddings(2, 3, 4, 2);
    const x = tf.tensor3d(e);
    const w = tf.scalar(10);
    const b = tf.scalar(-5);
    const grads = tf.grads((xe, we, be) => ge2eLoss(xe as tf.Tensor3D, we!, be!))([x, w, b]);
    // dL/db = mean over utterances of (Σ_k softmax − 1) = 0.
    expect(Math.abs(grads[2]!.dataSync()[0]!)).toBeLessThan(1e-5);
    expect(Number.isFinite(grads[1]!.dataSync()[0]!)).toBe(true);
    const eps = 1e-2;
    const lw = (wv: number): number => ge2eByHand(e, wv, -5).loss;
    expect(grads[1]!.dataSync()[0]).toBeCloseTo((lw(10 + eps) - lw(10 - eps)) / (2 * eps), 3);
    tf.dispose([x, w, b, ...grads]);
  });
  it('rejects a batch with one utterance per speaker', () => {
    tf.tidy(() => {
      const x = tf.zeros([2, 1, 3]) as tf.Tensor3D;
      expect(() => ge2eLoss(x, tf.scalar(1), tf.scalar(0))).toThrow(/'embeddings' passed to 'ge2eLoss'/);
    });
  });
});
