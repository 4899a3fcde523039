/** Test-only access to the committed reference vectors of the original implementation. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface RefArray {
  shape: number[];
  data: number[];
}

export const REFERENCE_FILE = fileURLToPath(
  new URL('../../../../reference/ttrnn-reference-vectors.json', import.meta.url),
);

let cache: Record<string, unknown> | undefined;

export function loadReference(): Record<string, unknown> {
  cache ??= JSON.parse(readFileSync(REFERENCE_FILE, 'utf8')) as Record<string, unknown>;
  return cache;
}
