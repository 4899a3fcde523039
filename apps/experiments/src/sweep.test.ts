import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from './report/results.js';
import { runSweep, sameJson } from './sweep.js';
import type { SweepOptions } from './sweep.js';

interface Cfg {
  name: string;
  size: number;
}
const configs: Cfg[] = [
  { name: 'a', size: 1 },
  { name: 'b', size: 2 },
  { name: 'c', size: 3 },
];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ttrnn-sweep-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A sweep of `cs` (default: the three configurations) in `dir`, ids by name. */
const sweep = <R>(
  runner: SweepOptions<Cfg, R>['runner'],
  more: Partial<SweepOptions<Cfg, R>> = {},
): Promise<RunRecord<Cfg, R>[]> => runSweep({ runsDir: dir, configs, id: (c) => c.name, runner, ...more });

describe('runSweep', () => {
  it('runs every configuration once, writes outcome.json per run and reports progress after each', async () => {
    const calls: string[] = [];
    const snapshots: string[][] = [];
    const entries = await sweep(
      async (c) => {
        calls.push(c.name);
        return { score: c.size * 10 };
      },
      { onProgress: (es) => void snapshots.push(es.map((e) => e.status)) },
    );
    expect(calls).toEqual(['a', 'b', 'c']);
    expect(entries.map((e) => e.outcome)).toEqual([{ score: 10 }, { score: 20 }, { score: 30 }]);
    // Once after reading back, then once after each configuration.
    expect(snapshots).toEqual([
      ['pending', 'pending', 'pending'],
      ['done', 'pending', 'pending'],
      ['done', 'done', 'pending'],
      ['done', 'done', 'done'],
    ]);
    expect(JSON.parse(await readFile(join(dir, 'b', 'outcome.json'), 'utf8'))).toEqual({ score: 20 });
    expect(JSON.parse(await readFile(join(dir, 'b', 'sweep_config.json'), 'utf8'))).toEqual(configs[1]);
  });

  it('runs `concurrency` configurations at a time, with one progress call at a time, entries in configuration order', async () => {
    const running = new Set<string>();
    let most = 0;
    let writing = false;
    const lanes: Record<string, number> = {};
    const four = [...configs, { name: 'd', size: 4 }];
    // Sizes decide how long each runner takes, so the finishing order differs from the configuration order.
    const entries = await sweep(
      async (c, ctx) => {
        running.add(c.name);
        most = Math.max(most, running.size);
        lanes[c.name] = ctx.lane;
        await new Promise((r) => setTimeout(r, c.size === 1 ? 40 : 5));
        running.delete(c.name);
        return { score: c.size };
      },
      {
        configs: four,
        concurrency: 2,
        onProgress: async () => {
          if (writing) throw new Error('two progress calls overlap');
          writing = true;
          await new Promise((r) => setTimeout(r, 10));
          writing = false;
        },
      },
    );
    expect(most).toBe(2);
    expect(entries.map((e) => [e.id, e.status, e.outcome])).toEqual(
      four.map((c) => [c.name, 'done', { score: c.size }]),
    );
    // 'a' (slow) holds lane 0 while lane 1 takes 'b', then 'c' (and 'd' after one of them).
    expect(lanes['a']).toBe(0);
    expect(lanes['b']).toBe(1);
    expect(lanes['c']).toBe(1);
  });

  it('reads finished configurations back instead of rerunning them, and resumes interrupted ones', async () => {
    await sweep(async (c) => ({ score: c.size }), { configs: configs.slice(0, 1) });
    // 'b' was interrupted: its directory holds sweep_config.json and a checkpoint, but no outcome.json.
    await mkdir(join(dir, 'b'), { recursive: true });
    await writeFile(join(dir, 'b', 'sweep_config.json'), JSON.stringify(configs[1]));
    await writeFile(join(dir, 'b', 'checkpoint.json'), '{"epoch":1}');
    const calls: { name: string; resume: boolean; checkpoint: string }[] = [];
    const entries = await sweep(async (c, ctx) => {
      const checkpoint = await readFile(join(ctx.runDir, 'checkpoint.json'), 'utf8').catch(() => 'none');
      calls.push({ name: c.name, resume: ctx.resume, checkpoint });
      return { score: c.size * 100 };
    });
    expect(calls).toEqual([
      { name: 'b', resume: true, checkpoint: '{"epoch":1}' },
      { name: 'c', resume: false, checkpoint: 'none' },
    ]);
    expect(entries[0]).toMatchObject({ id: 'a', status: 'done', reused: true, outcome: { score: 1 } });
    expect(entries[1]).toMatchObject({ id: 'b', status: 'done', reused: false });
  });

  it('records a failure, keeps going, and reruns only the failed configuration next time', async () => {
    const first = await sweep(async (c) => {
      if (c.name === 'b') throw new Error('out of memory');
      return { score: c.size };
    });
    expect(first.map((e) => e.status)).toEqual(['done', 'failed', 'done']);
    expect(first[1]!.error).toBe('out of memory');
    const calls: string[] = [];
    await sweep(async (c) => {
      calls.push(c.name);
      return { score: c.size };
    });
    expect(calls).toEqual(['b']);
  });

  it('refuses to reuse a directory made for a different configuration, before running anything', async () => {
    await sweep(async (c) => ({ score: c.size }));
    const calls: string[] = [];
    const changed = [configs[0]!, { name: 'b', size: 99 }];
    await expect(
      sweep(
        async (c) => {
          calls.push(c.name);
          return {};
        },
        { configs: changed },
      ),
    ).rejects.toThrow(/b[/\\]sweep_config\.json holds a different configuration.*--run NAME/);
    expect(calls).toEqual([]);
    expect(JSON.parse(await readFile(join(dir, 'b', 'outcome.json'), 'utf8'))).toEqual({ score: 2 });
  });

  it('rejects duplicate and unsafe ids', async () => {
    const run = (cs: Cfg[]) => sweep(async () => ({}), { configs: cs });
    await expect(run([configs[0]!, configs[0]!])).rejects.toThrow(/share the id 'a'/);
    await expect(run([{ name: '../x', size: 1 }])).rejects.toThrow(/not a safe directory name/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('sameJson', () => {
  it('ignores key order and undefined fields but not values', () => {
    expect(sameJson({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1, d: undefined })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
  });
});
