/**
 * Equal error rate from a ROC curve, as the original computes it: sklearn's `roc_curve` (one point per
 * distinct score, ties taken together) and `brentq(lambda x: 1 - x - interp1d(fpr, tpr)(x), 0, 1)`,
 * i.e. the point of the piecewise-linear ROC curve where the false-acceptance rate equals the
 * false-rejection rate `1 − tpr`.
 */

/** ROC points from the highest threshold down: the first point is (0, 0) at threshold +Infinity. */
export interface RocCurve {
  readonly fpr: Float64Array;
  readonly tpr: Float64Array;
  readonly thresholds: Float64Array;
}

function checkInputs(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>, fn: string): void {
  if (scores.length !== labels.length) {
    throw new Error(
      `'labels' passed to '${fn}' must have as many entries as 'scores' (${scores.length}), got ${labels.length}`,
    );
  }
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i]))
      throw new Error(`'scores' passed to '${fn}' must be finite, got ${scores[i]} at ${i}`);
  }
}

/** The ROC curve of `scores` (higher = more likely genuine) against `labels` (truthy = genuine). */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): RocCurve {
  checkInputs(scores, labels, 'rocCurve');
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i]) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) {
    throw new Error(
      `'labels' passed to 'rocCurve' must hold both genuine and impostor trials, got ${positives} and ${negatives}`,
    );
  }
  const fpr = [0];
  const tpr = [0];
  const thr = [Infinity];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n;) {
    const s = scores[order[k] as number] as number;
    while (k < n && scores[order[k] as number] === s) {
      if (labels[order[k] as number]) tp++;
      else fp++;
      k++;
    }
    fpr.push(fp / negatives);
    tpr.push(tp / positives);
    thr.push(s);
  }
  return { fpr: Float64Array.from(fpr), tpr: Float64Array.from(tpr), thresholds: Float64Array.from(thr) };
}

export interface EerResult {
  /** Equal error rate in [0, 1]. */
  readonly eer: number;
  /** The score threshold at the crossing (interpolated between ROC points). */
  readonly threshold: number;
}

/**
 * The equal error rate: where the ROC polyline crosses `fpr = 1 − tpr`.
 * @param scores similarity scores, higher meaning "same speaker".
 * @param labels truthy for genuine trials.
 */
export function equalErrorRate(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): EerResult {
  const { fpr, tpr, thresholds } = rocCurve(scores, labels);
  // d = 1 − fpr − tpr decreases from 1 at (0, 0) to −1 at (1, 1) along the curve.
  for (let i = 0; i + 1 < fpr.length; i++) {
    const d0 = 1 - (fpr[i] as number) - (tpr[i] as number);
    const d1 = 1 - (fpr[i + 1] as number) - (tpr[i + 1] as number);
    if (d0 > 0 && d1 <= 0) {
      const t = d0 / (d0 - d1);
      const f0 = fpr[i] as number;
      const eer = f0 + t * ((fpr[i + 1] as number) - f0);
      const th0 = thresholds[i] as number;
      const th1 = thresholds[i + 1] as number;
      const threshold = Number.isFinite(th0) ? th0 + t * (th1 - th0) : th1;
      return { eer, threshold };
    }
  }
  // Unreachable: d is 1 at the first point and −1 at the last.
  throw new Error('equalErrorRate: the ROC curve does not cross fpr = 1 − tpr');
}
