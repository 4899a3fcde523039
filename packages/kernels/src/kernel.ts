/**
 * The host side of the recurrent kernels: lays out one sequence's buffers in the module's own
 * memory (grown once when a longer sequence comes, then reused), copies the inputs in, runs the
 * entry points on every thread and hands back views of the results.
 *
 * The interface is plain float32 arrays, row-major and time-major (row t·batch + b is step t of
 * batch row b), so any backend can feed it and another implementation (a WGSL kernel) can mirror
 * it one to one:
 *
 *   forward(cell, {steps, batch, hidden}, {xp, bx, w, bh, h0, c0})
 *     xp [steps·batch, G·H]  x·Wx for every step, no bias (G = 4 for LSTM [i|f|g|o], 3 for GRU [r|z|n]);
 *                            or x [steps·batch, N] and wx [N, G·H], and the kernels form xp themselves
 *     bx, bh [G·H]           input and hidden biases;  w [H, G·H] recurrent matrix;  h0, c0 [batch, H]
 *   → out   [steps·batch (+ batch), H]  every hidden state, then (LSTM) the last cell state
 *     saved {cc, acts}                  what backward needs besides the inputs
 *
 *   backward(cell, shape, {w, h0, out, cc, acts}, {dOut})
 *     dOut: the gradient of `out` (same layout)
 *   → dxp [steps·batch, G·H], dbx, dbh [G·H], dw [H, G·H], dh0, dc0 [batch, H] (and dx, dwx for x, wx)
 *
 * Equations (the original's): LSTM a = xp + bx + bh + h·W; i, f, o = σ, g = tanh; c' = f⊙c + i⊙g,
 * h' = o⊙tanh(c'). GRU (reset after the product): ah = h·W + bh, ax = xp + bx; r, z = σ(ax + ah),
 * n = tanh(ax_n + r⊙ah_n), h' = n + z⊙(h − n).
 */
import { RECURRENT_WASM_PLAIN, RECURRENT_WASM_SHARED } from './generated/recurrent_wasm.js';
import { ENTRY_POINTS, ThreadPool, threadsSupported } from './pool.js';
import type { EntryPoint } from './pool.js';
import { wasmApi } from './wasm_api.js';
import type { WasmMemory, WasmModule } from './wasm_api.js';

export type KernelCell = 'lstm' | 'gru';

/** Gate blocks per cell. */
export const KERNEL_GATES: Readonly<Record<KernelCell, number>> = { lstm: 4, gru: 3 };

export interface SequenceShape {
  readonly steps: number;
  readonly batch: number;
  readonly hidden: number;
}

/**
 * A recurrent map W [H, G·H] held as a TT matrix: W[i, j] = Π_k core_k[:, j_k, i_k, :], with i
 * row-major over `inModes` and j row-major over `outModes`, core 0 the most significant.
 */
export interface TTCores {
  /** n_k, product H. */
  readonly inModes: readonly number[];
  /** m_k, product G·H. */
  readonly outModes: readonly number[];
  /** r_0 … r_d with r_0 = r_d = 1. */
  readonly ranks: readonly number[];
  /** core k [r_k, m_k, n_k, r_{k+1}], row-major. */
  readonly cores: readonly Float32Array[];
}

/** The recurrent map: the dense matrix `w`, or TT cores `tt` (contracted at every step), exactly one. */
export interface RecurrentMap {
  /** [H, G·H]. */
  readonly w?: Float32Array;
  readonly tt?: TTCores;
}

/**
 * The input projection: `xp` = x·Wx of every step (no bias), or `x` and `wx`, from which the kernels
 * form it themselves (one product on every core; the backward then returns dx and dwx). Exactly one.
 */
export interface InputProjection {
  /** [steps·batch, G·H]. */
  readonly xp?: Float32Array;
  /** [steps·batch, N]. */
  readonly x?: Float32Array;
  /** [N, G·H]. */
  readonly wx?: Float32Array;
}

export interface ForwardInputs extends RecurrentMap, InputProjection {
  readonly bx: Float32Array;
  readonly bh: Float32Array;
  readonly h0: Float32Array;
  /** LSTM only. */
  readonly c0?: Float32Array;
}

