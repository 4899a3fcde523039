/** Test-only access to the committed reference vectors of the original implementation. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REFERENCE_FILE = fileURLToPath(
  new URL('../../../../reference/ttrnn-reference-vectors.json', import.meta.url),
);

let cache: Record<string, unknown> | undefined;

export function loadReference(): Record<string, unknown> {
  cache ??= JSON.parse(readFileSync(REFERENCE_FILE, 'utf8')) as Record<string, unknown>;
  return cache;
}

export type RefCase = Record<string, unknown> & {
  x: { shape: number[]; data: number[] };
  outputs: { shape: number[]; data: number[] };
  h_last: { shape: number[]; data: number[] };
  c_last: { shape: number[]; data: number[] } | null;
  step0_input_part: { shape: number[]; data: number[] };
  step0_hidden_part: { shape: number[]; data: number[] };
  loss_R: { shape: number[]; data: number[] };
  grads: Record<string, { shape: number[]; data: number[] }>;
  grad_x: { shape: number[]; data: number[] };
  param_names_in_order: string[];
  config: Record<string, unknown>;
  class: string;
};

export const RNN_CASES = [
  'ttlstm',
  'ttlstm_rank1_seed3',
  'ttlstm_extra_first',
  'ttlstm_extra_last',
  'ttlstm_naive',
  'ttgru',
] as const;
