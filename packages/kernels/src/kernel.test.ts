import { afterAll, describe, expect, it } from 'vitest';
import { RecurrentKernels, kernelsAvailable, threadsFromEnv } from './kernel.js';
import type { KernelCell, SequenceShape } from './kernel.js';
import {
  closeness,
  randomInputs,
  randomTT,
  referenceForward,
  roundInputs,
  toF32,
  ttFull64,
  ttToF32,
  values,
} from './test_util/reference.js';
import type { Inputs64, TT64 } from './test_util/reference.js';

const one = new RecurrentKernels(1);
const pools = [2, 3].map((n) => new RecurrentKernels(n));
afterAll(async () => {
  await Promise.all([one, ...pools].map((k) => k.close()));
});

// Batch 5 (a block of 4 rows and a single row), hidden 6 (gate widths 24 and 18: column blocks of 8,
// 4 and a partial block), 3 steps; and a shape with whole blocks.
const SHAPES: SequenceShape[] = [
  { steps: 3, batch: 5, hidden: 6 },
  { steps: 2, batch: 4, hidden: 8 },
];
const CELLS: KernelCell[] = ['lstm', 'gru'];

describe.each(CELLS)('%s kernel', (cell) => {
  it.each(SHAPES)('forward equals the float64 equations (%o)', (shape) => {
    const p = roundInputs(randomInputs(cell, shape, 7));
    const r = one.forward(cell, shape, toF32(p));
    expect(closeness(r.out, referenceForward(cell, shape, p), 2e-6, 2e-6)).toBeNull();
  });

  it.each(SHAPES)('backward equals central differences of the float64 forward (%o)', (shape) => {
    const p = roundInputs(randomInputs(cell, shape, 11));
    const f = toF32(p);
    const fw = one.forward(cell, shape, f);
    const dOut = values(fw.out.length, 99);
    const saved = { out: fw.out.slice(), cc: fw.cc?.slice() ?? null, acts: fw.acts.slice() };
    const g = one.backward(cell, shape, { w: f.w, h0: f.h0, ...saved, dOut: Float32Array.from(dOut) });
    const loss = (q: Inputs64) => referenceForward(cell, shape, q).reduce((s, v, i) => s + v * dOut[i]!, 0);
    const fd = (key: keyof Inputs64): Float64Array => {
      const base = p[key];
      const grad = new Float64Array(base.length);
      const eps = 1e-6;
      for (let i = 0; i < base.length; i++) {
        const plus = { ...p, [key]: Float64Array.from(base) };
        plus[key][i]! += eps;
        const minus = { ...p, [key]: Float64Array.from(base) };
        minus[key][i]! -= eps;
        grad[i] = (loss(plus) - loss(minus)) / (2 * eps);
      }
      return grad;
    };
    expect(closeness(g.dxp, fd('xp'), 1e-4, 1e-4)).toBeNull();
    expect(closeness(g.dbx, fd('bx'), 1e-4, 1e-4)).toBeNull();
    expect(closeness(g.dw!, fd('w'), 1e-4, 1e-4)).toBeNull();
    expect(closeness(g.dbh, fd('bh'), 1e-4, 1e-4)).toBeNull();
    expect(closeness(g.dh0, fd('h0'), 1e-4, 1e-4)).toBeNull();
    if (cell === 'lstm') expect(closeness(g.dc0!, fd('c0'), 1e-4, 1e-4)).toBeNull();
    else expect(g.dc0).toBeNull();
  });

  it('gives the same numbers on 1, 2 and 3 threads (rows split between threads)', () => {
    const shape = { steps: 4, batch: 11, hidden: 12 };
    const f = toF32(randomInputs(cell, shape, 3));
    const run = (k: RecurrentKernels) => {
      const fw = k.forward(cell, shape, f);
      const saved = { out: fw.out.slice(), cc: fw.cc?.slice() ?? null, acts: fw.acts.slice() };
      const dOut = Float32Array.from(values(fw.out.length, 5));
      const g = k.backward(cell, shape, { w: f.w, h0: f.h0, ...saved, dOut });
      return [saved.out, g.dxp, g.dbx, g.dw!, g.dbh, g.dh0, g.dc0].map((a) => (a === null ? null : Array.from(a)));
    };
    const ref = run(one);
    for (const k of pools) {
      expect(k.threads).toBe(pools.indexOf(k) + 2);
      // Each row is computed by the same float operations whichever thread owns it: identical.
      expect(run(k)).toEqual(ref);
    }
  });
});