export interface ForwardResult {
  /** [steps·batch, H] every h, followed for LSTM by the last c [batch, H]. */
  readonly out: Float32Array;
  /** LSTM: [(steps + 1)·batch, H], c0 then every c; GRU: null. */
  readonly cc: Float32Array | null;
  /** [steps·batch, 4H]: LSTM i, f, g, o; GRU r, z, n and (h·W + bh)_n. */
  readonly acts: Float32Array;
}

export interface BackwardInputs extends RecurrentMap {
  /** The forward's `x` and `wx` when it was given them (then dx and dwx are returned). */
  readonly x?: Float32Array;
  readonly wx?: Float32Array;
  /**
   * With `tt`: 'cores' (default) accumulates the cores' gradients step by step (`dcores`); 'w' returns
   * dW = H_prevᵀ·dA (`dw`, one product over all steps) for the caller to take to the cores.
   */
  readonly ttGradient?: 'cores' | 'w';
  readonly h0: Float32Array;
  /** `out` of the forward (its h rows are read). */
  readonly out: Float32Array;
  readonly cc: Float32Array | null;
  readonly acts: Float32Array;
  /** Gradient of `out`. */
  readonly dOut: Float32Array;
}

export interface BackwardResult {
  /** dL/dxp [steps·batch, G·H] (also with `x`, `wx`: the gradient of the projection). */
  readonly dxp: Float32Array;
  /** With `x`, `wx`: dL/dx [steps·batch, N] and dL/dwx [N, G·H]; else null. */
  readonly dx: Float32Array | null;
  readonly dwx: Float32Array | null;
  readonly dbx: Float32Array;
  /** Dense map (or a TT map with ttGradient 'w'): dL/dW [H, G·H]; else null. */
  readonly dw: Float32Array | null;
  /** TT map with ttGradient 'cores': dL/d(core k), each in its core's layout; else null. */
  readonly dcores: Float32Array[] | null;
  readonly dbh: Float32Array;
  readonly dh0: Float32Array;
  /** LSTM only (GRU: null). */
  readonly dc0: Float32Array | null;
}

const PAGE = 65536;

function decodeBase64(s: string): Uint8Array {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B !== undefined) return new Uint8Array(B.from(s, 'base64'));
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const modules: { shared?: WasmModule; plain?: WasmModule } = {};

function moduleFor(shared: boolean): WasmModule {
  const key = shared ? 'shared' : 'plain';
  return (modules[key] ??= new wasmApi.Module(decodeBase64(shared ? RECURRENT_WASM_SHARED : RECURRENT_WASM_PLAIN)));
}

function checkInt(v: number, name: string, fn: string): void {
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`'${name}' passed to '${fn}' must be a positive integer, got ${v}`);
}

function checkLength(
  a: Float32Array | undefined | null,
  n: number,
  name: string,
  fn: string,
  what: string,
): asserts a is Float32Array {
  if (!(a instanceof Float32Array))
    throw new Error(`'${name}' passed to '${fn}' must be a Float32Array of ${n} values (${what})`);
  if (a.length !== n) throw new Error(`'${name}' passed to '${fn}' must hold ${n} values (${what}), got ${a.length}`);
}

/** Sizes of a TT map's buffers in the kernels (see the descriptor in assembly/recurrent.ts). */
interface TTPlan {
  readonly d: number;
  /** Floats of Z_1 … Z_{d−1} per batch row. */
  readonly zTotal: number;
  /** Floats of all cores. */
  readonly gradSize: number;
  readonly coreOffsets: number[];
  readonly coreLengths: number[];
  readonly zOffsets: number[];
}

