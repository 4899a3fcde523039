/**
 * Speaker-verification evaluation of an embedding model: every utterance's embedding is the mean of its
 * windows' embeddings (160-frame windows with 50% overlap in the original), then the enrol/verify
 * protocol of `speakerVerificationEer` gives the EER.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableModel } from './named_weights.js';
import { speakerVerificationEer } from './speaker_verification.js';
import type { EvalMetrics } from './trainer.js';

/** One utterance as evaluation windows, each `[frames, features]` row-major. */
export interface WindowedUtterance {
  readonly windows: ReadonlyArray<Float32Array>;
}

export interface EmbedOptions {
  /** Frames per window. */
  readonly frames: number;
  /** Features per frame. */
  readonly features: number;
  /** Windows per forward pass; default 256. */
  readonly batchSize?: number;
}

/** The mean window embedding of every utterance, in order. */
export async function embedUtterances(
  model: TrainableModel,
  utterances: ReadonlyArray<WindowedUtterance>,
  options: EmbedOptions,
): Promise<Float32Array[]> {
  const fn = 'embedUtterances';
  const { frames, features } = options;
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize <= 0)
    throw new Error(`'batchSize' passed to '${fn}' must be a positive integer, got ${batchSize}`);
  const size = frames * features;
  const owners: number[] = [];
  const windows: Float32Array[] = [];
  utterances.forEach((u, i) => {
    if (u.windows.length === 0) throw new Error(`'utterances' passed to '${fn}': utterance ${i} has no windows`);
    for (const w of u.windows) {
      if (w.length !== size)
        throw new Error(
          `'utterances' passed to '${fn}': utterance ${i} has a window of ${w.length} values, expected ${frames}×${features}`,
        );
      owners.push(i);
      windows.push(w);
    }
  });
  const sums: Float64Array[] = [];
  const counts = new Array<number>(utterances.length).fill(0);
  for (let start = 0; start < windows.length; start += batchSize) {
    const b = Math.min(batchSize, windows.length - start);
    const x = new Float32Array(b * size);
    for (let k = 0; k < b; k++) x.set(windows[start + k] as Float32Array, k * size);
    const out = tf.tidy(() => model.apply(tf.tensor3d(x, [b, frames, features])));
    const dim = out.shape[1];
    let data: ArrayLike<number>;
    try {
      data = await out.data();
    } finally {
      out.dispose();
    }
    for (let k = 0; k < b; k++) {
      const owner = owners[start + k] as number;
      let sum = sums[owner];
      if (sum === undefined) sums[owner] = sum = new Float64Array(dim);
      for (let d = 0; d < dim; d++) sum[d] = (sum[d] as number) + (data[k * dim + d] as number);
      counts[owner] = (counts[owner] as number) + 1;
    }
  }
  return sums.map((s, i) => Float32Array.from(s, (v) => v / (counts[i] as number)));
}

/**
 * The verification EER of `model` on `speakers` (utterances in protocol order: the first ⌊n/2⌋ enrol).
 * Returns `{<prefix>Eer, <prefix>Threshold}`.
 */
export async function evaluateSpeakerModel(
  model: TrainableModel,
  speakers: ReadonlyArray<ReadonlyArray<WindowedUtterance>>,
  options: EmbedOptions & { readonly prefix?: string },
): Promise<EvalMetrics> {
  const all = speakers.flat();
  const emb = await embedUtterances(model, all, options);
  const grouped: Float32Array[][] = [];
  let k = 0;
  for (const s of speakers) {
    grouped.push(emb.slice(k, k + s.length));
    k += s.length;
  }
  const r = speakerVerificationEer(grouped);
  const p = options.prefix ?? 'val';
  return { [`${p}Eer`]: r.eer, [`${p}Threshold`]: r.threshold };
}
