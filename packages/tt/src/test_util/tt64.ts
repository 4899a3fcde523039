/** Test-only helpers shared by the float64 TT tests (TT tensors, TT-SVD, rounding). */
import fc from 'fast-check';
import type { Rng } from '@ttrnn/random';
import type { Core64 } from '../tt_tensor.js';

/** ‖a − b‖_F / ‖b‖_F in float64 (the absolute norm when b is zero). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += ((a[i] as number) - (b[i] as number)) ** 2;
    den += (b[i] as number) ** 2;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

/** Float64 TT-tensor cores [r_k, n_k, r_k+1] with values from bounded integers / 100. */
export function intCores64(modes: number[], ranks: number[], rng: Rng): Core64[] {
  return modes.map((n, k) => {
    const shape: [number, number, number] = [ranks[k]!, n, ranks[k + 1]!];
    const data = new Float64Array(shape[0] * n * shape[2]);
    for (let i = 0; i < data.length; i++) data[i] = (rng.int(201) - 100) / 100;
    return { data, shape };
  });
}

/** The largest TT ranks a tensor of these modes can have: min(∏ left modes, ∏ right modes). */
export function rankBounds(modes: number[]): number[] {
  const total = modes.reduce((a, b) => a * b, 1);
  const out = [1];
  let left = 1;
  for (let k = 0; k < modes.length - 1; k++) {
    left *= modes[k]!;
    out.push(Math.min(left, total / left));
  }
  out.push(1);
  return out;
}

/** Random TT-tensor structures: 1–4 cores, modes in [1, maxMode], inner ranks in [1, maxRank], a seed. */
export function ttTensorArb(
  maxMode: number,
  maxRank: number,
): fc.Arbitrary<{ modes: number[]; ranks: number[]; seed: number }> {
  return fc
    .integer({ min: 1, max: 4 })
    .chain((d) =>
      fc.record({
        modes: fc.array(fc.integer({ min: 1, max: maxMode }), { minLength: d, maxLength: d }),
        inner: fc.array(fc.integer({ min: 1, max: maxRank }), { minLength: d - 1, maxLength: d - 1 }),
        seed: fc.integer({ min: 0, max: 1e6 }),
      }),
    )
    .map(({ modes, inner, seed }) => ({ modes, ranks: [1, ...inner, 1], seed }));
}
