/**
 * Test-only access to the committed reference vectors of the original implementation
 * (reference/ttrnn-reference-vectors.json at the repository root), read once per test process.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REFERENCE_FILE = fileURLToPath(
  new URL('../../../reference/ttrnn-reference-vectors.json', import.meta.url),
);

export interface RefArray {
  shape: number[];
  data: number[];
}

/** A one-layer recurrent case: input, outputs, states, loss weights and gradients of the original. */
export type RefCase = Record<string, unknown> & {
  class: string;
  config: Record<string, unknown>;
  x: RefArray;
  outputs: RefArray;
  h_last: RefArray;
  c_last: RefArray | null;
  step0_input_part: RefArray;
  step0_hidden_part: RefArray;
  loss_R: RefArray;
  grads: Record<string, RefArray>;
  grad_x: RefArray;
  param_names_in_order: string[];
};

/** The one-layer TT-LSTM / TT-GRU cases, one per layout. */
export const RNN_CASES = [
  'ttlstm',
  'ttlstm_rank1_seed3',
  'ttlstm_extra_first',
  'ttlstm_extra_last',
  'ttlstm_naive',
  'ttgru',
] as const;

let cache: Record<string, unknown> | undefined;

export function loadReference(): Record<string, unknown> {
  cache ??= JSON.parse(readFileSync(REFERENCE_FILE, 'utf8')) as Record<string, unknown>;
  return cache;
}

export function referenceCase<T = RefCase>(name: string): T {
  const c = loadReference()[name];
  if (c === undefined) throw new Error(`${REFERENCE_FILE}: no case '${name}'`);
  return c as T;
}
