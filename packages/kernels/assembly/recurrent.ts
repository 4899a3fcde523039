// Whole-sequence LSTM and GRU recurrences, forward and backward through time, in WebAssembly SIMD.
//
// AssemblyScript source of `src/generated/recurrent_wasm.ts` (`pnpm --filter @ttrnn/kernels build:wasm`).
// Every argument is a float count or a byte address in the (imported, possibly shared) memory; the
// host (src/kernel.ts) lays out the buffers and splits the work. Each entry point runs the rows
// [b0, b1) of the batch for the whole sequence: rows never interact, so threads own disjoint row
// ranges and need no synchronisation inside a call. Every output element is computed by the same
// sequence of float operations whichever rows a thread owns, so results do not depend on the split.
//
// Layouts (row-major, float32, time-major: row t·B + b is step t, batch row b):
//   xp    [T·B, G·H]  input projection x·Wx without bias, gate blocks [i|f|g|o] or [r|z|n]
//   w     [H, G·H]    recurrent matrix;  wt [G·H, H] its transpose (for the backward)
//   hh    [(T+1)·B, H] h0 followed by every hidden state (so hh[t·B + b] is h_{t−1} of step t)
//   cc    [(T+1)·B, H] c0 followed by every cell state (LSTM)
//   acts  [T·B, 4H]   saved activations: LSTM i, f, g, o; GRU r, z, n and ah_n = (h·Wh + bh)_n
//   scratch           per thread, B·G·H floats (GRU forward: h·Wh + bh of the thread's rows)

// ---- element-wise functions on four lanes ---------------------------------------------------

// exp(x) for x ≤ 0 (Cephes expf: range reduction by ln 2, degree-6 polynomial; ≤ 2 ulp).
@inline function expNeg(x: v128): v128 {
  x = f32x4.max(x, f32x4.splat(-87.0));
  const fx = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  const z = f32x4.mul(x, x);
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), x), f32x4.splat(1.0));
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const pow2n = i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2n);
}

// σ(x) = 1/(1 + e^−x) for x ≥ 0, e^x/(1 + e^x) for x < 0: no overflow, full relative precision.
@inline function sigmoid(x: v128): v128 {
  const e = expNeg(f32x4.neg(f32x4.abs(x)));
  const p = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
  return v128.bitselect(p, f32x4.mul(e, p), f32x4.ge(x, f32x4.splat(0.0)));
}

// tanh(x) = sign(x)·(1 − e)/(1 + e), e = e^−2|x|.
@inline function tanh(x: v128): v128 {
  const e = expNeg(f32x4.mul(f32x4.abs(x), f32x4.splat(-2.0)));
  const t = f32x4.div(f32x4.sub(f32x4.splat(1.0), e), f32x4.add(f32x4.splat(1.0), e));
  return v128.bitselect(t, f32x4.neg(t), f32x4.ge(x, f32x4.splat(0.0)));
}

// Loads 4 floats, or for the last n < 4 columns of a row, n floats and zeros (no read past the row).
@inline function ld4(p: usize, n: i32): v128 {
  if (n >= 4) return v128.load(p);
  let v = f32x4.splat(0.0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p + 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p + 8));
  return v;
}

@inline function st4(p: usize, v: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p + 4, f32x4.extract_lane(v, 1));
  if (n > 2) store<f32>(p + 8, f32x4.extract_lane(v, 2));
}

// ---- products ----------------------------------------------------------------------------------

// C[m, n] += A[m, k] · B[k, n] (leading dimensions in floats). The full strips of 8 columns of B
// come packed (`packStrips`: strip s at bp + s·k·8 floats, row q contiguous), so a strip is one
// contiguous block that stays in L1 while every block of 4 rows passes over it (unpacked, its
// rows would sit one row pitch apart, and a pitch of 4 KiB maps them all to the same cache set);
// the last n mod 8 columns are read from B itself. Every element sums k = 0 … k−1 in order from
// its C value, the same float operations whichever block (and thread) its row falls in.
function gemmAcc(a: usize, lda: i32, bp: usize, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, n: i32, k: i32): void {
  const rowA = <usize>lda * 4;
  const rowC = <usize>ldc * 4;
  const full = n & ~7;
  for (let j = 0; j < full; j += 8) {
    const o = <usize>j * 4;
    const strip = bp + <usize>j * <usize>k * 4;
    let r = 0;
    for (; r + 4 <= m; r += 4) tile4x8(a + <usize>r * rowA, rowA, strip, 32, c + <usize>r * rowC + o, rowC, k);
    for (; r < m; r++) tile1x8(a + <usize>r * rowA, strip, 32, c + <usize>r * rowC + o, k);
  }
  for (let j = full; j < n; j += 4) {
    const o = <usize>j * 4;
    for (let r = 0; r < m; r++) tile1x4(a + <usize>r * rowA, b + o, <usize>ldb * 4, c + <usize>r * rowC + o, k, n - j);
  }
}

