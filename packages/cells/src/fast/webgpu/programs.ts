/**
 * WGSL programs of the recurrent sequence for tfjs-backend-webgpu: one dispatch per time step, forward and
 * backward, each fusing the recurrent product with the gates' arithmetic. They mirror the WebAssembly
 * kernels of `@ttrnn/kernels` (the same inputs, equations and saved activations; see its README).
 *
 * Why they live here and not in `@ttrnn/kernels`: a program is an object in tfjs-backend-webgpu's own
 * format (variable names that become WGSL bindings, a uniforms struct, a `result` output buffer, the
 * `main` entry its header calls), so it is tfjs code, while the kernels package depends on no tfjs at all.
 * The format is written down here as a structural type, so this package imports nothing from the backend
 * package (it stays an optional dependency of `@ttrnn/backend`).
 *
 * Layout. The forward writes one flat float32 buffer, the sequence's *state* (S steps, B batch rows, H
 * hidden units, G gates, time-major rows `t·B + b`):
 *   hs   [S·B, H]        every h
 *   cc   [(S+1)·B, H]    c0 and every c (LSTM only)
 *   acts [S·B, 4H]       LSTM i, f, g, o; GRU r, z, n and (h·W + bh)_n
 * The backward writes one flat buffer of gradients:
 *   dax   [S·B, G·H]     ∂/∂(xp + bx), i.e. the gradient of xp
 *   dah   [S·B, G·H]     ∂/∂(h·W + bh) (GRU only; for the LSTM it equals dax)
 *   carry [B, H]         LSTM: ∂/∂c of the step before; GRU: the direct part z⊙dh of ∂/∂h_prev
 * Each step's dispatch writes step t's rows and reads step t−1's (forward) or t+1's (backward) from the same
 * output buffer, which stays bound read-write across the steps: WebGPU orders the dispatches of a queue, so a
 * step sees the previous step's writes.
 *
 * Work split: a workgroup of 64 threads owns 64 hidden units j of ROWS = 4 batch rows; the operand rows the
 * product needs (h_{t−1}[b, :] forward, dA_{t+1}[b, :] backward) pass through workgroup memory in tiles of 64,
 * each matrix element read serves the 4 rows (a quarter of the matrix traffic of one row per workgroup), and the
 * matrix is read so that neighbouring threads read neighbouring addresses (W [H, G·H] forward, Wᵀ [G·H, H]
 * backward).
 */

/** tfjs-backend-webgpu's program format (its `WebGPUProgram`, the fields this module sets). */
export interface WgslProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  uniforms?: string;
  workgroupSize: [number, number, number];
  getUserCode: () => string;
}

export type WgslCell = 'lstm' | 'gru';
export interface WgslShape {
  readonly steps: number;
  readonly batch: number;
  readonly hidden: number;
}

const TILE = 64;
/** Batch rows per workgroup. */
const ROWS = 4;
const rowList = Array.from({ length: ROWS }, (_, r) => r);
const gatesOf = (cell: WgslCell): number => (cell === 'lstm' ? 4 : 3);

/** Offsets (in floats) of the forward state's parts, and its length. */
export function stateLayout(cell: WgslCell, { steps, batch, hidden }: WgslShape) {
  const hs = 0;
  const cc = steps * batch * hidden;
  const acts = cc + (cell === 'lstm' ? (steps + 1) * batch * hidden : 0);
  return { hs, cc, acts, size: acts + steps * batch * 4 * hidden };
}

/** Offsets (in floats) of the backward buffer's parts, and its length. */
export function gradLayout(cell: WgslCell, { steps, batch, hidden }: WgslShape) {
  const rows = steps * batch * gatesOf(cell) * hidden;
  const dax = 0;
  const dah = cell === 'lstm' ? 0 : rows;
  const carry = cell === 'lstm' ? rows : 2 * rows;
  return { dax, dah, carry, size: carry + batch * hidden };
}

