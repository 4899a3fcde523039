// Public API of @ttrnn/training: what runs anywhere, a browser included. The training loop with
// its run directory, checkpoints and atomic files is Node-only: `@ttrnn/training/node` (src/node.ts).
export { Adam, DEFAULT_ADAM_OPTIONS } from './adam.js';
export type { AdamOptions, AdamSlotState, AdamState } from './adam.js';
export { clipByGlobalNorm, clipCoefficient, globalNorm } from './clip.js';
export { equalErrorRate, rocCurve } from './eer.js';
export type { EerResult, RocCurve } from './eer.js';
export { GE2E_GRAD_SCALE, GE2E_WEIGHT_NAMES, ge2eCosines, ge2eLoss, ge2eSimilarity } from './ge2e.js';
export { assertUniqueNames } from './named_weights.js';
export type { NamedWeight, TrainableModel } from './named_weights.js';
export { countCorrect, nllLoss } from './nll.js';
export { PAPER_STEP_DECAY, stepDecayRate } from './schedule.js';
export type { StepDecay } from './schedule.js';
export { speakerVerificationEer } from './speaker_verification.js';
export type { SpeakerVerificationResult } from './speaker_verification.js';
export { classificationObjective, evaluateClassifier, ge2eObjective } from './objectives.js';
export type { EvalSource } from './objectives.js';
export { Progress, formatDuration } from './progress.js';
export type { ProgressOptions, ProgressStream } from './progress.js';
export { DEFAULT_TRAINING_CONFIG, resolveTrainingConfig } from './training_config.js';
export type { TrainingConfig } from './training_config.js';
export { embedUtterances, evaluateSpeakerModel } from './speaker_eval.js';
export type { EmbedOptions, WindowedUtterance } from './speaker_eval.js';
export type { Batch, BatchSource, EvalMetrics, Objective } from './trainer.js';
