export { autoShape, primeFactors } from './auto_shape.js';
// Argument checks shared with the packages built on this one (their errors read the same way).
export { assertIntArray, assertPositiveInt, describe as describeArgument, prod } from './validate.js';
export {
  compressionRatio,
  coreShape,
  fusedGateShape,
  numCols,
  numRows,
  ttMatrixShape,
  ttParamCount,
  uniformRanks,
  validateTTShape,
} from './tt_shape.js';
export type { ExtraCore, FusedGateShapeOptions, TTMatrixShape } from './tt_shape.js';
export { TTMatrix, shapeOfCores, ttFull, ttMatmul, ttMatmulCost, ttMatmulRebuilt } from './tt_matrix.js';
export type { ContractionCost, TTMatmulCost } from './tt_matrix.js';
export { glorotTTCores, glorotTTStd } from './tt_init.js';
export { householderQr, svd } from './svd.js';
export type { QrResult, SvdResult } from './svd.js';
export {
  TTTensor,
  coresToFloat64,
  shapeOfTTTensorCores,
  ttTensorFull,
  ttTensorFull64,
  ttTensorParamCount,
  validateTTTensorShape,
} from './tt_tensor.js';
export type { Core64, TTTensorShape } from './tt_tensor.js';
export { ttMatrixSvd, ttSvd, ttSvdFloat64 } from './tt_svd.js';
export type {
  DenseMatrix,
  DenseTensor,
  TTMatrixSvdResult,
  TTSvdOptions,
  TTSvdResult,
  TTSvdResult64,
} from './tt_svd.js';
export { ttRound, ttRoundFloat64 } from './tt_round.js';
export type { TTRoundResult } from './tt_round.js';