// TT maps H → G·H (core k [r_k, m_k, n_k, r_{k+1}]): 2 cores; 3 cores with an input mode of 1 first
// (the 'first' gate placement) and last (an output mode smaller than 4, 'last'); one core.
interface TTCase {
  name: string;
  hidden: number;
  tt: (g: number) => { inModes: number[]; outModes: number[]; ranks: number[] };
}
const TT_CASES: TTCase[] = [
  { name: '2 cores rank 3', hidden: 6, tt: (g) => ({ inModes: [2, 3], outModes: [g, 6], ranks: [1, 3, 1] }) },
  {
    name: '3 cores, input mode 1 first',
    hidden: 8,
    tt: (g) => ({ inModes: [1, 2, 4], outModes: [g, 2, 4], ranks: [1, 2, 3, 1] }),
  },
  {
    name: '3 cores, input mode 1 last',
    hidden: 8,
    tt: (g) => ({ inModes: [2, 4, 1], outModes: [2, 4, g], ranks: [1, 3, 2, 1] }),
  },
  { name: '1 core', hidden: 5, tt: (g) => ({ inModes: [5], outModes: [5 * g], ranks: [1, 1] }) },
];

describe.each(CELLS)('%s kernel with a TT recurrent map', (cell) => {
  const gates = cell === 'lstm' ? 4 : 3;
  const setup = (c: TTCase, batch: number, seed: number) => {
    const shape = { steps: 3, batch, hidden: c.hidden };
    const s = c.tt(gates);
    const tt = randomTT(s.inModes, s.outModes, s.ranks, seed);
    const p = roundInputs(randomInputs(cell, shape, seed));
    return { shape, tt, p: { ...p, w: ttFull64(tt) } };
  };

  it.each(TT_CASES)('forward contracts the cores: the float64 equations with W from the cores ($name)', (c) => {
    const { shape, tt, p } = setup(c, 5, 21);
    const { w: _w, ...f } = toF32(p);
    const r = one.forward(cell, shape, { ...f, tt: ttToF32(tt) });
    expect(closeness(r.out, referenceForward(cell, shape, p), 2e-6, 2e-6)).toBeNull();
  });

  it.each(TT_CASES)('backward gives the cores central differences of the float64 forward ($name)', (c) => {
    const { shape, tt, p } = setup(c, 5, 31);
    const { w: _w, ...f } = toF32(p);
    const map = { tt: ttToF32(tt) };
    const fw = one.forward(cell, shape, { ...f, ...map });
    const dOut = values(fw.out.length, 98);
    const saved = { out: fw.out.slice(), cc: fw.cc?.slice() ?? null, acts: fw.acts.slice() };
    const g = one.backward(cell, shape, { ...map, h0: f.h0, ...saved, dOut: Float32Array.from(dOut) });
    expect(g.dw).toBeNull();
    const loss = (q: TT64, h0: Float64Array = p.h0) =>
      referenceForward(cell, shape, { ...p, h0, w: ttFull64(q) }).reduce((s, v, i) => s + v * dOut[i]!, 0);
    const eps = 1e-6;
    tt.cores.forEach((core, k) => {
      const fd = new Float64Array(core.length);
      for (let i = 0; i < core.length; i++) {
        const at = (delta: number) => {
          const cores = tt.cores.map((x) => Float64Array.from(x));
          cores[k]![i]! += delta;
          return loss({ ...tt, cores });
        };
        fd[i] = (at(eps) - at(-eps)) / (2 * eps);
      }
      expect(closeness(g.dcores![k]!, fd, 1e-4, 1e-4), `core ${k}`).toBeNull();
    });
    const fdh0 = p.h0.map((_, i) => {
      const at = (delta: number) => {
        const h0 = Float64Array.from(p.h0);
        h0[i]! += delta;
        return loss(tt, h0);
      };
      return (at(eps) - at(-eps)) / (2 * eps);
    });
    expect(closeness(g.dh0, fdh0, 1e-4, 1e-4)).toBeNull();
  });

  it.each(TT_CASES)("ttGradient 'w': dW = H_prevᵀ·dA, as the dense kernel gives for W from the cores ($name)", (c) => {
    const { shape, tt, p } = setup(c, 5, 51);
    const f = toF32(p);
    const map = { tt: ttToF32(tt) };
    const { w: _w, ...noW } = f;
    const fwT = one.forward(cell, shape, { ...noW, ...map });
    const savedT = { out: fwT.out.slice(), cc: fwT.cc?.slice() ?? null, acts: fwT.acts.slice() };
    const dOut = Float32Array.from(values(savedT.out.length, 97));
    const gT = one.backward(cell, shape, { ...map, ttGradient: 'w', h0: f.h0, ...savedT, dOut });
    const got = { dw: gT.dw!.slice(), dxp: gT.dxp.slice(), dh0: gT.dh0.slice() };
    expect(gT.dcores).toBeNull();
    const fwD = one.forward(cell, shape, f);
    const savedD = { out: fwD.out.slice(), cc: fwD.cc?.slice() ?? null, acts: fwD.acts.slice() };
    const gD = one.backward(cell, shape, { w: f.w, h0: f.h0, ...savedD, dOut });
    expect(closeness(got.dw, gD.dw!, 1e-5, 1e-5)).toBeNull();
    expect(closeness(got.dxp, gD.dxp, 1e-5, 1e-5)).toBeNull();
    expect(closeness(got.dh0, gD.dh0, 1e-5, 1e-5)).toBeNull();
  });

  it('TT: the same numbers on 1, 2 and 3 threads', () => {
    const c = TT_CASES[1]!;
    const { shape, tt } = setup(c, 11, 41);
    const { w: _w, ...f } = toF32(randomInputs(cell, { ...shape, steps: 4 }, 3));
    const sh = { ...shape, steps: 4 };
    const map = { tt: ttToF32(tt) };
    const run = (k: RecurrentKernels) => {
      const fw = k.forward(cell, sh, { ...f, ...map });
      const saved = { out: fw.out.slice(), cc: fw.cc?.slice() ?? null, acts: fw.acts.slice() };
      const dOut = Float32Array.from(values(fw.out.length, 5));
      const g = k.backward(cell, sh, { ...map, h0: f.h0, ...saved, dOut });
      return [saved.out, g.dxp, g.dbx, ...g.dcores!, g.dbh, g.dh0, g.dc0].map((a) =>
        a === null ? null : Array.from(a),
      );
    };
    const ref = run(one);
    for (const k of pools) expect(run(k)).toEqual(ref);
  });
});

