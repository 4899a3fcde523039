// Public API of @ttrnn/cells. Browser-safe; `@ttrnn/cells/node` (src/node.ts) adds file-system saving.
export { Linear } from './linear.js';
export type { LinearOptions } from './linear.js';
export { TTLinear, TT_BIAS_INIT } from './tt_linear.js';
export { NaiveTTLinear } from './naive_tt_linear.js';
export { PRODUCT_MODES } from './linear_map.js';
export type { LinearMap, NamedVariable, ProductMethod, ProductMode } from './linear_map.js';
export {
  DEFAULT_ELEMENT_COST_S,
  DEFAULT_FLOP_RATE,
  DEFAULT_OP_OVERHEAD_S,
  chooseTTMethod,
  contractionTraffic,
  estimateProductTime,
  rebuildTraffic,
} from './product_cost.js';
export type { ProductEstimate } from './product_cost.js';
export { GATES } from './recurrent_cell.js';
export type { CellKind, RecurrentCell, SequenceResult } from './recurrent_cell.js';
export { LSTMCell } from './lstm_cell.js';
export { GRUCell } from './gru_cell.js';
export { CELL_KINDS, EXTRA_CORES, cellTTShapes, createCell, normalizeTTLayout } from './cell_factory.js';
export type { CellOptions, TTLayout } from './cell_factory.js';
export { RNN, checkSequence, checkpointChunk } from './rnn.js';
export type { RNNResult, RNNRunOptions } from './rnn.js';
export { PATH_CHOICES, chooseRecurrentPath } from './fast/path.js';
export type { PathChoice, RecurrentPath } from './fast/path.js';
export { kernelSequence } from './fast/kernel_op.js';
export type { KernelSequenceResult } from './fast/kernel_op.js';
export { runKernelLayer } from './fast/kernel_layer.js';
export {
  cellFromReference,
  inferCellKind,
  isRecord,
  isRefArray,
  isWeightDescription,
  linearMapFromReference,
  refArray,
  refTensor,
} from './reference_format.js';
export type { RefArray } from './reference_format.js';
export { TASK_KINDS, validateModelConfig } from './model_config.js';
export type { ModelConfig, ModelTTConfig, TaskKind } from './model_config.js';
export { countParams } from './count_params.js';
export type { MatrixCount, ParamCount } from './count_params.js';
export { GE2E_B_NAME, GE2E_INIT, GE2E_W_NAME, SequenceClassifier, SpeakerEncoder, assembleModel, createModel } from './models.js';
export type { ModelParts, SequenceModel } from './models.js';
export { cellRecurrence, checkpointedSequence, defaultChunkSize, gruChunkRunner, lstmChunkRunner, runSequenceCheckpointed } from './recompute.js';
export type { CheckpointOptions, CheckpointedResult, ChunkRunner } from './recompute.js';
export { MODEL_FILE, MODEL_FORMAT, MODEL_FORMAT_VERSION, WEIGHTS_FILE, loadModel, modelArtifacts, modelFromArtifacts, saveModel } from './save_load.js';
export type { ModelLocation, ModelTopology, WeightsChecksum } from './save_load.js';
export { compressModel } from './compress.js';
export type { CompressOptions, CompressionResult, MatrixCompression } from './compress.js';
