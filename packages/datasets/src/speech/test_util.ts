// Test helpers for the speech tests (not exported from the package).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../test/fixtures/speech/', import.meta.url));

export interface SpeechReference {
  melFrequencies: number[];
  filterRows: number[];
  filters: number[][];
  melSpectrogram: { frames: number; nMels: number; data: number[] };
  speechMask: { flags: number[]; width: number; maxSilence: number; mask: number[] };
  speechMaskEven: { width: number; maxSilence: number; mask: number[] };
}

export function loadReference(): SpeechReference {
  return JSON.parse(readFileSync(`${FIXTURES}reference.json`, 'utf8')) as SpeechReference;
}

/** |a − e| ≤ atol + rtol·|e| elementwise; throws naming the first bad index. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol: number,
  what = 'value',
): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`${what}[${i}]: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
    }
  }
}