// C[r] += A[r]·B for the rows [r0, r1) (gemmAcc split by rows: the input projection x·Wx and its
// backward dA·Wxᵀ).
export function gemmRows(a: usize, lda: i32, bp: usize, b: usize, ldb: i32, c: usize, ldc: i32, n: i32, k: i32, r0: i32, r1: i32): void {
  gemmAcc(a + <usize>r0 * <usize>lda * 4, lda, bp, b, ldb, c + <usize>r0 * <usize>ldc * 4, ldc, r1 - r0, n, k);
}

// Packs the full 8-column strips [s0, s1) of B [k, ·] (leading dimension ldb) for gemmAcc.
export function packStrips(b: usize, ldb: i32, k: i32, bp: usize, s0: i32, s1: i32): void {
  for (let s = s0; s < s1; s++) {
    let src = b + <usize>s * 32;
    let dst = bp + <usize>s * <usize>k * 32;
    for (let q = 0; q < k; q++) {
      v128.store(dst, v128.load(src));
      v128.store(dst + 16, v128.load(src + 16));
      src += <usize>ldb * 4;
      dst += 32;
    }
  }
}

// Packs the full 8-column strips [s0, s1) of Wᵀ, for W [·, k] (leading dimension ldw): strip s
// holds rows 8s … 8s + 7 of W, so that gemmAcc multiplies by Wᵀ without forming it.
export function packStripsT(w: usize, ldw: i32, k: i32, bp: usize, s0: i32, s1: i32): void {
  for (let s = s0; s < s1; s++) {
    const dst = bp + <usize>s * <usize>k * 32;
    for (let jj = 0; jj < 8; jj++) {
      const src = w + <usize>(s * 8 + jj) * <usize>ldw * 4;
      for (let q = 0; q < k; q++) store<f32>(dst + <usize>q * 32 + <usize>jj * 4, load<f32>(src + <usize>q * 4));
    }
  }
}

@inline function tile4x8(a: usize, rowA: usize, b: usize, rowB: usize, c: usize, rowC: usize, k: i32): void {
  const a1 = a + rowA, a2 = a1 + rowA, a3 = a2 + rowA;
  const c1 = c + rowC, c2 = c1 + rowC, c3 = c2 + rowC;
  let s00 = v128.load(c), s01 = v128.load(c + 16);
  let s10 = v128.load(c1), s11 = v128.load(c1 + 16);
  let s20 = v128.load(c2), s21 = v128.load(c2 + 16);
  let s30 = v128.load(c3), s31 = v128.load(c3 + 16);
  let pb = b;
  for (let q = 0; q < k; q++) {
    const b0 = v128.load(pb), b1 = v128.load(pb + 16);
    const qo = <usize>q * 4;
    const x0 = v128.load32_splat(a + qo);
    s00 = f32x4.add(s00, f32x4.mul(x0, b0));
    s01 = f32x4.add(s01, f32x4.mul(x0, b1));
    const x1 = v128.load32_splat(a1 + qo);
    s10 = f32x4.add(s10, f32x4.mul(x1, b0));
    s11 = f32x4.add(s11, f32x4.mul(x1, b1));
    const x2 = v128.load32_splat(a2 + qo);
    s20 = f32x4.add(s20, f32x4.mul(x2, b0));
    s21 = f32x4.add(s21, f32x4.mul(x2, b1));
    const x3 = v128.load32_splat(a3 + qo);
    s30 = f32x4.add(s30, f32x4.mul(x3, b0));
    s31 = f32x4.add(s31, f32x4.mul(x3, b1));
    pb += rowB;
  }
  v128.store(c, s00); v128.store(c + 16, s01);
  v128.store(c1, s10); v128.store(c1 + 16, s11);
  v128.store(c2, s20); v128.store(c2 + 16, s21);
  v128.store(c3, s30); v128.store(c3 + 16, s31);
}

@inline function tile1x8(a: usize, b: usize, rowB: usize, c: usize, k: i32): void {
  let s0 = v128.load(c), s1 = v128.load(c + 16);
  let pb = b;
  for (let q = 0; q < k; q++) {
    const x = v128.load32_splat(a + <usize>q * 4);
    s0 = f32x4.add(s0, f32x4.mul(x, v128.load(pb)));
    s1 = f32x4.add(s1, f32x4.mul(x, v128.load(pb + 16)));
    pb += rowB;
  }
  v128.store(c, s0); v128.store(c + 16, s1);
}

