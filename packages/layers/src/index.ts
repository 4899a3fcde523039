export { CellLayer, DenseGRU, DenseLSTM, TTGRU, TTLSTM, denseGru, denseLstm, ttGru, ttLstm } from './recurrent.js';
export type { RecurrentLayerArgs, TTRecurrentLayerArgs } from './recurrent.js';
export {
  CellStep,
  DenseGRUCell,
  DenseLSTMCell,
  TTGRUCell,
  TTLSTMCell,
  denseGruCell,
  denseLstmCell,
  ttGruCell,
  ttLstmCell,
} from './rnn_cell.js';
export type { RNNCellArgs, TTRNNCellArgs } from './rnn_cell.js';
export { TTDense, ttDense } from './tt_dense.js';
export type { TTDenseArgs } from './tt_dense.js';
export { toLayersModel } from './convert.js';
