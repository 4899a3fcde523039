export { autoShape, primeFactors } from './auto_shape.js';
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
