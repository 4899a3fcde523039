import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeIoError, writeFileAtomic } from './atomic.js';
import type { ResumeIntent } from './run_dir.js';
import { MetricsLog, RUN_LOCK, RunDir, differingKeys, openRun, readMetrics } from './run_dir.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ttrnn-run-'));
  dirs.push(d);
  return d;
}
function listing(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch {
    return ['(missing)'];
  }
}

const CONFIG = { model: 'lstm', lr: 0.01 };

/** Directory layouts a user can leave behind, by the files they hold. */
const LAYOUTS: Record<string, ((path: string) => void) | null> = {
  missing: null,
  empty: (p) => mkdirSync(p),
  'other files only': (p) => {
    mkdirSync(p);
    writeFileSync(join(p, 'notes.txt'), 'mine');
  },
  'stale temporary only': (p) => {
    mkdirSync(p);
    writeFileSync(join(p, '.checkpoint.ckpt.tmp-999999999'), 'half');
  },
  interrupted: (p) => {
    mkdirSync(p);
    writeFileSync(join(p, 'config.json'), JSON.stringify(CONFIG));
    writeFileSync(join(p, 'checkpoint.ckpt'), 'x');
    writeFileSync(join(p, 'metrics.jsonl'), '{"step":1}\n');
  },
  finished: (p) => {
    mkdirSync(p);
    writeFileSync(join(p, 'config.json'), JSON.stringify(CONFIG));
    writeFileSync(join(p, 'checkpoint.ckpt'), 'x');
    writeFileSync(join(p, 'result.json'), JSON.stringify({ accuracy: 0.9 }));
  },
  'config.json deleted': (p) => {
    mkdirSync(p);
    writeFileSync(join(p, 'checkpoint.ckpt'), 'x');
    writeFileSync(join(p, 'metrics.jsonl'), '{"step":1}\n');
  },
  'checkpoint.ckpt deleted': (p) => {
    mkdirSync(p);
    writeFileSync(join(p, 'config.json'), JSON.stringify(CONFIG));
    writeFileSync(join(p, 'metrics.jsonl'), '{"step":1}\n');
  },
  'a file, not a directory': (p) => writeFileSync(p, 'x'),
};

type Want = 'fresh' | 'resume' | 'finished' | RegExp;
/** [layout, state, fresh start, --resume, auto] */
const TABLE: [string, string, Want, Want, Want][] = [
  ['missing', 'new', 'fresh', /nothing to resume: the directory does not exist; run without --resume/, 'fresh'],
  ['empty', 'new', 'fresh', /nothing to resume: the directory is empty/, 'fresh'],
  ['other files only', 'new', 'fresh', /nothing to resume: the directory holds no run files/, 'fresh'],
  ['stale temporary only', 'new', 'fresh', /nothing to resume/, 'fresh'],
  ['interrupted', 'interrupted', /holds an interrupted run; pass --resume/, 'resume', 'resume'],
  ['finished', 'finished', 'finished', 'finished', 'finished'],
  [
    'config.json deleted',
    'foreign',
    /not a run that can be started over: the directory holds metrics.jsonl, checkpoint.ckpt but no config.json; nothing was changed/,
    /not a run that can be resumed: .*but no config.json/,
    /but no config.json/,
  ],
  [
    'checkpoint.ckpt deleted',
    'foreign',
    /holds config.json but no checkpoint.ckpt \(a damaged run\)/,
    /not a run that can be resumed: the directory holds config.json but no checkpoint.ckpt/,
    /no checkpoint.ckpt/,
  ],
  [
    'a file, not a directory',
    'foreign',
    /the directory is not a directory/,
    /is not a directory/,
    /is not a directory/,
  ],
];