function planTT(tt: TTCores | undefined, H: number, G: number, fn: string): TTPlan {
  const bad = (what: string): never => {
    throw new Error(`'tt' passed to '${fn}' ${what}`);
  };
  if (tt === undefined || typeof tt !== 'object') return bad('must be {inModes, outModes, ranks, cores}');
  const { inModes, outModes, ranks, cores } = tt;
  const d = inModes?.length ?? 0;
  if (d < 1 || outModes?.length !== d || ranks?.length !== d + 1 || cores?.length !== d)
    bad(`must hold d ≥ 1 input modes, d output modes, d + 1 ranks and d cores`);
  for (const v of [...inModes, ...outModes, ...ranks])
    if (!Number.isInteger(v) || v < 1) bad(`must have positive integer modes and ranks, got ${v}`);
  if (ranks[0] !== 1 || ranks[d] !== 1) bad(`must have r_0 = r_d = 1, got ranks [${ranks.join(', ')}]`);
  const prod = (a: readonly number[]) => a.reduce((p, v) => p * v, 1);
  if (prod(inModes) !== H || prod(outModes) !== G)
    bad(
      `must map H = ${H} to ${G} (the product of its input and output modes), got ${prod(inModes)} → ${prod(outModes)}`,
    );
  const coreOffsets: number[] = [];
  const coreLengths: number[] = [];
  let gradSize = 0;
  for (let k = 0; k < d; k++) {
    const n = ranks[k]! * outModes[k]! * inModes[k]! * ranks[k + 1]!;
    checkLength(cores[k], n, `tt.cores[${k}]`, fn, `[${ranks[k]}, ${outModes[k]}, ${inModes[k]}, ${ranks[k + 1]}]`);
    coreOffsets.push(gradSize);
    coreLengths.push(n);
    gradSize += n;
  }
  const zOffsets: number[] = [0, 0];
  let zTotal = 0;
  for (let k = 1; k < d; k++) {
    zOffsets[k] = zTotal;
    zTotal += prod(inModes.slice(0, k)) * ranks[k]! * prod(outModes.slice(k));
  }
  return { d, zTotal, gradSize, coreOffsets, coreLengths, zOffsets };
}

/** The kernels on their own memory, with a pool of `threads` threads (1: the calling thread only). */
export class RecurrentKernels {
  readonly threads: number;
  private readonly memory: WasmMemory;
  private readonly exports: Record<EntryPoint, (...args: number[]) => void>;
  private readonly pool: ThreadPool;
  private readonly base: number;
  private peak = 0;

  constructor(threads = 1) {
    checkInt(threads, 'threads', 'RecurrentKernels');
    const shared = threads > 1 && threadsSupported();
    this.memory = shared
      ? new wasmApi.Memory({ initial: 1, maximum: 65536, shared: true })
      : new wasmApi.Memory({ initial: 1 });
    const module = moduleFor(shared);
    const instance = new wasmApi.Instance(module, { env: { memory: this.memory } });
    const ex = instance.exports;
    this.exports = Object.fromEntries(ENTRY_POINTS.map((n) => [n, ex[n]])) as Record<
      EntryPoint,
      (...args: number[]) => void
    >;
    this.base = Math.ceil(((ex['heapBase'] as () => number)() + 1) / 64) * 64;
    this.pool = new ThreadPool(this.exports, module, this.memory, shared ? threads : 1);
    this.threads = this.pool.threads;
  }

  /** Byte offsets of consecutive float32 buffers of these lengths (64-byte aligned); grows the memory to fit. */
  private layout(lengths: readonly number[]): number[] {
    const offsets: number[] = [];
    let at = this.base;
    for (const n of lengths) {
      offsets.push(at);
      at += Math.ceil((n * 4) / 64) * 64;
    }
    this.peak = Math.max(this.peak, at - this.base);
    const have = this.memory.buffer.byteLength;
    if (at > have) {
      const pages = Math.ceil((at - have) / PAGE);
      if (have / PAGE + pages > 65536)
        throw new Error(
          `recurrent kernels: a sequence needs ${(at / 2 ** 30).toFixed(2)} GiB, more than the 4 GiB of a WebAssembly memory`,
        );
      this.memory.grow(pages);
    }
    return offsets;
  }