// One row, w ≤ 4 columns (the last strip).
function tile1x4(a: usize, b: usize, rowB: usize, c: usize, k: i32, w: i32): void {
  let s = ld4(c, w);
  let pb = b;
  for (let q = 0; q < k; q++) {
    s = f32x4.add(s, f32x4.mul(v128.load32_splat(a + <usize>q * 4), ld4(pb, w)));
    pb += rowB;
  }
  st4(c, s, w);
}

// C[i, j] += Σ_r A[r, i] · B[r, j] for every row i < m of C [m, n] and the columns [j0, j1): the
// weight gradient dW = H_prevᵀ·dA (A [rows, lda], B [rows, n]). The rows r are taken in chunks of
// 64; per chunk, A's chunk is transposed into scratch (row i contiguous over r) and the chunk's full
// 8-column strips of B are packed after it, so both operands of the 4×8 tiles are contiguous.
// Threads split the columns in multiples of 8 (the last takes the n mod 8 columns, read from B).
// Every element sums r = 0 … rows−1 in order from its C value.
export function gemmTN(a: usize, lda: i32, b: usize, c: usize, n: i32, m: i32, rows: i32, scratch: usize, j0: i32, j1: i32): void {
  const CH = 64;
  const at = scratch;
  const bp = scratch + <usize>(m * CH) * 4;
  const full = min(j1, n & ~7);
  const rowB = <usize>n * 4;
  for (let r0 = 0; r0 < rows; r0 += CH) {
    const rc = min(CH, rows - r0);
    for (let r = 0; r < rc; r++) {
      const src = a + <usize>(r0 + r) * <usize>lda * 4;
      for (let i = 0; i < m; i++) store<f32>(at + <usize>(i * CH + r) * 4, load<f32>(src + <usize>i * 4));
    }
    for (let j = j0; j < full; j += 8) {
      let src = b + <usize>r0 * rowB + <usize>j * 4;
      let dst = bp + <usize>((j - j0) * CH) * 4;
      for (let r = 0; r < rc; r++) {
        v128.store(dst, v128.load(src));
        v128.store(dst + 16, v128.load(src + 16));
        src += rowB;
        dst += 32;
      }
    }
    for (let j = j0; j < full; j += 8) {
      const strip = bp + <usize>((j - j0) * CH) * 4;
      const o = <usize>j * 4;
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        tile4x8(at + <usize>(i * CH) * 4, CH * 4, strip, 32, c + <usize>i * rowB + o, rowB, rc);
      }
      for (; i < m; i++) tile1x8(at + <usize>(i * CH) * 4, strip, 32, c + <usize>i * rowB + o, rc);
    }
    for (let j = max(full, j0); j < j1; j += 4) {
      const w = j1 - j;
      const o = <usize>j * 4;
      for (let i = 0; i < m; i++) {
        const ci = c + <usize>i * rowB + o;
        let sacc = ld4(ci, w);
        let pb = b + <usize>r0 * rowB + o;
        for (let r = 0; r < rc; r++) {
          sacc = f32x4.add(sacc, f32x4.mul(v128.load32_splat(at + <usize>(i * CH + r) * 4), ld4(pb, w)));
          pb += rowB;
        }
        st4(ci, sacc, w);
      }
    }
  }
}

// Column sums over rows [0, rows) for the columns [j0, j1): out[j] = Σ_r m[r, j] (bias gradients).
export function colSum(m: usize, n: i32, rows: i32, out: usize, j0: i32, j1: i32): void {
  const rowM = <usize>n * 4;
  for (let j = j0; j < j1; j += 4) {
    const w = j1 - j;
    let s = f32x4.splat(0.0);
    let p = m + <usize>j * 4;
    for (let r = 0; r < rows; r++) {
      s = f32x4.add(s, ld4(p, w));
      p += rowM;
    }
    st4(out + <usize>j * 4, s, w);
  }
}

// ---- TT recurrent map: the product h·W contracted through the cores at every step -------------

