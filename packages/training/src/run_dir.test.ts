import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsLog, RunDir, differingKeys, openRun, readMetrics } from './run_dir.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ttrnn-run-'));
  dirs.push(d);
  return d;
}

describe('openRun', () => {
  it('starts fresh, refuses to silently redo an interrupted run, and returns a finished result', () => {
    const path = join(tempDir(), 'run');
    const config = { model: 'lstm', lr: 0.01 };
    expect(openRun(path, config, { resume: false }).status).toBe('fresh');
    expect(() => openRun(path, config, { resume: false })).toThrow(/interrupted run; pass --resume/);
    expect(openRun(path, config, { resume: true }).status).toBe('resume');
    expect(() => openRun(path, { ...config, lr: 0.1 }, { resume: true })).toThrow(/another configuration \(differs in lr\)/);
    new RunDir(path).writeResult({ accuracy: 0.9 });
    const done = openRun<{ accuracy: number }>(path, config, { resume: false });
    expect(done.status === 'finished' && done.result.accuracy).toBe(0.9);
  });
  it('names nested differing keys', () => {
    expect(differingKeys({ a: 1, b: { c: 2, d: 3 } }, { a: 1, b: { c: 2, d: 4 }, e: 5 })).toEqual(['b.d', 'e']);
  });
});

describe('MetricsLog', () => {
  it('cuts the file back to the checkpoint’s lines, dropping a torn line', () => {
    const path = join(tempDir(), 'metrics.jsonl');
    const log = new MetricsLog(path, 0);
    for (let i = 0; i < 4; i++) log.append({ step: i });
    log.close();
    writeFileSync(path, readFileSync(path, 'utf8') + '{"step":4');
    const again = new MetricsLog(path, 2);
    again.append({ step: 2, again: true });
    again.close();
    expect(readMetrics(path)).toEqual([{ step: 0 }, { step: 1 }, { step: 2, again: true }]);
    expect(() => new MetricsLog(path, 9)).toThrow(/holds 3 complete lines, the checkpoint expects at least 9/);
  });
});
