// @ttrnn/training/node: everything in the main entry, plus the Node-only pieces: the resumable
// `train()` loop, its run directory (metrics log, resume checks), checkpoint files and atomic writes.
export * from './index.js';
export { describeIoError, fsyncDir, ioError, writeFileAtomic } from './atomic.js';
export { decodeCheckpoint, encodeCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint.js';
export type { CheckpointArray, CheckpointContents } from './checkpoint.js';
export { MetricsLog, RUN_FILES, RUN_LOCK, RunDir, differingKeys, openRun, readMetrics } from './run_dir.js';
export type { OpenRun, OpenRunOptions, ResumeIntent, RunDirState, RunDirStatus, RunFile } from './run_dir.js';
export { NonFiniteLossError, loadWeights, train } from './trainer.js';
export type { BestRecord, EpochRecord, Selection, TrainOptions, TrainOutcome } from './trainer.js';