// The cores C_k [r_k·m_k, n_k·r_{k+1}] (core k [r_k, m_k, n_k, r_{k+1}] as stored) are swept from the
// last to the first: with Z_d = h and Q_k = m_{k+1}···m_{d−1},
//   Z_k[p] = C_k · Z_{k+1}[p]   for every p = (row, i_0 … i_{k−1}),  Z_{k+1}[p] [n_k·r_{k+1}, Q_k],
// so Z_k of a row is [n_0···n_{k−1}, r_k, m_k···m_{d−1}] and Z_0 = h·W with its columns row-major over
// the output modes, core 0 most significant. No transpose: each step reads the previous one's layout.
// The backward runs the chain the other way with C_kᵀ (dZ_{k+1}[p] = C_kᵀ·dZ_k[p], dZ_0 = dA,
// dZ_d = dh) and accumulates dC_k += Σ_p dZ_k[p]·Z_{k+1}[p]ᵀ.
//
// Descriptor (i32 words at tt): [d, zTotal, gradSize, then for core k at 3 + 8k: r_k, m_k, n_k,
// r_{k+1}, address of C_k, address of C_kᵀ, gOff_k, zOff_k], where S_k = n_0···n_{k−1}·r_k·m_k···m_{d−1}
// is the size of Z_k per batch row (1 ≤ k < d), zTotal = Σ S_k, zOff_k = Σ_{1≤l<k} S_l and gOff_k
// the offset of C_k in one block's gradient (gradSize floats in all).
// Scratch regions hold Z_k of up to `cap` rows at z + cap·zOff_k (row r at + r·S_k).

@inline function ttw(tt: usize, i: i32): i32 {
  return load<i32>(tt + (<usize>i << 2));
}

@inline function ttf(tt: usize, k: i32, f: i32): i32 {
  return load<i32>(tt + (<usize>(3 + 8 * k + f) << 2));
}

function ttProdN(tt: usize, from: i32, to: i32): i32 {
  let p = 1;
  for (let l = from; l < to; l++) p *= ttf(tt, l, 2);
  return p;
}

function ttProdM(tt: usize, from: i32, to: i32): i32 {
  let p = 1;
  for (let l = from; l < to; l++) p *= ttf(tt, l, 1);
  return p;
}

@inline function ttS(tt: usize, k: i32): i32 {
  return ttProdN(tt, 0, k) * ttf(tt, k, 0) * ttProdM(tt, k, ttw(tt, 0));
}

@inline function ttZ(tt: usize, z: usize, cap: i32, k: i32): usize {
  return z + <usize>cap * <usize>ttf(tt, k, 7) * 4;
}

// C[m, n] += A[m, k] · B[k, n], B read in place (small B that stays in cache; no packing).
function gemmDirect(a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, n: i32, k: i32): void {
  const rowA = <usize>lda * 4;
  const rowB = <usize>ldb * 4;
  const rowC = <usize>ldc * 4;
  const full = n & ~7;
  for (let j = 0; j < full; j += 8) {
    const o = <usize>j * 4;
    let r = 0;
    for (; r + 4 <= m; r += 4) tile4x8(a + <usize>r * rowA, rowA, b + o, rowB, c + <usize>r * rowC + o, rowC, k);
    for (; r < m; r++) tile1x8(a + <usize>r * rowA, b + o, rowB, c + <usize>r * rowC + o, k);
  }
  for (let j = full; j < n; j += 4) {
    const o = <usize>j * 4;
    for (let r = 0; r < m; r++) tile1x4(a + <usize>r * rowA, b + o, rowB, c + <usize>r * rowC + o, k, n - j);
  }
}

// Z_{d−1} … Z_1 of the rows [0, m) of h (row pitch N) into the regions at z.
function ttChain(tt: usize, h: usize, m: i32, z: usize, cap: i32): void {
  const d = ttw(tt, 0);
  if (d < 2) return;
  let k = d - 1;
  const rk = ttf(tt, k, 0), mk = ttf(tt, k, 1), nk = ttf(tt, k, 2);
  const width = rk * mk;
  const rows = m * ttProdN(tt, 0, k);
  const zk = ttZ(tt, z, cap, k);
  memory.fill(zk, 0, <usize>rows * <usize>width * 4);
  // Q = 1: all rows and input indices at once, Z_{d−1} [rows·n_0···n_{d−2}, r·m] = h [·, n_{d−1}]·C_{d−1}ᵀ.
  gemmDirect(h, nk, <usize>ttf(tt, k, 5), width, zk, width, rows, width, nk);
  for (k = d - 2; k >= 1; k--) ttStep(tt, k, ttZ(tt, z, cap, k + 1), ttZ(tt, z, cap, k), m * ttProdN(tt, 0, k), 0);
}