describe('openRun: the run-directory state machine', () => {
  for (const [layout, state, ...wants] of TABLE) {
    it(`${layout}: state ${state}; fresh → ${String(wants[0])}, --resume → ${String(wants[1])}, auto → ${String(wants[2])}`, () => {
      const intents: ResumeIntent[] = [false, true, 'auto'];
      intents.forEach((resume, i) => {
        const path = join(tempDir(), 'run');
        LAYOUTS[layout]?.(path);
        expect(new RunDir(path).state()).toBe(state);
        const before = listing(path);
        const want = wants[i] as Want;
        if (want instanceof RegExp) {
          expect(() => openRun(path, CONFIG, { resume })).toThrow(want);
        } else {
          expect(openRun(path, CONFIG, { resume }).status).toBe(want);
        }
        // Deciding never writes: whatever the outcome, the directory is as it was.
        expect(listing(path)).toEqual(before);
      });
    });
  }

  it('refuses a run with another configuration, naming the keys', () => {
    const path = join(tempDir(), 'run');
    LAYOUTS['interrupted']!(path);
    expect(() => openRun(path, { ...CONFIG, lr: 0.1 }, { resume: true })).toThrow(
      /another configuration \(differs in lr\)/,
    );
  });

  it('refuses a damaged result.json (`{}`, not an object) through the caller’s check, naming the file', () => {
    const path = join(tempDir(), 'run');
    LAYOUTS['finished']!(path);
    const check = (r: unknown): string | null =>
      typeof (r as { accuracy?: unknown }).accuracy === 'number' ? null : 'no accuracy';
    expect(openRun<{ accuracy: number }>(path, CONFIG, { resume: false, checkResult: check })).toMatchObject({
      result: { accuracy: 0.9 },
    });
    writeFileSync(join(path, 'result.json'), '{}');
    expect(() => openRun(path, CONFIG, { resume: false, checkResult: check })).toThrow(
      /result.json: not a usable run result: no accuracy; remove it and run again with --resume/,
    );
    writeFileSync(join(path, 'result.json'), '[1]');
    expect(() => openRun(path, CONFIG, { resume: false })).toThrow(
      /result.json: not a usable run result: expected a JSON object, got \[1\]/,
    );
  });

  it('names nested differing keys', () => {
    expect(differingKeys({ a: 1, b: { c: 2, d: 3 } }, { a: 1, b: { c: 2, d: 4 }, e: 5 })).toEqual(['b.d', 'e']);
  });
});

describe('RunDir.begin', () => {
  it('writes config.json last, cleans stale temporaries, and removes everything it made when it fails', () => {
    const root = tempDir();
    const path = join(root, 'a', 'b', 'run');
    const dir = new RunDir(path);
    expect(() =>
      dir.begin(CONFIG, () => {
        writeFileSync(dir.file('metrics'), '');
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(listing(root)).toEqual([]); // not even the parent directories it created
    expect(dir.state()).toBe('new');

    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, '.checkpoint.ckpt.tmp-999999999'), 'half');
    writeFileSync(join(path, `.config.json.tmp-${process.ppid}`), 'a live process’s');
    dir.begin(CONFIG, () => writeFileSync(dir.file('checkpoint'), 'x'))();
    expect(listing(path)).toEqual([`.config.json.tmp-${process.ppid}`, 'checkpoint.ckpt', 'config.json']);
    expect(dir.state()).toBe('interrupted');
    expect(() => dir.begin(CONFIG, () => undefined)).toThrow(
      /cannot start a run here: the directory holds an interrupted run/,
    );
  });

  it('names the path when the directory cannot be created (a file in the way)', () => {
    const root = tempDir();
    writeFileSync(join(root, 'file'), 'x');
    const dir = new RunDir(join(root, 'file', 'run'));
    expect(() => dir.begin(CONFIG, () => undefined)).toThrow(
      /file\/run: cannot (inspect|create) the run directory: a component of the path is not a directory \(ENOTDIR\)/,
    );
  });
});

describe('RunDir.lock: one process per run directory', () => {
  const lockOf = (pid: number, host = hostname()): string =>
    JSON.stringify({ pid, host, started: '2026-01-01T00:00:00.000Z' });
  /** The pid of a process that has exited. */
  const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid as number;

  it('refuses a second holder, naming the first; the release frees it; the directory stays `new`', () => {
    const path = tempDir();
    const dir = new RunDir(path);
    const release = dir.lock();
    expect(dir.state()).toBe('new');
    expect(() => dir.lock()).toThrow(`${path}: the run directory is in use by process ${process.pid} on ${hostname()}`);
    release();
    expect(listing(path)).toEqual([]);
    dir.lock()();
  });

  it('takes over the lock of a process that is gone, but not that of a live one or of another host', () => {
    const path = tempDir();
    const dir = new RunDir(path);
    writeFileSync(join(path, RUN_LOCK), lockOf(deadPid()));
    const release = dir.lock();
    expect(JSON.parse(readFileSync(join(path, RUN_LOCK), 'utf8'))).toMatchObject({ pid: process.pid });
    release();

    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(path, RUN_LOCK), lockOf(live.pid as number));
      expect(() => dir.lock()).toThrow(
        `in use by process ${live.pid} on ${hostname()} (since 2026-01-01T00:00:00.000Z)`,
      );
    } finally {
      live.kill();
    }
    writeFileSync(join(path, RUN_LOCK), lockOf(deadPid(), 'elsewhere'));
    expect(() => dir.lock()).toThrow(
      /in use by process \d+ on elsewhere .*remove .*\.lock if that process is no longer running/,
    );
    writeFileSync(join(path, RUN_LOCK), '');
    expect(() => dir.lock()).toThrow('in use by another process');
  });

  it('begin holds the lock until released, and a begin refused by another holder leaves its files alone', () => {
    const path = join(tempDir(), 'run');
    const dir = new RunDir(path);
    const release = dir.begin(CONFIG, () => writeFileSync(dir.file('checkpoint'), 'x'));
    expect(listing(path)).toEqual([RUN_LOCK, 'checkpoint.ckpt', 'config.json']);
    release();
    expect(listing(path)).toEqual(['checkpoint.ckpt', 'config.json']);

    const other = join(tempDir(), 'run');
    mkdirSync(other);
    writeFileSync(join(other, RUN_LOCK), lockOf(process.pid));
    const second = new RunDir(other);
    expect(() => second.begin(CONFIG, () => writeFileSync(second.file('metrics'), 'mine'))).toThrow(
      /in use by process/,
    );
    expect(listing(other)).toEqual([RUN_LOCK]);
  });
});

