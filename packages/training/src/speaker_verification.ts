/**
 * The speaker-verification protocol of the original evaluation: per speaker, the first half of the
 * utterances (⌊n/2⌋) enrol, their mean embedding L2-normalised is the speaker's centroid; every other
 * utterance is scored against every centroid; the EER of those scores is the result.
 *
 * Porting notes: like the original, a verification score is the dot product of the utterance embedding
 * (the mean of its window embeddings, not re-normalised) with the unit centroid.
 */
import { equalErrorRate } from './eer.js';

export interface SpeakerVerificationResult {
  readonly eer: number;
  readonly threshold: number;
  readonly speakers: number;
  readonly genuineTrials: number;
  readonly impostorTrials: number;
}

/**
 * @param embeddings `embeddings[s][u]`: the embedding (length E) of utterance u of speaker s, in the
 *   order the protocol splits them (first half enrols).
 */
export function speakerVerificationEer(
  embeddings: ReadonlyArray<ReadonlyArray<ArrayLike<number>>>,
): SpeakerVerificationResult {
  const fn = 'speakerVerificationEer';
  if (embeddings.length < 2)
    throw new Error(`'embeddings' passed to '${fn}' must hold at least 2 speakers, got ${embeddings.length}`);
  const dim = embeddings[0]?.[0]?.length ?? 0;
  if (dim === 0) throw new Error(`'embeddings' passed to '${fn}' must hold non-empty embeddings`);
  const centroids: Float64Array[] = [];
  embeddings.forEach((utts, s) => {
    if (utts.length < 2)
      throw new Error(`'embeddings' passed to '${fn}': speaker ${s} has ${utts.length} utterances, needs at least 2`);
    const nEnrol = Math.floor(utts.length / 2);
    const c = new Float64Array(dim);
    for (let u = 0; u < utts.length; u++) {
      const e = utts[u] as ArrayLike<number>;
      if (e.length !== dim)
        throw new Error(
          `'embeddings' passed to '${fn}': speaker ${s} utterance ${u} has length ${e.length}, expected ${dim}`,
        );
      if (u < nEnrol) for (let k = 0; k < dim; k++) c[k] = (c[k] as number) + (e[k] as number) / nEnrol;
    }
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += (c[k] as number) ** 2;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let k = 0; k < dim; k++) c[k] = (c[k] as number) / norm;
    centroids.push(c);
  });
  const scores: number[] = [];
  const labels: boolean[] = [];
  embeddings.forEach((utts, s) => {
    for (let u = Math.floor(utts.length / 2); u < utts.length; u++) {
      const e = utts[u] as ArrayLike<number>;
      centroids.forEach((c, j) => {
        let dot = 0;
        for (let k = 0; k < dim; k++) dot += (e[k] as number) * (c[k] as number);
        scores.push(dot);
        labels.push(j === s);
      });
    }
  });
  const { eer, threshold } = equalErrorRate(scores, labels);
  const genuineTrials = labels.filter(Boolean).length;
  return { eer, threshold, speakers: embeddings.length, genuineTrials, impostorTrials: labels.length - genuineTrials };
}