// Z_k[p] += C_k·Z_{k+1}[p] for `count` consecutive p (zeroing Z_k first when ldo = 0); with ldo > 0,
// Z_k is the product's output rows, one p per row, at pitch ldo.
function ttStep(tt: usize, k: i32, zin: usize, zout: usize, count: i32, ldo: i32): void {
  const d = ttw(tt, 0);
  const rk = ttf(tt, k, 0), mk = ttf(tt, k, 1), nk = ttf(tt, k, 2), rk1 = ttf(tt, k, 3);
  const Q = ttProdM(tt, k + 1, d);
  const inner = nk * rk1;
  const outer = rk * mk;
  const ck = <usize>ttf(tt, k, 4);
  const inStep = <usize>inner * <usize>Q * 4;
  const outStep = ldo > 0 ? <usize>ldo * 4 : <usize>outer * <usize>Q * 4;
  if (ldo === 0) memory.fill(zout, 0, <usize>count * outStep);
  for (let p = 0; p < count; p++) gemmDirect(ck, inner, zin + <usize>p * inStep, Q, zout + <usize>p * outStep, Q, outer, Q, inner);
}

// out[r] += h[r]·W for the rows [0, m) (h row pitch N, out row pitch ldo), W held as TT cores.
function ttProduct(tt: usize, h: usize, m: i32, out: usize, ldo: i32, z: usize, cap: i32): void {
  const d = ttw(tt, 0);
  if (d === 1) {
    const n0 = ttf(tt, 0, 2), m0 = ttf(tt, 0, 1);
    gemmDirect(h, n0, <usize>ttf(tt, 0, 5), m0, out, ldo, m, m0, n0);
    return;
  }
  ttChain(tt, h, m, z, cap);
  ttStep(tt, 0, ttZ(tt, z, cap, 1), out, m, ldo);
}

// out [cols, rows] = the rows × cols block at src (row pitch ld), transposed.
function transposeTo(src: usize, ld: i32, rows: i32, cols: i32, out: usize): void {
  for (let i = 0; i < rows; i++) {
    const row = src + <usize>i * <usize>ld * 4;
    for (let j = 0; j < cols; j++) store<f32>(out + <usize>(j * rows + i) * 4, load<f32>(row + <usize>j * 4));
  }
}

// The backward of ttProduct for the rows [0, m) (absolute batch rows b0 + r): dh[r] += dA[r]·Wᵀ
// through the cores, and (grad ≠ 0) each row's dC_k added to the gradient block of its 4-row block
// (grad + ((b0 + r) >> 2)·gradSize): a block is always one thread's, and its rows and steps are
// always added in the same order, so the sums do not depend on the thread count.
function ttProductBackward(tt: usize, dA: usize, ldA: i32, h: usize, dh: usize, m: i32, z: usize, dz: usize, cap: i32, grad: usize, b0: i32): void {
  const d = ttw(tt, 0);
  const gradSize = ttw(tt, 2);
  const N = ttProdN(tt, 0, d);
  const tr = dz + <usize>cap * <usize>ttw(tt, 1) * 4;
  // grad = 0: only dh (the caller forms dW = H_prevᵀ·dA instead), so no Z_k is needed.
  if (grad !== 0) ttChain(tt, h, m, z, cap);
  for (let k = 0; k < d; k++) {
    const rk = ttf(tt, k, 0), mk = ttf(tt, k, 1), nk = ttf(tt, k, 2), rk1 = ttf(tt, k, 3);
    const Q = ttProdM(tt, k + 1, d);
    const pN = ttProdN(tt, 0, k);
    const outer = rk * mk;
    const inner = nk * rk1;
    const gOff = <usize>ttf(tt, k, 6) * 4;
    const Sk = k === 0 ? ldA : ttS(tt, k);
    const dzk = k === 0 ? dA : ttZ(tt, dz, cap, k);
    const Sin = k === d - 1 ? N : ttS(tt, k + 1);
    const zin = k === d - 1 ? h : ttZ(tt, z, cap, k + 1);
    // dC_k += Σ_p dZ_k[p]·Z_{k+1}[p]ᵀ as products of the 4×8 tiles: one operand is first transposed
    // into tr (Z_{k+1}[p] [inner, Q] → [Q, inner]; with Q = 1, dZ_{d−1} of the row [pN, outer] → [outer, pN]).
    for (let r = 0; r < m && grad !== 0; r++) {
      const g = grad + <usize>((b0 + r) >> 2) * <usize>gradSize * 4 + gOff;
      const dzr = dzk + <usize>r * <usize>Sk * 4;
      const zr = zin + <usize>r * <usize>Sin * 4;
      if (k === d - 1) {
        transposeTo(dzr, k === 0 ? ldA : outer, pN, outer, tr);
        gemmDirect(tr, pN, zr, nk, g, nk, outer, nk, pN);
      } else {
        for (let p = 0; p < pN; p++) {
          transposeTo(zr + <usize>p * <usize>(inner * Q) * 4, Q, inner, Q, tr);
          gemmDirect(dzr + <usize>p * <usize>(outer * Q) * 4, Q, tr, inner, g, inner, outer, inner, Q);
        }
      }
    }
    const ck = <usize>ttf(tt, k, 4);
    if (k === d - 1) {
      if (d === 1) gemmDirect(dA, ldA, ck, nk, dh, nk, m, nk, outer);
      else gemmDirect(dzk, outer, ck, nk, dh, nk, m * pN, nk, outer);
    } else {
      // dZ_{k+1}[p] = C_kᵀ·dZ_k[p]; with k = 0, dZ_0 is dA (row pitch ldA).
      const ctk = <usize>ttf(tt, k, 5);
      const out = ttZ(tt, dz, cap, k + 1);
      const outStep = <usize>(inner * Q) * 4;
      memory.fill(out, 0, <usize>(m * pN) * outStep);
      for (let r = 0; r < m; r++) {
        for (let p = 0; p < pN; p++) {
          const src = dzk + <usize>r * <usize>Sk * 4 + <usize>p * <usize>(outer * Q) * 4;
          gemmDirect(ctk, outer, src, Q, out + <usize>(r * pN + p) * outStep, Q, inner, Q, outer);
        }
      }
    }
  }
}