describe('I/O errors', () => {
  it.each([
    ['EROFS', 'read-only file system (EROFS)'],
    ['EACCES', 'permission denied (EACCES)'],
    ['ENOSPC', 'no space left on device (ENOSPC)'],
    ['EISDIR', 'is a directory, expected a file (EISDIR)'],
  ])('%s reads as %s', (code, words) => {
    expect(describeIoError(Object.assign(new Error('x'), { code }))).toBe(words);
  });
  it('writeFileAtomic names the target when it cannot write', () => {
    const root = tempDir();
    mkdirSync(join(root, 'target'));
    mkdirSync(join(root, '.target.tmp-' + process.pid)); // a directory where the temporary goes
    expect(() => writeFileAtomic(join(root, 'target'), 'x')).toThrow(
      /target: cannot write: is a directory, expected a file \(EISDIR\)/,
    );
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

  it.each([
    ['garbage', 'not json at all'],
    ['an array', '[1,2]'],
    ['an empty line', ''],
    ['a number', '42'],
  ])('refuses %s inside the kept lines, naming the line', (_what, bad) => {
    const path = join(tempDir(), 'metrics.jsonl');
    const text = `{"step":1}\n${bad}\n{"step":3}\n`;
    writeFileSync(path, text);
    expect(() => new MetricsLog(path, 3)).toThrow(
      /metrics.jsonl: line 2 is not a JSON object .*the metrics log is damaged/,
    );
    expect(readFileSync(path, 'utf8')).toBe(text); // left as it was
  });

  it('rewrites every record when the file is deleted mid-run, and says so', () => {
    const path = join(tempDir(), 'metrics.jsonl');
    const notices: string[] = [];
    const log = new MetricsLog(path, 0, (m) => notices.push(m));
    log.append({ step: 1 });
    log.append({ step: 2 });
    unlinkSync(path);
    log.append({ step: 3 });
    log.sync();
    unlinkSync(path);
    log.close();
    expect(readMetrics(path)).toEqual([{ step: 1 }, { step: 2 }, { step: 3 }]);
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(
      /metrics.jsonl was deleted or replaced during the run; rewrote its 2 records and continued/,
    );
  });
});
