/**
 * The cells' equations written plainly in float64 (no layout tricks), the reference the kernels
 * are checked against; gradients come from central differences of this forward.
 */
import { naiveFull } from '@ttrnn/test-utils/tt-oracle';
import type { ForwardInputs, KernelCell, SequenceShape, TTCores } from '../kernel.js';

export interface Inputs64 {
  xp: Float64Array;
  bx: Float64Array;
  w: Float64Array;
  bh: Float64Array;
  h0: Float64Array;
  c0: Float64Array;
}

const sig = (x: number) => 1 / (1 + Math.exp(-x));

/** `out` of the kernel's forward: every h, then (LSTM) the last c. */
export function referenceForward(
  cell: KernelCell,
  { steps: T, batch: B, hidden: H }: SequenceShape,
  p: Inputs64,
): Float64Array {
  const G = (cell === 'lstm' ? 4 : 3) * H;
  const out = new Float64Array((cell === 'lstm' ? T + 1 : T) * B * H);
  const h = Float64Array.from(p.h0);
  const c = Float64Array.from(p.c0);
  for (let t = 0; t < T; t++) {
    const hNew = new Float64Array(B * H);
    for (let b = 0; b < B; b++) {
      const ax = new Float64Array(G);
      const ah = new Float64Array(G);
      for (let j = 0; j < G; j++) {
        ax[j] = p.xp[(t * B + b) * G + j]! + p.bx[j]!;
        let s = p.bh[j]!;
        for (let k = 0; k < H; k++) s += h[b * H + k]! * p.w[k * G + j]!;
        ah[j] = s;
      }
      for (let u = 0; u < H; u++) {
        if (cell === 'lstm') {
          const a = (q: number) => ax[q * H + u]! + ah[q * H + u]!;
          const cn = sig(a(1)) * c[b * H + u]! + sig(a(0)) * Math.tanh(a(2));
          c[b * H + u] = cn;
          hNew[b * H + u] = sig(a(3)) * Math.tanh(cn);
        } else {
          const r = sig(ax[u]! + ah[u]!);
          const z = sig(ax[H + u]! + ah[H + u]!);
          const n = Math.tanh(ax[2 * H + u]! + r * ah[2 * H + u]!);
          hNew[b * H + u] = (1 - z) * n + z * h[b * H + u]!;
        }
      }
    }
    h.set(hNew);
    out.set(hNew, t * B * H);
  }
  if (cell === 'lstm') out.set(c, T * B * H);
  return out;
}

/** Deterministic values in [−scale, scale). */
export function values(n: number, seed: number, scale = 1): Float64Array {
  const a = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return a;
}

export function randomInputs(
  cell: KernelCell,
  { steps: T, batch: B, hidden: H }: SequenceShape,
  seed: number,
): Inputs64 {
  const G = (cell === 'lstm' ? 4 : 3) * H;
  return {
    xp: values(T * B * G, seed + 1, 1.5),
    bx: values(G, seed + 2, 0.5),
    w: values(H * G, seed + 3, 0.6),
    bh: values(G, seed + 4, 0.5),
    h0: values(B * H, seed + 5, 0.8),
    c0: values(B * H, seed + 6, 0.8),
  };
}

export function toF32(p: Inputs64): ForwardInputs & { xp: Float32Array; w: Float32Array; c0: Float32Array } {
  return {
    xp: Float32Array.from(p.xp),
    bx: Float32Array.from(p.bx),
    w: Float32Array.from(p.w),
    bh: Float32Array.from(p.bh),
    h0: Float32Array.from(p.h0),
    c0: Float32Array.from(p.c0),
  };
}

/** Rounds every input to float32, so that the reference sees exactly what the kernel sees. */
export function roundInputs(p: Inputs64): Inputs64 {
  const f = toF32(p);
  return {
    xp: Float64Array.from(f.xp),
    bx: Float64Array.from(f.bx),
    w: Float64Array.from(f.w),
    bh: Float64Array.from(f.bh),
    h0: Float64Array.from(f.h0),
    c0: Float64Array.from(f.c0),
  };
}

/** max |a − e| / (atol + rtol·|e|) > 1 → message naming the first offending index. */
export function closeness(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} ≠ ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) return `index ${i}: ${a} vs ${e}`;
  }
  return null;
}

/** A TT map in float64: modes, ranks and cores [r_k, m_k, n_k, r_{k+1}]. */
export interface TT64 {
  inModes: number[];
  outModes: number[];
  ranks: number[];
  cores: Float64Array[];
}

/** Random cores of this shape, rounded to float32. */
export function randomTT(inModes: number[], outModes: number[], ranks: number[], seed: number): TT64 {
  const cores = inModes.map((n, k) =>
    Float64Array.from(
      Float32Array.from(
        values(ranks[k]! * outModes[k]! * n * ranks[k + 1]!, seed + 17 * k, 0.9 / Math.sqrt(ranks[k]!)),
      ),
    ),
  );
  return { inModes, outModes, ranks, cores };
}

/** W [N, M] by the definition W[i, j] = Π_k core_k[:, j_k, i_k, :], entry by entry in float64 (the shared oracle). */
export function ttFull64({ inModes, outModes, ranks, cores }: TT64): Float64Array {
  return naiveFull(cores.map((data, k) => ({ shape: [ranks[k]!, outModes[k]!, inModes[k]!, ranks[k + 1]!], data })))
    .data;
}

export function ttToF32(tt: TT64): TTCores {
  return {
    inModes: tt.inModes,
    outModes: tt.outModes,
    ranks: tt.ranks,
    cores: tt.cores.map((c) => Float32Array.from(c)),
  };
}
