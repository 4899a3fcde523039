import { describe, expect, it } from 'vitest';
import { Rng, deriveSeed } from './rng.js';

describe('Rng', () => {
  it('is reproducible for a seed and differs between seeds', () => {
    const a = new Rng(7),
      b = new Rng(7),
      c = new Rng(8);
    const xa = Array.from({ length: 5 }, () => a.nextUint32());
    const xb = Array.from({ length: 5 }, () => b.nextUint32());
    const xc = Array.from({ length: 5 }, () => c.nextUint32());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
  });

  it('resumes exactly from a saved state, including the Box-Muller spare', () => {
    const a = new Rng(1);
    a.normal();
    const saved = JSON.parse(JSON.stringify(a.getState()));
    const expected = [a.normal(), a.normal(), a.uniform(), a.int(10)];
    const b = new Rng(99);
    b.setState(saved);
    expect([b.normal(), b.normal(), b.uniform(), b.int(10)]).toEqual(expected);
  });

  it('draws uniforms with mean 1/2 and normals with unit variance', () => {
    const r = new Rng(3);
    const n = 200_000;
    let su = 0,
      sn = 0,
      sn2 = 0;
    for (let i = 0; i < n; i++) {
      su += r.uniform();
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    // 5 standard errors: fails only for a broken generator.
    expect(Math.abs(su / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(sn / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(sn2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it('int is unbiased over a small range and permutation is a permutation', () => {
    const r = new Rng(5);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[r.int(3)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    const p = r.permutation(100);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('rejects bad arguments with the argument named', () => {
    expect(() => new Rng(Number.NaN)).toThrow(/'seed' passed to 'Rng'/);
    expect(() => new Rng(1).int(0)).toThrow(/'n' passed to 'Rng.int'/);
    expect(() => new Rng(1).setState({ words: [1, 2, 3] as never, spare: null })).toThrow(/Rng.setState/);
  });

  it('deriveSeed separates paths', () => {
    expect(deriveSeed(1, 0, 1)).not.toBe(deriveSeed(1, 1, 0));
    expect(deriveSeed(1, 2)).toBe(deriveSeed(1, 2));
  });
});
