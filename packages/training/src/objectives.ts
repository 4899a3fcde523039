/**
 * The two objectives of the paper: classification (NLL on log-probabilities) and speaker embedding
 * (GE2E softmax loss on batches of N speakers × M utterances).
 */
import * as tf from '@tensorflow/tfjs-core';
import { equalErrorRate } from './eer.js';
import { GE2E_GRAD_SCALE, GE2E_WEIGHT_NAMES, ge2eCosines, ge2eLoss } from './ge2e.js';
import type { TrainableModel } from './named_weights.js';
import { countCorrect, nllLoss } from './nll.js';
import type { Batch, EvalMetrics, Objective } from './trainer.js';

/** Batches to evaluate on, in a fixed order (`SequenceBatches` of @ttrnn/datasets fits). */
export interface EvalSource {
  readonly numBatches: number;
  batch(epoch: number, index: number): Batch;
}

function labelsOf(batch: Batch, fn: string): Int32Array {
  if (batch.y === undefined) throw new Error(`'batch' passed to '${fn}' has no labels 'y'`);
  return batch.y;
}

/** NLL loss on the model's log-probabilities; step metric `accuracy`. */
export function classificationObjective(): Objective {
  return {
    loss(output, batch) {
      const y = labelsOf(batch, 'classificationObjective');
      return tf.tidy(() => nllLoss(output, tf.tensor1d(y, 'int32')));
    },
    async metrics(output, batch) {
      const y = tf.tensor1d(labelsOf(batch, 'classificationObjective'), 'int32');
      try {
        return { accuracy: (await countCorrect(output, y)) / batch.shape[0] };
      } finally {
        y.dispose();
      }
    },
  };
}

/** Loss and accuracy of a classifier over every batch of a source (epoch 0 order), in float64 sums. */
export async function evaluateClassifier(
  model: TrainableModel,
  source: EvalSource,
  prefix = 'val',
): Promise<EvalMetrics> {
  let loss = 0;
  let correct = 0;
  let n = 0;
  for (let i = 0; i < source.numBatches; i++) {
    const batch = source.batch(0, i);
    const y = labelsOf(batch, 'evaluateClassifier');
    const [out, yt, lossT] = tf.tidy(() => {
      const o = model.apply(tf.tensor3d(batch.x, [...batch.shape]));
      const t = tf.tensor1d(y, 'int32');
      return [o, t, nllLoss(o, t)];
    });
    let l: number;
    let c: number;
    try {
      l = (await lossT.data())[0] as number;
      c = await countCorrect(out, yt);
    } finally {
      tf.dispose([out, yt, lossT]);
    }
    loss += l * batch.shape[0];
    correct += c;
    n += batch.shape[0];
  }
  return { [`${prefix}Loss`]: loss / n, [`${prefix}Accuracy`]: correct / n };
}

/** The GE2E speaker objective for batches of `speakers × utterances` (speaker-major rows). */
export function ge2eObjective(model: TrainableModel, speakers: number, utterances: number): Objective {
  const fn = 'ge2eObjective';
  if (!Number.isInteger(speakers) || speakers < 2)
    throw new Error(`'speakers' passed to '${fn}' must be an integer ≥ 2, got ${speakers}`);
  if (!Number.isInteger(utterances) || utterances < 2)
    throw new Error(`'utterances' passed to '${fn}' must be an integer ≥ 2, got ${utterances}`);
  const find = (name: string): tf.Variable => {
    const w = model.namedWeights().find((x) => x.name === name);
    if (w === undefined) throw new Error(`'model' passed to '${fn}' has no weight named '${name}'`);
    return w.variable;
  };
  const w = find(GE2E_WEIGHT_NAMES.w);
  const b = find(GE2E_WEIGHT_NAMES.b);
  const reshape = (output: tf.Tensor2D, batch: Batch): tf.Tensor3D => {
    if (batch.shape[0] !== speakers * utterances) {
      throw new Error(`'batch' passed to '${fn}' must hold ${speakers}×${utterances} rows, got ${batch.shape[0]}`);
    }
    return tf.reshape(output, [speakers, utterances, output.shape[1]]);
  };
  return {
    loss: (output, batch) => tf.tidy(() => ge2eLoss(reshape(output, batch), w, b)),
    async metrics(output, batch) {
      // The original's training EER: every (utterance, speaker) similarity of the batch as a trial.
      const cos = tf.tidy(() => ge2eCosines(reshape(output, batch)));
      let scores: ArrayLike<number>;
      try {
        scores = await cos.data();
      } finally {
        cos.dispose();
      }
      const labels = new Uint8Array(scores.length);
      for (let j = 0; j < speakers; j++)
        for (let i = 0; i < utterances; i++) labels[(j * utterances + i) * speakers + j] = 1;
      return { eer: equalErrorRate(scores, labels).eer };
    },
    gradScales: { [GE2E_WEIGHT_NAMES.w]: GE2E_GRAD_SCALE, [GE2E_WEIGHT_NAMES.b]: GE2E_GRAD_SCALE },
  };
}