/** σ and tanh as tfjs-backend-webgpu writes them (its tanh avoids exp overflow for large |a|). */
const ACTIVATIONS = `
fn ttSigmoid(a : f32) -> f32 { return 1.0 / (1.0 + exp(-a)); }
fn ttTanh(a : f32) -> f32 {
  let e2a = exp(-2.0 * abs(a));
  return sign(a) * (1.0 - e2a) / (1.0 + e2a);
}`;

function constants(cell: WgslCell, shape: WgslShape): string {
  const s = stateLayout(cell, shape);
  const g = gradLayout(cell, shape);
  const H = shape.hidden;
  return `
const TT_B : i32 = ${shape.batch};
const TT_H : i32 = ${H};
const TT_GH : i32 = ${gatesOf(cell) * H};
const TT_S : i32 = ${shape.steps};
const TT_HS : i32 = ${s.hs};
const TT_CC : i32 = ${s.cc};
const TT_ACTS : i32 = ${s.acts};
const TT_DAX : i32 = ${g.dax};
const TT_DAH : i32 = ${g.dah};
const TT_CARRY : i32 = ${g.carry};
const TT_TILE : i32 = ${TILE};
const TT_ROWS : i32 = ${ROWS};
var<workgroup> ttTile : array<array<f32, ${TILE}>, ${ROWS}>;`;
}

function baseProgram(
  key: string,
  cell: WgslCell,
  shape: WgslShape,
  size: number,
  variableNames: string[],
  code: string,
): WgslProgram {
  const workgroupSize: [number, number, number] = [TILE, 1, 1];
  return {
    outputShape: [size],
    // The backend caches compiled pipelines by this key plus the inputs' ranks: the shape is baked into the code.
    shaderKey: `ttrnn_${key}_${cell}_${shape.steps}_${shape.batch}_${shape.hidden}`,
    dispatchLayout: { x: [1], y: [0] },
    dispatch: [Math.ceil(shape.hidden / TILE), Math.ceil(shape.batch / ROWS), 1],
    variableNames,
    uniforms: 'step : i32,',
    workgroupSize,
    getUserCode: () => constants(cell, shape) + ACTIVATIONS + code,
  };
}

/**
 * One forward step t = `uniforms.step`: a[b, ·] = xp + bx + bh + h_{t−1}·W for the G gates of unit j, then
 * the cell's update; writes h_t, (LSTM) c_t (and c0 at t = 0) and the activations the backward reuses.
 * Inputs: xp [S·B, G·H], bx, bh [G·H], w [H, G·H], h0 [B, H], (LSTM) c0 [B, H]. Output: the state.
 */
