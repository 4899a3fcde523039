// Public API of @ttrnn/cells. Browser-safe; `@ttrnn/cells/node` (src/node.ts) adds file-system saving.
// What a user needs: models (create, apply, count, save/load, compress), their description, and the cell,
// weight-map and RNN classes to build other models from. Cost-model constants, the kernel and checkpointed
// sequence runners and the file format's constants stay internal.

// Models and their description.
export { SequenceClassifier, SpeakerEncoder, createModel } from './models.js';
export type { SequenceModel } from './models.js';
export { TASK_KINDS, validateModelConfig } from './model_config.js';
export type { ModelConfig, ModelTTConfig, TaskKind } from './model_config.js';
export { countParams } from './count_params.js';
export type { MatrixCount, ParamCount } from './count_params.js';
export { loadModel, modelArtifacts, modelFromArtifacts, saveModel } from './save_load.js';
export type { ModelLocation, ModelTopology, WeightsChecksum } from './save_load.js';
export { compressModel } from './compress.js';
export type { CompressOptions, CompressionResult, MatrixCompression } from './compress.js';

// Cells, weight maps and the RNN.
export { CELL_KINDS, EXTRA_CORES, cellTTShapes, createCell, normalizeTTLayout } from './cell_factory.js';
export type { CellOptions, TTLayout } from './cell_factory.js';
export type { CellKind, RecurrentCell, SequenceResult } from './recurrent_cell.js';
export { LSTMCell } from './lstm_cell.js';
export { GRUCell } from './gru_cell.js';
export { Linear } from './linear.js';
export type { LinearOptions } from './linear.js';
export { TTLinear } from './tt_linear.js';
export { NaiveTTLinear } from './naive_tt_linear.js';
export { PRODUCT_MODES } from './linear_map.js';
export type { LinearMap, NamedVariable, ProductMethod, ProductMode } from './linear_map.js';
export { chooseTTMethod, estimateProductTime } from './product_cost.js';
export type { ProductEstimate } from './product_cost.js';
export { RNN, checkpointChunk } from './rnn.js';
export type { RNNResult, RNNRunOptions } from './rnn.js';
export { cellRecurrence } from './recompute.js';
export type { ChunkRunner } from './recompute.js';
export { PATH_CHOICES, chooseRecurrentPath } from './fast/path.js';
export type { PathChoice, RecurrentPath } from './fast/path.js';

// The reference-vector format of the original: reading its weights and arrays, and checking this
// implementation against a whole file (what `pnpm run exp parity` prints).
export { cellFromReference, linearMapFromReference, refTensor } from './reference_format.js';
export type { RefArray } from './reference_format.js';
export { REFERENCE_TOLERANCES, checkReferenceVectors, recogniseReferenceCase } from './reference_check.js';
export type { ReferenceCaseKind, ReferenceCaseResult } from './reference_check.js';
