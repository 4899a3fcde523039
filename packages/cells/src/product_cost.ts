/**
 * Choosing between contracting the TT cores at every product and rebuilding W
 * once (ProductMode 'auto').
 *
 * The estimate is time = FLOPs / rate + moved · elementCost + ops · overhead:
 * - FLOPs from `ttMatmulCost`;
 * - moved: elements copied by the transposes between the per-core matMuls
 *   (on wasm a transpose costs far more per element than a matMul does per
 *   FLOP, so a contraction can take longer than the dense product it replaces);
 * - ops: every tfjs op has a fixed cost whatever its size, and a prepared
 *   d-core contraction issues 6d + 1 ops, so at the small batch of one time
 *   step overhead matters too.
 * The constants only need to rank the two choices, not predict times; the
 * figures behind them are in apps/experiments/bench/README.md ("Figures behind
 * the code's choices").
 */
import { coreShape, numCols, numRows, ttMatmulCost } from '@ttrnn/tt';
import type { TTMatrixShape } from '@ttrnn/tt';
import type { ProductMethod, ProductMode } from './linear_map.js';

/** Effective float32 matMul rate of the wasm backend (FLOP/s). */
export const DEFAULT_FLOP_RATE = 20e9;
/** Cost of one element moved by a transpose (seconds). */
export const DEFAULT_ELEMENT_COST_S = 3e-9;
/** Fixed cost of one tfjs op (seconds). */
export const DEFAULT_OP_OVERHEAD_S = 4e-6;

export interface ProductEstimate {
  /** Seconds to contract the cores `calls` times. */
  readonly contract: number;
  /** Seconds to rebuild W once and multiply `calls` times. */
  readonly rebuild: number;
}

/** Elements moved by the transposes of one `ttMatmul` of `rows` rows (mirrors its loop). */
export function contractionTraffic(shape: TTMatrixShape, rows: number): number {
  let moved = 0;
  let lead = rows;
  let rest = numRows(shape);
  for (let k = 0; k < shape.inModes.length; k++) {
    const [rk, mk, nk, rk1] = coreShape(shape, k);
    rest /= nk;
    moved += lead * rest * rk * nk + lead * rest * mk * rk1 + rk * mk * nk * rk1;
    lead *= mk;
  }
  return moved;
}

/** Elements moved by the transposes of one `ttFull`. */
export function rebuildTraffic(shape: TTMatrixShape): number {
  let moved = 0;
  let rows = shape.inModes[0]!;
  let cols = shape.outModes[0]!;
  for (let k = 1; k < shape.inModes.length; k++) {
    const [, mk, nk, rk1] = coreShape(shape, k);
    moved += rows * cols * mk * nk * rk1;
    rows *= nk;
    cols *= mk;
  }
  return moved;
}

/** Estimated forward time of `calls` products of `rows` rows through TT matrices of these shapes. */
export function estimateProductTime(
  shapes: readonly TTMatrixShape[],
  rows: number,
  calls: number,
  rate = DEFAULT_FLOP_RATE,
  elementCost = DEFAULT_ELEMENT_COST_S,
  overhead = DEFAULT_OP_OVERHEAD_S,
): ProductEstimate {
  const r = Math.max(1, rows);
  let contract = 0;
  let rebuild = 0;
  for (const shape of shapes) {
    const c = ttMatmulCost(shape, r);
    // A prepared contraction (TTLinear.prepare) transposes the cores once: 6d + 1 ops per call, 2d once.
    const d = shape.inModes.length;
    const perCall = c.contract.ops - 2 * d;
    contract +=
      calls * (c.contract.flops / rate + contractionTraffic(shape, r) * elementCost + perCall * overhead) +
      2 * d * overhead;
    rebuild +=
      c.rebuild.flops / rate +
      rebuildTraffic(shape) * elementCost +
      c.rebuild.ops * overhead +
      calls * (c.denseProduct.flops / rate + overhead);
  }
  // The naive layout concatenates the gates: one more op per call (or per rebuild).
  if (shapes.length > 1) {
    contract += calls * overhead;
    rebuild += overhead;
  }
  return { contract, rebuild };
}

export function chooseTTMethod(
  shapes: readonly TTMatrixShape[],
  rows: number,
  calls: number,
  mode: ProductMode,
): ProductMethod {
  if (mode !== 'auto') return mode;
  if (calls <= 0) return 'per-step';
  const est = estimateProductTime(shapes, rows, calls);
  return est.rebuild <= est.contract ? 'rebuilt' : 'per-step';
}

/**
 * FLOPs of the kernels' per-step contraction of `rows` rows (@ttrnn/kernels sweeps the cores from
 * the last to the first: step k multiplies C_k [r_k·m_k, n_k·r_{k+1}] into every
 * [n_k·r_{k+1}, m_{k+1}···m_{d−1}] block of n_0···n_{k−1} of them per row).
 */
export function kernelContractFlops(shape: TTMatrixShape, rows: number): number {
  const { inModes: n, outModes: m, ranks: r } = shape;
  const d = n.length;
  let flops = 0;
  for (let k = 0; k < d; k++) {
    const before = n.slice(0, k).reduce((a, b) => a * b, 1);
    const after = m.slice(k + 1).reduce((a, b) => a * b, 1);
    flops += 2 * rows * before * r[k]! * m[k]! * n[k]! * r[k + 1]! * after;
  }
  return flops;
}

/**
 * Time per FLOP of the kernels' per-step contraction against their dense product (its products are
 * smaller, and the backward transposes a few blocks). A ranking constant; the measurements behind it
 * are in apps/experiments/bench/README.md (item 5).
 */
export const KERNEL_CONTRACT_PENALTY = 1.1;

/** How the kernels multiply by a TT recurrent map, and how its backward reaches the cores. */
export interface KernelTTChoice {
  /** 'per-step': contract the cores at every step; 'rebuilt': multiply by W rebuilt once per pass. */
  readonly method: ProductMethod;
  /**
   * With 'per-step', where the cores' gradient comes from: 'cores', accumulated by the kernel step by
   * step; 'w', dW = H_prevᵀ·dA (one product over all steps) taken to the cores by autodiff of the rebuild.
   */
  readonly ttGradient: 'cores' | 'w';
}

/**
 * The kernels' product for a TT recurrent map under `mode`, by FLOPs in units of one dense product
 * h·W over the sequence, with x = (per-step contraction FLOPs / dense FLOPs) · KERNEL_CONTRACT_PENALTY:
 * - inference: per-step x, rebuilt 1 (rebuilding W costs well under a millisecond at these sizes);
 * - training: rebuilt 3 (forward, dh, dW); per-step with the cores' gradient accumulated 4x (forward,
 *   the intermediates again, dh, the gradient); per-step with the gradient through dW 2x + 1.
 * `mode` 'per-step' or 'rebuilt' fixes the method; the gradient is still the cheaper one.
 */
export function chooseKernelTTMethod(
  shape: TTMatrixShape,
  rows: number,
  mode: ProductMode,
  training: boolean,
): KernelTTChoice {
  const x = (kernelContractFlops(shape, rows) * KERNEL_CONTRACT_PENALTY) / (2 * rows * numRows(shape) * numCols(shape));
  const ttGradient = 4 * x <= 2 * x + 1 ? 'cores' : 'w';
  if (mode !== 'auto') return { method: mode, ttGradient };
  const perStep = training ? Math.min(4 * x, 2 * x + 1) : x;
  return { method: perStep < (training ? 3 : 1) ? 'per-step' : 'rebuilt', ttGradient };
}
