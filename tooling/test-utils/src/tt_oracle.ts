/** Test-only oracle of a TT matrix, free of tfjs: shared by the tt package's tests and the kernels' tests. */

/**
 * The full matrix by the definition W[i, j] = Π_k core_k[:, j_k, i_k, :], one
 * entry at a time in float64: an oracle independent of the library's reshapes.
 */
export function naiveFull(cores: { shape: number[]; data: ArrayLike<number> }[]): {
  rows: number;
  cols: number;
  data: Float64Array;
} {
  const inModes = cores.map((c) => c.shape[2]!);
  const outModes = cores.map((c) => c.shape[1]!);
  const rows = inModes.reduce((a, b) => a * b, 1);
  const cols = outModes.reduce((a, b) => a * b, 1);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      // Decompose i and j row-major, core 0 most significant.
      const ik: number[] = [];
      const jk: number[] = [];
      let ri = i,
        rj = j;
      for (let k = cores.length - 1; k >= 0; k--) {
        ik[k] = ri % inModes[k]!;
        ri = Math.floor(ri / inModes[k]!);
        jk[k] = rj % outModes[k]!;
        rj = Math.floor(rj / outModes[k]!);
      }
      let vec = [1];
      cores.forEach((c, k) => {
        const [r0, m, n, r1] = c.shape as [number, number, number, number];
        const next = new Array<number>(r1).fill(0);
        for (let a = 0; a < r0; a++) {
          for (let b = 0; b < r1; b++) {
            next[b]! += vec[a]! * (c.data[((a * m + jk[k]!) * n + ik[k]!) * r1 + b] as number);
          }
        }
        vec = next;
      });
      out[i * cols + j] = vec[0]!;
    }
  }
  return { rows, cols, data: out };
}