// ---- LSTM --------------------------------------------------------------------------------------

// a = xp + bias + h_{t−1}·W (bias = bx + bh), then i, f, o = σ, g = tanh, c = f⊙c_{t−1} + i⊙g,
// h = o⊙tanh(c). The pre-activations are formed in acts and replaced there by the activations.
export function lstmForward(T: i32, B: i32, H: i32, xp: usize, bias: usize, w: usize, wp: usize, hh: usize, cc: usize, acts: usize, tt: usize, z: usize, b0: i32, b1: i32): void {
  const G = 4 * H;
  const hb = <usize>H * 4;
  const m = b1 - b0;
  for (let t = 0; t < T; t++) {
    const row = t * B + b0;
    for (let r = 0; r < m; r++) {
      const src = xp + <usize>((row + r) * G) * 4;
      const dst = acts + <usize>((row + r) * G) * 4;
      for (let j = 0; j < G; j += 4) {
        const n = G - j;
        const o = <usize>j * 4;
        st4(dst + o, f32x4.add(ld4(src + o, n), ld4(bias + o, n)), n);
      }
    }
    if (tt !== 0) ttProduct(tt, hh + <usize>(row * H) * 4, m, acts + <usize>(row * G) * 4, G, z, B);
    else gemmAcc(hh + <usize>(row * H) * 4, H, wp, w, G, acts + <usize>(row * G) * 4, G, m, G, H);
    for (let r = 0; r < m; r++) {
      const a = acts + <usize>((row + r) * G) * 4;
      const cPrev = cc + <usize>((row + r) * H) * 4;
      const cNext = cPrev + <usize>(B * H) * 4;
      const hNext = hh + <usize>((row + r + B) * H) * 4;
      for (let j = 0; j < H; j += 4) {
        const n = H - j;
        const o = <usize>j * 4;
        const i = sigmoid(ld4(a + o, n));
        const f = sigmoid(ld4(a + hb + o, n));
        const g = tanh(ld4(a + 2 * hb + o, n));
        const og = sigmoid(ld4(a + 3 * hb + o, n));
        const c = f32x4.add(f32x4.mul(f, ld4(cPrev + o, n)), f32x4.mul(i, g));
        st4(a + o, i, n);
        st4(a + hb + o, f, n);
        st4(a + 2 * hb + o, g, n);
        st4(a + 3 * hb + o, og, n);
        st4(cNext + o, c, n);
        st4(hNext + o, f32x4.mul(og, tanh(c)), n);
      }
    }
  }
}

