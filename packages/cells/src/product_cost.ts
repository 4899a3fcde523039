/**
 * Choosing between contracting the TT cores at every product and rebuilding W
 * once (ProductMode 'auto').
 *
 * The estimate is time = FLOPs / rate + ops · overhead. The op term matters:
 * one tfjs op costs about 3–5 µs whatever its size (../shared/NOTES.md), and a
 * d-core contraction issues 8d + 1 ops, so at the small batch of one time step
 * the per-step contraction is usually dominated by overhead, not FLOPs.
 */
import { ttMatmulCost } from '@ttrnn/tt';
import type { TTMatrixShape } from '@ttrnn/tt';
import type { ProductMethod, ProductMode } from './linear_map.js';

/** Effective float32 matMul rate of the wasm backend on small products (FLOP/s). */
export const DEFAULT_FLOP_RATE = 10e9;
/** Fixed cost of one tfjs op (seconds). */
export const DEFAULT_OP_OVERHEAD_S = 4e-6;

export interface ProductEstimate {
  /** Seconds to contract the cores `calls` times. */
  readonly contract: number;
  /** Seconds to rebuild W once and multiply `calls` times. */
  readonly rebuild: number;
}

/** Estimated forward time of `calls` products of `rows` rows through TT matrices of these shapes. */
export function estimateProductTime(
  shapes: readonly TTMatrixShape[],
  rows: number,
  calls: number,
  rate = DEFAULT_FLOP_RATE,
  overhead = DEFAULT_OP_OVERHEAD_S,
): ProductEstimate {
  let contract = 0;
  let rebuild = 0;
  for (const shape of shapes) {
    const c = ttMatmulCost(shape, Math.max(1, rows));
    contract += calls * (c.contract.flops / rate + c.contract.ops * overhead);
    rebuild += c.rebuild.flops / rate + c.rebuild.ops * overhead + calls * (c.denseProduct.flops / rate + overhead);
  }
  // The naive layout concatenates the gates: one more op per call (or per rebuild).
  if (shapes.length > 1) {
    contract += calls * overhead;
    rebuild += overhead;
  }
  return { contract, rebuild };
}

export function chooseTTMethod(shapes: readonly TTMatrixShape[], rows: number, calls: number, mode: ProductMode): ProductMethod {
  if (mode === 'per-step') return 'contract';
  if (mode === 'rebuilt') return 'rebuild';
  if (calls <= 0) return 'contract';
  const est = estimateProductTime(shapes, rows, calls);
  return est.rebuild <= est.contract ? 'rebuild' : 'contract';
}
