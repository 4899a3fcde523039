// The speech front end's pieces that run anywhere, a browser included (no file system, no native
// modules). Exported by both entries: src/index.ts and, through speech/index.ts, src/node.ts.
export { decodeFlac, decodeWav, levelDbfs, normalizeVolume, resample } from './audio.js';
export type { Audio, ResampleQuality } from './audio.js';
export { SPLIT_NAMES } from './corpus.js';
export type { SkippedFile, SpeakerCorpus, SpeakerSource, SplitName, UtteranceSource } from './corpus.js';
export { RandomCycler } from './cycler.js';
export type { RandomCyclerState } from './cycler.js';
export { PowerSpectrum } from './fft.js';
export {
  DEFAULT_MEL_OPTIONS,
  hannPeriodic,
  hzToMelSlaney,
  melFilterbank,
  melSpectrogram,
  melToHzSlaney,
} from './mel.js';
export type { MelFilterbankOptions, MelFrames, MelSpectrogramOptions } from './mel.js';
