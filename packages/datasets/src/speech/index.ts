// Public API of the speaker-verification features, Node included (curated; re-exported by src/node.ts):
// the browser-safe pieces of pure.ts and those that read files, cache features or use native modules.
export * from './pure.js';
export { readAudioFile } from './audio_file.js';
export { FeatureCache } from './cache.js';
export type { CacheStats } from './cache.js';
export {
  FEATURE_PIPELINE_VERSION,
  extractSpeakerFeatures,
  featureCacheKey,
  summarizeSpeakerFeatures,
  usableUtterances,
  utteranceFeatures,
} from './dataset.js';
export type {
  ExtractOptions,
  SpeakerDataSummary,
  SpeakerFeatureSet,
  SpeakerFeatures,
  SplitSummary,
  UtteranceFeatures,
} from './dataset.js';
export { DEFAULT_WINDOWS, enrolmentSplit, evaluationWindows } from './evaluation.js';
export type { EnrolmentSpeaker, EnrolmentSplit, EvaluationWindows, WindowOptions } from './evaluation.js';
export { DEFAULT_SPEAKER_FEATURES, preprocessWav, resolveFeatureOptions, speakerFeatures } from './features.js';
export type { SpeakerFeatureOptions } from './features.js';
export { DEFAULT_GE2E_BATCH, Ge2eBatcher } from './ge2e.js';
export type { Ge2eBatch, Ge2eBatchOptions, Ge2eBatcherState } from './ge2e.js';
export { LIBRISPEECH_PAPER_SUBSETS, libriSpeechCorpus, looksLikeLibriSpeech, speakerFoldersCorpus } from './loaders.js';
export type { LibriSpeechOptions, SpeakerFoldersOptions } from './loaders.js';
export { loadSpeakerData, resolveSpeakerCorpus, speakerDataSummary } from './speakers.js';
export type { SpeakerDataOptions } from './speakers.js';
export {
  SYNTHETIC_ACCENTS,
  SYNTHETIC_RECIPE_VERSION,
  SYNTHETIC_SIZES,
  SYNTHETIC_VARIANTS,
  synthesize,
  SynthesisSession,
  addNoise,
  synthesizeSpeakerUtterance,
  syntheticCorpus,
  syntheticCorpusSpec,
  syntheticVoice,
} from './synthetic.js';
export type {
  SyntheticCorpusOptions,
  SyntheticSize,
  SyntheticSizeSpec,
  SyntheticSpeaker,
  SyntheticUtterance,
} from './synthetic.js';
export { DEFAULT_VAD_OPTIONS, speechMask, trimLongSilences, vadFlags } from './vad.js';
export type { VadOptions } from './vad.js';