  private view(offset: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, offset, length);
  }

  private checkShape(
    cell: KernelCell,
    shape: SequenceShape,
    fn: string,
  ): { T: number; B: number; H: number; G: number } {
    if (cell !== 'lstm' && cell !== 'gru')
      throw new Error(`'cell' passed to '${fn}' must be 'lstm' or 'gru', got ${String(cell)}`);
    checkInt(shape.steps, 'steps', fn);
    checkInt(shape.batch, 'batch', fn);
    checkInt(shape.hidden, 'hidden', fn);
    return { T: shape.steps, B: shape.batch, H: shape.hidden, G: KERNEL_GATES[cell] * shape.hidden };
  }

  /** Checks the input projection: `xp`, or `x` and `wx`; returns N (0 for `xp`). */
  private checkProjection(p: InputProjection, TB: number, G: number, fn: string, withXp: boolean): number {
    if (p.x === undefined && p.wx === undefined) {
      if (withXp) checkLength(p.xp, TB * G, 'xp', fn, `[steps·batch, ${G}]`);
      return 0;
    }
    if (p.xp !== undefined) throw new Error(`'${fn}' takes 'xp' or 'x' and 'wx', not both`);
    if (!(p.wx instanceof Float32Array) || p.wx.length % G !== 0 || p.wx.length === 0)
      throw new Error(`'wx' passed to '${fn}' must be a Float32Array [N, ${G}]`);
    const N = p.wx.length / G;
    checkLength(p.x, TB * N, 'x', fn, `[steps·batch, ${N}]`);
    return N;
  }

  /** Checks the map (exactly one of `w`, `tt`) and plans the TT buffers. */
  private checkMap(map: RecurrentMap, H: number, G: number, fn: string): TTPlan | null {
    if ((map.w === undefined) === (map.tt === undefined))
      throw new Error(`'${fn}' takes exactly one recurrent map: 'w' (dense) or 'tt' (TT cores)`);
    if (map.tt === undefined) {
      checkLength(map.w, H * G, 'w', fn, `[${H}, ${G}]`);
      return null;
    }
    return planTT(map.tt, H, G, fn);
  }

  /**
   * Copies the TT cores in: the descriptor (i32 words, layout in assembly/recurrent.ts), the cores
   * C_k and their transposes C_kᵀ [n_k·r_{k+1}, r_k·m_k]. Returns the descriptor's address.
   */
  private writeTT(tt: TTCores, plan: TTPlan, desc: number, cs: number, cts: number): number {
    const words = new Int32Array(this.memory.buffer, desc, 3 + 8 * plan.d);
    words[0] = plan.d;
    words[1] = plan.zTotal;
    words[2] = plan.gradSize;
    for (let k = 0; k < plan.d; k++) {
      const [rk, mk, nk, rk1] = [tt.ranks[k]!, tt.outModes[k]!, tt.inModes[k]!, tt.ranks[k + 1]!];
      const at = plan.coreOffsets[k]!;
      const c = tt.cores[k]!;
      this.view(cs + at * 4, c.length).set(c);
      const ct = this.view(cts + at * 4, c.length);
      const rows = rk * mk;
      const cols = nk * rk1;
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) ct[j * rows + i] = c[i * cols + j]!;
      words.set([rk, mk, nk, rk1, cs + at * 4, cts + at * 4, at, plan.zOffsets[k] ?? 0], 3 + 8 * k);
    }
    return desc;
  }

  /**
   * Mᵀ of a matrix M [rows, G] at `m` for the backward's products: packed in strips at `packed`, and as a
   * plain transpose at `plain` only for its last rows mod 8 columns (the strips cover the rest).
   */
  private packTransposed(m: number, rows: number, G: number, packed: number, plain: number): void {
    this.pool.run({ fn: 'packStripsT', args: [m, G, G, packed], total: rows >> 3, align: 1 });
    if (rows % 8 !== 0) this.pool.run({ fn: 'transpose', args: [m, rows, G, plain], total: G, align: 1 });
  }

  /**
   * Runs the whole sequence. The result's arrays are views of the kernel memory, valid until the next
   * call. With `tt`, h·W is contracted through the cores at every step (W is never formed).
   */
  forward(cell: KernelCell, shape: SequenceShape, inputs: ForwardInputs): ForwardResult {
    const fn = 'RecurrentKernels.forward';
    const { T, B, H, G } = this.checkShape(cell, shape, fn);
    const lstm = cell === 'lstm';
    const N = this.checkProjection(inputs, T * B, G, fn, true);
    checkLength(inputs.bx, G, 'bx', fn, `[${G}]`);
    checkLength(inputs.bh, G, 'bh', fn, `[${G}]`);
    const plan = this.checkMap(inputs, H, G, fn);
    checkLength(inputs.h0, B * H, 'h0', fn, `[${B}, ${H}]`);
    if (lstm) checkLength(inputs.c0, B * H, 'c0', fn, `[${B}, ${H}]`);
    const BH = B * H;
    const dense = plan === null;
    // Per thread: GRU the h·W + bh of its rows; TT the intermediates Z_k of its rows.
    const scratch = (lstm ? 0 : B * G) + (dense ? 0 : B * plan.zTotal);
    const [x, wx, wxp, xp, bx, bh, w, wp, hh, cc, acts, sc, desc, cs, cts] = this.layout([
      T * B * N,
      N * G,
      N * G,
      T * B * G,
      G,
      G,
      dense ? H * G : 0,
      dense ? H * G : 0,
      (T + 2) * BH,
      lstm ? (T + 1) * BH : 0,
      T * B * 4 * H,
      this.threads * scratch,
      dense ? 0 : 3 + 8 * plan.d,
      dense ? 0 : plan.gradSize,
      dense ? 0 : plan.gradSize,
    ]);
    if (N === 0) this.view(xp!, T * B * G).set(inputs.xp!);
    else {
      // xp = x·Wx on every core (rows split between threads).
      this.view(x!, T * B * N).set(inputs.x!);
      this.view(wx!, N * G).set(inputs.wx!);
      this.view(xp!, T * B * G).fill(0);
      this.pool.run({ fn: 'packStrips', args: [wx!, G, N, wxp!], total: G >> 3, align: 1 });
      this.pool.run({ fn: 'gemmRows', args: [x!, N, wxp!, wx!, G, xp!, G, G, N], total: T * B, align: 4 });
    }
    this.view(hh!, BH).set(inputs.h0);
    let tt = 0;
    if (dense) {
      this.view(w!, H * G).set(inputs.w!);
      this.pool.run({ fn: 'packStrips', args: [w!, G, H, wp!], total: G >> 3, align: 1 });
    } else tt = this.writeTT(inputs.tt!, plan, desc!, cs!, cts!);
    if (lstm) {
      const bias = this.view(bx!, G);
      bias.set(inputs.bx);
      const bhv = inputs.bh;
      for (let j = 0; j < G; j++) bias[j] = bias[j]! + bhv[j]!;
      this.view(cc!, BH).set(inputs.c0!);
      this.pool.run({
        fn: 'lstmForward',
        args: [T, B, H, xp!, bx!, w!, wp!, hh!, cc!, acts!, tt, sc!],
        total: B,
        align: 4,
        perThread: { index: 11, stride: scratch * 4 },
      });
      // The last c goes right after the hidden states, so `out` is one contiguous block.
      this.view(hh! + (T + 1) * BH * 4, BH).set(this.view(cc! + T * BH * 4, BH));
    } else {
      this.view(bx!, G).set(inputs.bx);
      this.view(bh!, G).set(inputs.bh);
      this.pool.run({
        fn: 'gruForward',
        args: [T, B, H, xp!, bx!, w!, wp!, bh!, hh!, acts!, tt, sc!],
        total: B,
        align: 4,
        perThread: { index: 11, stride: scratch * 4 },
      });
    }
    return {
      out: this.view(hh! + BH * 4, (lstm ? T + 1 : T) * BH),
      cc: lstm ? this.view(cc!, (T + 1) * BH) : null,
      acts: this.view(acts!, T * B * 4 * H),
    };
  }

  /** Backward through time of `forward`; views of the kernel memory, valid until the next call. */
  backward(cell: KernelCell, shape: SequenceShape, inputs: BackwardInputs): BackwardResult {
    const fn = 'RecurrentKernels.backward';
    const { T, B, H, G } = this.checkShape(cell, shape, fn);
    const lstm = cell === 'lstm';
    const BH = B * H;
    const outLen = (lstm ? T + 1 : T) * BH;
    const plan = this.checkMap(inputs, H, G, fn);
    const dense = plan === null;
    const ttGradient = inputs.ttGradient ?? 'cores';
    if (ttGradient !== 'cores' && ttGradient !== 'w')
      throw new Error(`'ttGradient' passed to '${fn}' must be 'cores' or 'w', got ${String(ttGradient)}`);
    const wantDw = dense || ttGradient === 'w';
    const coreGrads = !wantDw;
    const N = this.checkProjection(inputs, T * B, G, fn, false);
    checkLength(inputs.h0, BH, 'h0', fn, `[${B}, ${H}]`);
    checkLength(inputs.out, outLen, 'out', fn, 'the forward output');
    checkLength(inputs.dOut, outLen, 'dOut', fn, 'the gradient of the forward output');
    checkLength(inputs.acts, T * B * 4 * H, 'acts', fn, `[steps·batch, ${4 * H}]`);
    if (lstm) checkLength(inputs.cc, (T + 1) * BH, 'cc', fn, `[(steps + 1)·batch, ${H}]`);
    // Per thread: dense the chunks of dW's product; TT the Z_k and dZ_k of its rows and a transposed block.
    const scratch = Math.max(
      wantDw ? (H + G) * 64 : 0,
      N > 0 ? (N + G) * 64 : 0,
      dense ? 0 : (2 * B + 1) * plan.zTotal + G,
    );
    const blocks = Math.ceil(B / 4);
    const [
      x,
      wx,
      wxt,
      wxtp,
      dx,
      dwx,
      w,
      wt,
      wtp,
      hh,
      cc,
      acts,
      dhs,
      dh,
      dc,
      dAx,
      dAh,
      dw,
      dbx,
      dbh,
      sc,
      desc,
      cs,
      cts,
      grad,
      dcores,
    ] = this.layout([
      T * B * N,
      N * G,
      N % 8 !== 0 ? G * N : 0,
      N * G,
      T * B * N,
      N * G,
      dense ? H * G : 0,
      dense && H % 8 !== 0 ? G * H : 0,
      dense ? G * H : 0,
      (T + 1) * BH,
      lstm ? (T + 1) * BH : 0,
      T * B * 4 * H,
      T * BH,
      BH,
      BH,
      T * B * G,
      lstm ? 0 : T * B * G,
      wantDw ? H * G : 0,
      G,
      G,
      this.threads * scratch,
      dense ? 0 : 3 + 8 * plan.d,
      dense ? 0 : plan.gradSize,
      dense ? 0 : plan.gradSize,
      coreGrads ? blocks * plan.gradSize : 0,
      coreGrads ? plan.gradSize : 0,
    ]);
    this.view(hh!, BH).set(inputs.h0);
    this.view(hh! + BH * 4, T * BH).set(inputs.out.subarray(0, T * BH));
    this.view(acts!, T * B * 4 * H).set(inputs.acts);
    this.view(dhs!, T * BH).set(inputs.dOut.subarray(0, T * BH));
    this.view(dh!, BH).fill(0);
    let tt = 0;
    if (dense) {
      this.view(w!, H * G).set(inputs.w!);
      this.packTransposed(w!, H, G, wtp!, wt!);
    } else {
      tt = this.writeTT(inputs.tt!, plan, desc!, cs!, cts!);
      // One gradient of the cores per block of 4 batch rows, summed in block order below.
      if (coreGrads) this.view(grad!, blocks * plan.gradSize).fill(0);
    }
    const gradAt = coreGrads ? grad! : 0;
    const dA = lstm ? dAx! : dAh!;
    if (lstm) {
      this.view(cc!, (T + 1) * BH).set(inputs.cc!);
      this.view(dc!, BH).set(inputs.dOut.subarray(T * BH));
      this.pool.run({
        fn: 'lstmBackward',
        args: [T, B, H, wt!, wtp!, hh!, cc!, acts!, dhs!, dh!, dc!, dAx!, tt, gradAt, sc!],
        total: B,
        align: 4,
        perThread: { index: 14, stride: scratch * 4 },
      });
    } else {
      this.pool.run({
        fn: 'gruBackward',
        args: [T, B, H, wt!, wtp!, hh!, acts!, dhs!, dh!, dAx!, dAh!, tt, gradAt, sc!],
        total: B,
        align: 4,
        perThread: { index: 13, stride: scratch * 4 },
      });
    }
    if (wantDw) {
      // dW = H_prevᵀ·dA over all steps at once (rows of hh before the last block are h_{t−1}).
      this.view(dw!, H * G).fill(0);
      this.pool.run({
        fn: 'gemmTN',
        args: [hh!, H, dA, dw!, G, H, T * B, sc!],
        total: G,
        align: 8,
        perThread: { index: 7, stride: scratch * 4 },
      });
    } else {
      this.pool.run({ fn: 'colSum', args: [grad!, plan.gradSize, blocks, dcores!], total: plan.gradSize, align: 4 });
    }
    if (N > 0) {
      // dwx = Xᵀ·dAx and dx = dAx·Wxᵀ, both on every core.
      this.view(x!, T * B * N).set(inputs.x!);
      this.view(wx!, N * G).set(inputs.wx!);
      this.view(dwx!, N * G).fill(0);
      this.pool.run({
        fn: 'gemmTN',
        args: [x!, N, dAx!, dwx!, G, N, T * B, sc!],
        total: G,
        align: 8,
        perThread: { index: 7, stride: scratch * 4 },
      });
      this.packTransposed(wx!, N, G, wxtp!, wxt!);
      this.view(dx!, T * B * N).fill(0);
      this.pool.run({ fn: 'gemmRows', args: [dAx!, G, wxtp!, wxt!, N, dx!, N, N, G], total: T * B, align: 4 });
    }
    this.pool.run({ fn: 'colSum', args: [dA, G, T * B, dbh!], total: G, align: 4 });
    if (!lstm) this.pool.run({ fn: 'colSum', args: [dAx!, G, T * B, dbx!], total: G, align: 4 });
    return {
      dxp: this.view(dAx!, T * B * G),
      dx: N > 0 ? this.view(dx!, T * B * N) : null,
      dwx: N > 0 ? this.view(dwx!, N * G) : null,
      dbx: this.view(lstm ? dbh! : dbx!, G),
      dw: wantDw ? this.view(dw!, H * G) : null,
      dcores: !coreGrads ? null : plan!.coreOffsets.map((at, k) => this.view(dcores! + at * 4, plan.coreLengths[k]!)),
      dbh: this.view(dbh!, G),
      dh0: this.view(dh!, BH),
      dc0: lstm ? this.view(dc!, BH) : null,
    };
  }

  /** The most bytes of buffers one call has laid out since the last `resetPeakBytes` (the memory never shrinks). */
  get peakBytes(): number {
    return this.peak;
  }

  resetPeakBytes(): void {
    this.peak = 0;
  }

  /** Stops the worker threads (the instance must not be used afterwards). */
  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Cores of this machine (1 where unknown). */