export function forwardStepProgram(cell: WgslCell, shape: WgslShape): WgslProgram {
  const G = gatesOf(cell);
  const accs = Array.from({ length: G }, (_, q) => q);
  const lstm = cell === 'lstm';
  const params = accs.map((q) => `acc${q} : f32`).join(', ');
  const epilogue = lstm
    ? `
fn stepEpilogue(t : i32, b : i32, j : i32, ${params}) {
  let row = t * TT_B + b;
  let xr = row * TT_GH;
  let i = ttSigmoid(acc0 + xp[xr + j] + bx[j] + bh[j]);
  let f = ttSigmoid(acc1 + xp[xr + TT_H + j] + bx[TT_H + j] + bh[TT_H + j]);
  let g = ttTanh(acc2 + xp[xr + 2 * TT_H + j] + bx[2 * TT_H + j] + bh[2 * TT_H + j]);
  let o = ttSigmoid(acc3 + xp[xr + 3 * TT_H + j] + bx[3 * TT_H + j] + bh[3 * TT_H + j]);
  var cPrev : f32;
  if (t == 0) {
    cPrev = c0[b * TT_H + j];
    result[TT_CC + b * TT_H + j] = cPrev;
  } else {
    cPrev = result[TT_CC + (t * TT_B + b) * TT_H + j];
  }
  let c = f * cPrev + i * g;
  result[TT_CC + ((t + 1) * TT_B + b) * TT_H + j] = c;
  result[TT_HS + row * TT_H + j] = o * ttTanh(c);
  let ar = TT_ACTS + row * 4 * TT_H + j;
  result[ar] = i;
  result[ar + TT_H] = f;
  result[ar + 2 * TT_H] = g;
  result[ar + 3 * TT_H] = o;
}`
    : `
fn stepEpilogue(t : i32, b : i32, j : i32, ${params}) {
  let row = t * TT_B + b;
  let xr = row * TT_GH;
  let r = ttSigmoid(xp[xr + j] + bx[j] + acc0 + bh[j]);
  let z = ttSigmoid(xp[xr + TT_H + j] + bx[TT_H + j] + acc1 + bh[TT_H + j]);
  let ahn = acc2 + bh[2 * TT_H + j];
  let n = ttTanh(xp[xr + 2 * TT_H + j] + bx[2 * TT_H + j] + r * ahn);
  let hp = hPrev(t, b, j);
  result[TT_HS + row * TT_H + j] = n + z * (hp - n);
  let ar = TT_ACTS + row * 4 * TT_H + j;
  result[ar] = r;
  result[ar + TT_H] = z;
  result[ar + 2 * TT_H] = n;
  result[ar + 3 * TT_H] = ahn;
}`;
  const acc = (r: number, q: number) => `acc${r}_${q}`;
  const code = `
fn hPrev(t : i32, b : i32, k : i32) -> f32 {
  if (t == 0) { return h0[b * TT_H + k]; }
  return result[TT_HS + ((t - 1) * TT_B + b) * TT_H + k];
}
${epilogue}

fn main() {
  let t = uniforms.step;
  let j = i32(globalId.x);
  let b0 = i32(globalId.y) * TT_ROWS;
  let lj = i32(localId.x);
  ${rowList.flatMap((r) => accs.map((q) => `var ${acc(r, q)} = 0.0;`)).join(' ')}
  for (var k0 = 0; k0 < TT_H; k0 += TT_TILE) {
    for (var r = 0; r < TT_ROWS; r++) {
      if (k0 + lj < TT_H && b0 + r < TT_B) { ttTile[r][lj] = hPrev(t, b0 + r, k0 + lj); }
    }
    workgroupBarrier();
    if (j < TT_H) {
      let kn = min(TT_TILE, TT_H - k0);
      for (var kk = 0; kk < kn; kk++) {
        let wr = (k0 + kk) * TT_GH + j;
        ${accs.map((q) => `let w${q} = w[wr + ${q} * TT_H];`).join(' ')}
        ${rowList.map((r) => `let hv${r} = ttTile[${r}][kk];`).join(' ')}
        ${rowList.flatMap((r) => accs.map((q) => `${acc(r, q)} += hv${r} * w${q};`)).join('\n        ')}
      }
    }
    workgroupBarrier();
  }
  if (j >= TT_H) { return; }
  ${rowList
    .map((r) => `if (b0 + ${r} < TT_B) { stepEpilogue(t, b0 + ${r}, j, ${accs.map((q) => acc(r, q)).join(', ')}); }`)
    .join('\n  ')}
}`;
  const names = lstm ? ['xp', 'bx', 'bh', 'w', 'h0', 'c0'] : ['xp', 'bx', 'bh', 'w', 'h0'];
  return baseProgram('fwd', cell, shape, stateLayout(cell, shape).size, names, code);
}

/**
 * One backward step t = `uniforms.step` (run for t = S−1 … 0): dh_t[b, k] = dy(h_t) + Σ_m dA_{t+1}[b, m]·W[k, m]
 * (+ the GRU's direct term), then the cell's gate derivatives from the saved activations; writes dA_t and the
 * carry. Inputs: wt = Wᵀ [G·H, H], st (the forward state), dy (the gradient of the state; only its hs and cc
 * parts are read), (GRU) h0 [B, H]. Output: the gradient buffer.
 */