// Backward through time. dhs [T·B, H]: dL/dh_t for every step (the last row block includes dL/dh_T);
// dh [B, H]: in zeros, out dL/dh0; dc [B, H]: in dL/dc_T, out dL/dc0; dA [T·B, 4H]: out dL/da, the
// gradient of the pre-activations (= of xp, and summed over rows, of the bias).
export function lstmBackward(T: i32, B: i32, H: i32, wt: usize, wtp: usize, hh: usize, cc: usize, acts: usize, dhs: usize, dh: usize, dc: usize, dA: usize, tt: usize, grad: usize, z: usize, b0: i32, b1: i32): void {
  const G = 4 * H;
  const hb = <usize>H * 4;
  const one = f32x4.splat(1.0);
  for (let t = T - 1; t >= 0; t--) {
    {
      const p = b0;
      const m = b1 - b0;
      const row = t * B + p;
      for (let r = 0; r < m; r++) {
        const a = acts + <usize>((row + r) * G) * 4;
        const d = dA + <usize>((row + r) * G) * 4;
        const cPrev = cc + <usize>((row + r) * H) * 4;
        const cNow = cPrev + <usize>(B * H) * 4;
        const dhUp = dhs + <usize>((row + r) * H) * 4;
        const dhRow = dh + <usize>((p + r) * H) * 4;
        const dcRow = dc + <usize>((p + r) * H) * 4;
        for (let j = 0; j < H; j += 4) {
          const n = H - j;
          const o = <usize>j * 4;
          const i = ld4(a + o, n);
          const f = ld4(a + hb + o, n);
          const g = ld4(a + 2 * hb + o, n);
          const og = ld4(a + 3 * hb + o, n);
          const tc = tanh(ld4(cNow + o, n));
          const dhv = f32x4.add(ld4(dhUp + o, n), ld4(dhRow + o, n));
          const dcv = f32x4.add(ld4(dcRow + o, n), f32x4.mul(f32x4.mul(dhv, og), f32x4.sub(one, f32x4.mul(tc, tc))));
          st4(d + o, f32x4.mul(f32x4.mul(dcv, g), f32x4.mul(i, f32x4.sub(one, i))), n);
          st4(d + hb + o, f32x4.mul(f32x4.mul(dcv, ld4(cPrev + o, n)), f32x4.mul(f, f32x4.sub(one, f))), n);
          st4(d + 2 * hb + o, f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(g, g))), n);
          st4(d + 3 * hb + o, f32x4.mul(f32x4.mul(dhv, tc), f32x4.mul(og, f32x4.sub(one, og))), n);
          st4(dcRow + o, f32x4.mul(dcv, f), n);
          st4(dhRow + o, f32x4.splat(0.0), n);
        }
      }
      // dh_{t−1} = dA_t · Wᵀ for these rows (dh was zeroed above after its last read).
      if (tt !== 0) {
        const zb = z + <usize>B * <usize>ttw(tt, 1) * 4;
        ttProductBackward(tt, dA + <usize>(row * G) * 4, G, hh + <usize>(row * H) * 4, dh + <usize>(p * H) * 4, m, z, zb, B, grad, p);
      } else gemmAcc(dA + <usize>(row * G) * 4, G, wtp, wt, H, dh + <usize>(p * H) * 4, H, m, H, G);
    }
  }
}

// ---- GRU (reset after the recurrent product) ---------------------------------------------------

// ah = h_{t−1}·Wh + bh; r = σ(ax_r + ah_r), z = σ(ax_z + ah_z), n = tanh(ax_n + r⊙ah_n),
// h = n + z⊙(h_{t−1} − n), with ax = xp + bx. Saves r, z, n, ah_n in acts [T·B, 4H].
export function gruForward(T: i32, B: i32, H: i32, xp: usize, bx: usize, w: usize, wp: usize, bh: usize, hh: usize, acts: usize, tt: usize, scratch: usize, b0: i32, b1: i32): void {
  const G = 3 * H;
  const hb = <usize>H * 4;
  for (let t = 0; t < T; t++) {
    {
      const p = b0;
      const m = b1 - b0;
      const row = t * B + p;
      for (let r = 0; r < m; r++) {
        const s = scratch + <usize>(r * G) * 4;
        for (let j = 0; j < G; j += 4) {
          const n = G - j;
          st4(s + <usize>j * 4, ld4(bh + <usize>j * 4, n), n);
        }
      }
      if (tt !== 0) ttProduct(tt, hh + <usize>(row * H) * 4, m, scratch, G, scratch + <usize>(B * G) * 4, B);
      else gemmAcc(hh + <usize>(row * H) * 4, H, wp, w, G, scratch, G, m, G, H);
      for (let r = 0; r < m; r++) {
        const s = scratch + <usize>(r * G) * 4;
        const x = xp + <usize>((row + r) * G) * 4;
        const a = acts + <usize>((row + r) * 4 * H) * 4;
        const hPrev = hh + <usize>((row + r) * H) * 4;
        const hNext = hPrev + <usize>(B * H) * 4;
        for (let j = 0; j < H; j += 4) {
          const n = H - j;
          const o = <usize>j * 4;
          const rg = sigmoid(f32x4.add(f32x4.add(ld4(x + o, n), ld4(bx + o, n)), ld4(s + o, n)));
          const zg = sigmoid(f32x4.add(f32x4.add(ld4(x + hb + o, n), ld4(bx + hb + o, n)), ld4(s + hb + o, n)));
          const ahn = ld4(s + 2 * hb + o, n);
          const ng = tanh(f32x4.add(f32x4.add(ld4(x + 2 * hb + o, n), ld4(bx + 2 * hb + o, n)), f32x4.mul(rg, ahn)));
          st4(a + o, rg, n);
          st4(a + hb + o, zg, n);
          st4(a + 2 * hb + o, ng, n);
          st4(a + 3 * hb + o, ahn, n);
          st4(hNext + o, f32x4.add(ng, f32x4.mul(zg, f32x4.sub(ld4(hPrev + o, n), ng))), n);
        }
      }
    }
  }
}

