/**
 * `pnpm run exp parity --vectors FILE [--json]`: checks this implementation against any file in the
 * reference-vector format of the original (reference/ttrnn-reference-vectors.json) with the cells package's
 * checker (`checkReferenceVectors`, which recognises cases by their content), and prints, per case, the largest
 * absolute error. Exit code 1 when an output differs by more than 1e-5, a gradient by more than 1e-4, or a case
 * cannot be parsed or is of an unknown kind (never skipped in silence).
 */
import { readFileSync } from 'node:fs';
import { BACKEND_NAMES, initBackend } from '@ttrnn/backend';
import { REFERENCE_TOLERANCES, checkReferenceVectors, recogniseReferenceCase } from '@ttrnn/cells';
import type { ReferenceCaseResult as CaseResult } from '@ttrnn/cells';
import { UsageError } from '../args.js';
import { defineCommand } from '../command.js';

const { output: OUTPUT_TOLERANCE, gradient: GRADIENT_TOLERANCE } = REFERENCE_TOLERANCES;

/** Checks every case of a parsed reference document, warning of a case that left tensors behind. */
export function runParity(doc: unknown): Promise<CaseResult[]> {
  return checkReferenceVectors(doc, {
    onLeak: (name, n) => process.emitWarning(`parity: case '${name}' left ${n} tensors`),
  });
}

function fmt(v: number): string {
  return Number.isNaN(v) ? '-' : v === 0 ? '0' : v.toExponential(2);
}

export function formatResults(file: string, results: readonly CaseResult[]): string {
  const width = Math.max(4, ...results.map((r) => r.name.length));
  const lines = [
    `Parity against ${file} (tolerances: outputs ${OUTPUT_TOLERANCE}, gradients ${GRADIENT_TOLERANCE})`,
    '',
    `${'case'.padEnd(width)}  ${'kind'.padEnd(10)}  ${'max |Δ| out'.padStart(11)}  ${'max |Δ| grad'.padStart(12)}  status`,
  ];
  for (const r of results) {
    const status = r.kind === 'meta' ? 'info' : r.ok ? 'ok' : 'FAIL';
    const msg = r.message !== undefined ? `  ${r.message}` : '';
    lines.push(
      `${r.name.padEnd(width)}  ${r.kind.padEnd(10)}  ${fmt(r.outputError).padStart(11)}  ${fmt(r.gradientError).padStart(12)}  ${status}${msg}`,
    );
    if (!r.ok) {
      for (const [k, v] of Object.entries(r.details)) {
        if (k.startsWith('info:')) continue;
        const tol = k.startsWith('out:') ? OUTPUT_TOLERANCE : GRADIENT_TOLERANCE;
        if (!(v <= tol)) lines.push(`${''.padEnd(width)}    ${k}: ${fmt(v)} > ${tol}`);
      }
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  lines.push('', failed === 0 ? `all ${results.length} cases agree` : `${failed} of ${results.length} cases FAILED`);
  return lines.join('\n');
}

const OPTIONS = {
  vectors: { kind: 'path', description: 'reference-vector file (JSON) to check against' },
  backend: { kind: 'string', description: 'TensorFlow.js backend', choices: BACKEND_NAMES, default: 'wasm' },
  json: { kind: 'flag', description: 'print one JSON object on stdout and nothing else' },
} as const;

export const parityCommand = defineCommand({
  name: 'parity',
  summary: 'check the cells against reference vectors of the original (max abs error per case)',
  options: OPTIONS,
  async run(options) {
    const file = options['vectors'];
    if (typeof file !== 'string') throw new UsageError(`option --vectors of 'parity' is required`);
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file}: expected a JSON reference-vector file: ${(err as Error).message}`);
    }
    // A file with no case of a known kind is not a vector file at all: say so instead of "1 of 1 FAILED".
    const isObject = typeof doc === 'object' && doc !== null && !Array.isArray(doc);
    const kinds = isObject
      ? Object.entries(doc as object).map(([name, value]) => recogniseReferenceCase(name, value))
      : [];
    if (!kinds.some((k) => k !== 'unknown' && k !== 'meta')) {
      const got = !isObject
        ? Array.isArray(doc)
          ? 'an array'
          : `a JSON ${doc === null ? 'null' : typeof doc}`
        : `an object whose ${kinds.length} entries are none of them`;
      throw new Error(
        `${file}: not a reference-vector file: expected a JSON object of cases (autoShape lists, TT matmuls, recurrent layers, classifiers, as in reference/ttrnn-reference-vectors.json), got ${got}`,
      );
    }
    const backend = await initBackend(options['backend'] as string);
    const results = await runParity(doc);
    const ok = results.every((r) => r.ok);
    if (options['json'] === true) {
      const clean = (v: number): number | null => (Number.isFinite(v) ? v : null);
      console.log(
        JSON.stringify({
          file,
          backend,
          tolerances: { output: OUTPUT_TOLERANCE, gradient: GRADIENT_TOLERANCE },
          ok,
          cases: results.map((r) => ({
            ...r,
            outputError: clean(r.outputError),
            gradientError: clean(r.gradientError),
            details: Object.fromEntries(
              Object.entries(r.details).map(([k, v]) => [k, Number.isFinite(v) ? v : String(v)]),
            ),
          })),
        }),
      );
    } else {
      console.log(formatResults(file, results));
    }
    return ok ? 0 : 1;
  },
});