export function backwardStepProgram(cell: WgslCell, shape: WgslShape): WgslProgram {
  const lstm = cell === 'lstm';
  const epilogue = lstm
    ? `
fn stepEpilogue(t : i32, b : i32, k : i32, acc : f32) {
  let row = t * TT_B + b;
  let dh = dy[TT_HS + row * TT_H + k] + acc;
  var dc = dy[TT_CC + ((t + 1) * TT_B + b) * TT_H + k];
  if (t < TT_S - 1) { dc += result[TT_CARRY + b * TT_H + k]; }
  let ar = TT_ACTS + row * 4 * TT_H + k;
  let i = st[ar];
  let f = st[ar + TT_H];
  let g = st[ar + 2 * TT_H];
  let o = st[ar + 3 * TT_H];
  let c = st[TT_CC + ((t + 1) * TT_B + b) * TT_H + k];
  let cPrev = st[TT_CC + (t * TT_B + b) * TT_H + k];
  let tc = ttTanh(c);
  dc += dh * o * (1.0 - tc * tc);
  let dr = TT_DAX + row * TT_GH + k;
  result[dr] = dc * g * i * (1.0 - i);
  result[dr + TT_H] = dc * cPrev * f * (1.0 - f);
  result[dr + 2 * TT_H] = dc * i * (1.0 - g * g);
  result[dr + 3 * TT_H] = dh * tc * o * (1.0 - o);
  result[TT_CARRY + b * TT_H + k] = dc * f;
}`
    : `
fn stepEpilogue(t : i32, b : i32, k : i32, acc : f32) {
  let row = t * TT_B + b;
  var dh = dy[TT_HS + row * TT_H + k] + acc;
  if (t < TT_S - 1) { dh += result[TT_CARRY + b * TT_H + k]; }
  let ar = TT_ACTS + row * 4 * TT_H + k;
  let r = st[ar];
  let z = st[ar + TT_H];
  let n = st[ar + 2 * TT_H];
  let ahn = st[ar + 3 * TT_H];
  var hp : f32;
  if (t == 0) { hp = h0[b * TT_H + k]; } else { hp = st[TT_HS + ((t - 1) * TT_B + b) * TT_H + k]; }
  let dan = dh * (1.0 - z) * (1.0 - n * n);
  let dar = dan * ahn * r * (1.0 - r);
  let daz = dh * (hp - n) * z * (1.0 - z);
  let dx = TT_DAX + row * TT_GH + k;
  result[dx] = dar;
  result[dx + TT_H] = daz;
  result[dx + 2 * TT_H] = dan;
  let dhr = TT_DAH + row * TT_GH + k;
  result[dhr] = dar;
  result[dhr + TT_H] = daz;
  result[dhr + 2 * TT_H] = dan * r;
  result[TT_CARRY + b * TT_H + k] = dh * z;
}`;
  const code = `${epilogue}

fn main() {
  let t = uniforms.step;
  let k = i32(globalId.x);
  let b0 = i32(globalId.y) * TT_ROWS;
  let lk = i32(localId.x);
  ${rowList.map((r) => `var acc${r} = 0.0;`).join(' ')}
  if (t < TT_S - 1) {
    for (var m0 = 0; m0 < TT_GH; m0 += TT_TILE) {
      for (var r = 0; r < TT_ROWS; r++) {
        let b = b0 + r;
        if (m0 + lk < TT_GH && b < TT_B) { ttTile[r][lk] = result[TT_DAH + ((t + 1) * TT_B + b) * TT_GH + m0 + lk]; }
      }
      workgroupBarrier();
      if (k < TT_H) {
        let mn = min(TT_TILE, TT_GH - m0);
        for (var mm = 0; mm < mn; mm++) {
          let wv = wt[(m0 + mm) * TT_H + k];
          ${rowList.map((r) => `acc${r} += ttTile[${r}][mm] * wv;`).join(' ')}
        }
      }
      workgroupBarrier();
    }
  }
  if (k >= TT_H) { return; }
  ${rowList.map((r) => `if (b0 + ${r} < TT_B) { stepEpilogue(t, b0 + ${r}, k, acc${r}); }`).join('\n  ')}
}`;
  const names = lstm ? ['wt', 'st', 'dy'] : ['wt', 'st', 'dy', 'h0'];
  return baseProgram('bwd', cell, shape, gradLayout(cell, shape).size, names, code);
}