// Each step runs in two phases over the thread's rows: the element-wise part, then the product.
// Backward through time. dh [B, H]: in zeros, out dL/dh0. dAx [T·B, 3H]: dL/d(ax) (= of xp and bx);
// dAh [T·B, 3H]: dL/d(ah) (= of h·Wh + bh; differs from dAx in the n block by the factor r).
export function gruBackward(T: i32, B: i32, H: i32, wt: usize, wtp: usize, hh: usize, acts: usize, dhs: usize, dh: usize, dAx: usize, dAh: usize, tt: usize, grad: usize, z: usize, b0: i32, b1: i32): void {
  const G = 3 * H;
  const hb = <usize>H * 4;
  const one = f32x4.splat(1.0);
  for (let t = T - 1; t >= 0; t--) {
    {
      const p = b0;
      const m = b1 - b0;
      const row = t * B + p;
      for (let r = 0; r < m; r++) {
        const a = acts + <usize>((row + r) * 4 * H) * 4;
        const dx = dAx + <usize>((row + r) * G) * 4;
        const dhh = dAh + <usize>((row + r) * G) * 4;
        const hPrev = hh + <usize>((row + r) * H) * 4;
        const dhUp = dhs + <usize>((row + r) * H) * 4;
        const dhRow = dh + <usize>((p + r) * H) * 4;
        for (let j = 0; j < H; j += 4) {
          const n = H - j;
          const o = <usize>j * 4;
          const rg = ld4(a + o, n);
          const zg = ld4(a + hb + o, n);
          const ng = ld4(a + 2 * hb + o, n);
          const ahn = ld4(a + 3 * hb + o, n);
          const dhv = f32x4.add(ld4(dhUp + o, n), ld4(dhRow + o, n));
          const dnPre = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, zg)), f32x4.sub(one, f32x4.mul(ng, ng)));
          const dzPre = f32x4.mul(f32x4.mul(dhv, f32x4.sub(ld4(hPrev + o, n), ng)), f32x4.mul(zg, f32x4.sub(one, zg)));
          const drPre = f32x4.mul(f32x4.mul(dnPre, ahn), f32x4.mul(rg, f32x4.sub(one, rg)));
          st4(dx + o, drPre, n);
          st4(dx + hb + o, dzPre, n);
          st4(dx + 2 * hb + o, dnPre, n);
          st4(dhh + o, drPre, n);
          st4(dhh + hb + o, dzPre, n);
          st4(dhh + 2 * hb + o, f32x4.mul(dnPre, rg), n);
          // The direct path h_{t−1} → h_t; the path through the gates is added by the product below.
          st4(dhRow + o, f32x4.mul(dhv, zg), n);
        }
      }
      if (tt !== 0) {
        const zb = z + <usize>B * <usize>ttw(tt, 1) * 4;
        ttProductBackward(tt, dAh + <usize>(row * G) * 4, G, hh + <usize>(row * H) * 4, dh + <usize>(p * H) * 4, m, z, zb, B, grad, p);
      } else gemmAcc(dAh + <usize>(row * G) * 4, G, wtp, wt, H, dh + <usize>(p * H) * 4, H, m, H, G);
    }
  }
}

// W [rows, cols] → Wᵀ [cols, rows], the output rows [j0, j1) (the columns of W).
export function transpose(w: usize, rows: i32, cols: i32, wt: usize, j0: i32, j1: i32): void {
  for (let j = j0; j < j1; j++) {
    for (let i = 0; i < rows; i++) {
      store<f32>(wt + <usize>(j * rows + i) * 4, load<f32>(w + <usize>(i * cols + j) * 4));
    }
  }
}

export function heapBase(): usize {
  return __heap_base;
}
