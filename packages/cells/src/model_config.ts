/**
 * The JSON-able description of a model: everything needed to rebuild it
 * (with a seed) or to count its parameters.
 */
import type { ExtraCore } from '@ttrnn/tt';
import { CELL_KINDS, normalizeTTLayout } from './cell_factory.js';
import { PRODUCT_MODES } from './linear_map.js';
import type { ProductMode } from './linear_map.js';
import type { CellKind } from './recurrent_cell.js';
import { PATH_CHOICES } from './fast/path.js';
import type { PathChoice } from './fast/path.js';
import { checkpointChunk } from './rnn.js';
import { assertOneOf, assertPositiveInt, describe } from './validate.js';

export type TaskKind = 'classifier' | 'speaker';
export const TASK_KINDS: readonly TaskKind[] = ['classifier', 'speaker'];

export interface ModelTTConfig {
  /** d: number of cores of every TT matrix (the fused cell matrices get d + 1 with an extra gate core). */
  readonly cores: number;
  readonly rank: number;
  readonly extraCore: ExtraCore;
  /** One TT matrix per gate (the original's naive layout). */
  readonly naive: boolean;
}

export interface ModelConfig {
  /** 'classifier': last hidden state → head → log-softmax; 'speaker': → head → ReLU → L2 normalise. */
  readonly task: TaskKind;
  readonly cell: CellKind;
  /** null: dense cells and dense head. */
  readonly tt: ModelTTConfig | null;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly layers: number;
  /** Number of classes (classifier) or embedding size (speaker). */
  readonly outputSize: number;
  /** How TT products are computed (default 'auto'); it changes speed, never the numbers. */
  readonly mode?: ProductMode;
  /**
   * Which path runs the recurrent layers (default 'auto': the WebAssembly kernel on the wasm
   * backend, the plain tfjs equations elsewhere; fast/path.ts). Same numbers.
   */
  readonly path?: PathChoice;
  /**
   * Gradient checkpointing: steps per chunk, null or 0 off (the default). Long sequences
   * (784-step pixel MNIST) need it to train within the wasm heap. Same numbers.
   */
  readonly checkpoint?: number | null;
}

const KEYS = ['task', 'cell', 'tt', 'inputSize', 'hiddenSize', 'layers', 'outputSize', 'mode', 'path', 'checkpoint'];
/** Fields of configs saved by earlier versions, accepted and dropped ('backward': the fused LSTM backward's switch). */
const LEGACY_KEYS = ['backward'];

/**
 * Validates a config (errors name the field and `fn`); returns it normalised, with defaults
 * filled in (configs saved before `path` and `checkpoint` existed load with 'auto', null).
 */
export function validateModelConfig(config: unknown, fn = 'validateModelConfig'): Required<ModelConfig> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new Error(`'config' passed to '${fn}' must be an object, got ${describe(config)}`);
  }
  const c = config as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!KEYS.includes(key) && !LEGACY_KEYS.includes(key))
      throw new Error(`'config' passed to '${fn}' has an unknown field '${key}' (expected ${KEYS.join(', ')})`);
  }
  assertOneOf(c['task'], TASK_KINDS, 'config.task', fn);
  assertOneOf(c['cell'], CELL_KINDS, 'config.cell', fn);
  assertPositiveInt(c['inputSize'], 'config.inputSize', fn);
  assertPositiveInt(c['hiddenSize'], 'config.hiddenSize', fn);
  assertPositiveInt(c['layers'], 'config.layers', fn);
  assertPositiveInt(c['outputSize'], 'config.outputSize', fn);
  const mode = c['mode'] ?? 'auto';
  assertOneOf(mode, PRODUCT_MODES, 'config.mode', fn);
  const path = c['path'] ?? 'auto';
  assertOneOf(path, PATH_CHOICES, 'config.path', fn);
  const checkpoint = checkpointChunk(c['checkpoint'], 'config.checkpoint', fn);
  const tt = c['tt'] === null || c['tt'] === undefined ? null : normalizeTTLayout(c['tt'], fn, 'config.tt');
  return {
    task: c['task'],
    cell: c['cell'],
    tt,
    inputSize: c['inputSize'],
    hiddenSize: c['hiddenSize'],
    layers: c['layers'],
    outputSize: c['outputSize'],
    mode,
    path,
    checkpoint,
  };
}