describe.each(CELLS)('%s kernel forming the input projection', (cell) => {
  // N = 11: one strip of 8 columns of Wxᵀ and a partial one.
  const shape = { steps: 3, batch: 6, hidden: 4 };
  const N = 11;
  const G = (cell === 'lstm' ? 4 : 3) * shape.hidden;
  const TB = shape.steps * shape.batch;
  const setup = () => {
    const { xp: _xp, ...f } = toF32(randomInputs(cell, shape, 61));
    const x = Float32Array.from(values(TB * N, 62, 0.7));
    const wx = Float32Array.from(values(N * G, 63, 0.4));
    // xp = x·Wx in float64.
    const xp = new Float64Array(TB * G);
    for (let r = 0; r < TB; r++)
      for (let j = 0; j < G; j++) {
        let v = 0;
        for (let i = 0; i < N; i++) v += x[r * N + i]! * wx[i * G + j]!;
        xp[r * G + j] = v;
      }
    return { f, x, wx, xp };
  };

  it('from x and wx: the outputs of xp = x·Wx, and dx = dxp·Wxᵀ, dwx = Xᵀ·dxp', () => {
    const { f, x, wx, xp } = setup();
    const p = { ...f, x, wx };
    const fw = one.forward(cell, shape, p);
    const saved = { out: fw.out.slice(), cc: fw.cc?.slice() ?? null, acts: fw.acts.slice() };
    const ref = one.forward(cell, shape, { ...f, xp: Float32Array.from(xp) });
    expect(closeness(saved.out, ref.out, 1e-6, 1e-6)).toBeNull();
    const dOut = Float32Array.from(values(saved.out.length, 64));
    const g = one.backward(cell, shape, { w: f.w, x, wx, h0: f.h0, ...saved, dOut });
    const dxp = g.dxp;
    const dx = new Float64Array(TB * N);
    const dwx = new Float64Array(N * G);
    for (let r = 0; r < TB; r++)
      for (let i = 0; i < N; i++)
        for (let j = 0; j < G; j++) {
          dx[r * N + i]! += dxp[r * G + j]! * wx[i * G + j]!;
          dwx[i * G + j]! += x[r * N + i]! * dxp[r * G + j]!;
        }
    expect(closeness(g.dx!, dx, 1e-5, 1e-5)).toBeNull();
    expect(closeness(g.dwx!, dwx, 1e-5, 1e-5)).toBeNull();
  });

  it('from x and wx: the same numbers on 1, 2 and 3 threads', () => {
    const { f, x, wx } = setup();
    const run = (k: RecurrentKernels) => {
      const fw = k.forward(cell, shape, { ...f, x, wx });
      const saved = { out: fw.out.slice(), cc: fw.cc?.slice() ?? null, acts: fw.acts.slice() };
      const g = k.backward(cell, shape, {
        w: f.w,
        x,
        wx,
        h0: f.h0,
        ...saved,
        dOut: Float32Array.from(values(saved.out.length, 65)),
      });
      return [saved.out, g.dx!, g.dwx!, g.dh0].map((a) => Array.from(a));
    };
    const ref = run(one);
    for (const k of pools) expect(run(k)).toEqual(ref);
  });

  it("refuses 'xp' together with 'x' and 'wx'", () => {
    const { f, x, wx, xp } = setup();
    expect(() => one.forward(cell, shape, { ...f, x, wx, xp: Float32Array.from(xp) })).toThrow(
      /takes 'xp' or 'x' and 'wx', not both/,
    );
    expect(() => one.forward(cell, shape, { ...f, x: x.subarray(1), wx })).toThrow(
      /'x' passed to 'RecurrentKernels.forward' must hold 198 values/,
    );
  });
});