export function availableCores(): number {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
  const n =
    os?.availableParallelism?.() ??
    (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ??
    1;
  return Math.max(1, Math.floor(n));
}

/** The thread count from `TTRNN_THREADS` when set (a positive integer), else every core. */
export function threadsFromEnv(
  env: Record<string, string | undefined> | undefined = (
    globalThis as { process?: { env?: Record<string, string | undefined> } }
  ).process?.env,
): number {
  const v = env?.['TTRNN_THREADS'];
  if (v === undefined || v === '') return availableCores();
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`TTRNN_THREADS must be a positive integer (threads for the recurrent kernels), got '${v}'`);
  return n;
}

let shared: RecurrentKernels | null = null;
let wanted: number | null = null;

/**
 * The process-wide kernels (like a tfjs backend, one per process: its memory and threads are
 * reused by every call), created on first use with `setKernelThreads`' count, else `threadsFromEnv()`.
 */
export function recurrentKernels(): RecurrentKernels {
  if (shared === null) shared = new RecurrentKernels(wanted ?? threadsFromEnv());
  return shared;
}

let available: boolean | null = null;

/**
 * Whether the process-wide kernels can be created here (false, for example, where WebAssembly SIMD is
 * missing, or where a browser refuses to compile a module synchronously on its main thread).
 */
export function kernelsAvailable(): boolean {
  if (available === null) {
    try {
      recurrentKernels();
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

/** Sets the thread count of the process-wide kernels (replacing them if they exist). */
export function setKernelThreads(threads: number): void {
  checkInt(threads, 'threads', 'setKernelThreads');
  wanted = threads;
  if (shared !== null && shared.threads !== threads) {
    void shared.close();
    shared = null;
  }
}
