/** Scaffolding of the training-run tests: temporary directories, a fake clock, records without timings. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** A maker of temporary directories (`ttrnn-<prefix>-…`), each removed after the test that made it. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), `ttrnn-${prefix}-`));
    dirs.push(d);
    return d;
  };
}

/** A monotonic clock that advances 7 ms a reading, so timings are reproducible. */
export function clock(): () => number {
  let t = 0;
  return () => (t += 7);
}

/** Metrics records without their wall-clock fields (what a resumed run may measure differently). */
export const withoutSeconds = (rows: Record<string, unknown>[]): Record<string, unknown>[] =>
  rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'seconds' && k !== 'evalSeconds')));