describe('RecurrentKernels arguments', () => {
  it('names the argument and the expected size', () => {
    const shape = { steps: 2, batch: 3, hidden: 4 };
    const f = toF32(randomInputs('lstm', shape, 1));
    expect(() => one.forward('lstm', shape, { ...f, xp: new Float32Array(5) })).toThrow(
      /'xp' passed to 'RecurrentKernels.forward' must hold 96 values \(\[steps·batch, 16\]\), got 5/,
    );
    expect(() => one.forward('lstm', { ...shape, steps: 0 }, f)).toThrow(
      /'steps' passed to 'RecurrentKernels.forward' must be a positive integer, got 0/,
    );
    expect(() => one.forward('rnn' as KernelCell, shape, f)).toThrow(/'cell' .* must be 'lstm' or 'gru'/);
    const tt = {
      inModes: [2, 2],
      outModes: [4, 4],
      ranks: [1, 2, 1],
      cores: [new Float32Array(16), new Float32Array(16)],
    };
    expect(() => one.forward('lstm', shape, { ...f, tt })).toThrow(/exactly one recurrent map: 'w' \(dense\) or 'tt'/);
    const { w: _w, ...noW } = f;
    expect(() => one.forward('lstm', shape, { ...noW, tt: { ...tt, outModes: [4, 2] } })).toThrow(
      /'tt' passed to 'RecurrentKernels.forward' must map H = 4 to 16 .* got 4 → 8/,
    );
    expect(() =>
      one.forward('lstm', shape, { ...noW, tt: { ...tt, cores: [new Float32Array(16), new Float32Array(3)] } }),
    ).toThrow(/'tt.cores\[1\]' passed to 'RecurrentKernels.forward' must hold 16 values \(\[2, 4, 2, 1\]\), got 3/);
  });

  it('reports the bytes its largest call laid out', () => {
    const k = new RecurrentKernels(1);
    const shape = { steps: 3, batch: 4, hidden: 8 };
    k.forward('gru', shape, toF32(randomInputs('gru', shape, 2)));
    // xp, bx, bh, w, packed w, [h0; hs; slot], acts, scratch: 288 + 24 + 24 + 192 + 192 + 160 + 384 + 96 floats,
    // each buffer rounded up to 64 bytes.
    const floats = [288, 24, 24, 192, 192, 160, 0, 384, 96];
    expect(k.peakBytes).toBe(floats.reduce((s, n) => s + Math.ceil((n * 4) / 64) * 64, 0));
    k.resetPeakBytes();
    expect(k.peakBytes).toBe(0);
    void k.close();
  });

  it('are available in Node (WebAssembly SIMD)', () => {
    expect(kernelsAvailable()).toBe(true);
  });

  it('reads TTRNN_THREADS', () => {
    expect(threadsFromEnv({ TTRNN_THREADS: '3' })).toBe(3);
    expect(threadsFromEnv({})).toBeGreaterThanOrEqual(1);
    expect(() => threadsFromEnv({ TTRNN_THREADS: 'two' })).toThrow(
      /TTRNN_THREADS must be a positive integer .* got 'two'/,
    );
  });
});
