/**
 * A queued sweep against a real redis-server (started here on a free port) with real worker processes on
 * real MNIST: the faults of a distributed sweep must lose nothing and compute nothing twice.
 * Tiny configurations (three of them, 4 epochs of 4 steps) keep each test within seconds of training.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { filesKey, metaKey } from './queue.js';
import type { Redis } from 'ioredis';
import type { Cli } from './test_util/cli.js';
import { killAll, runCli, runDirsDigest, startCli, tinySweep, waitFor, withoutTimes } from './test_util/cli.js';
import { HAS_REDIS, NO_REDIS_MESSAGE, TestRedis, freePort } from './test_util/redis.js';

const TINY = tinySweep(4, 512, 128);
const IDS = ['mnist-lstm', 'mnist-gru', 'mnist-ttlstm-c2-r1'];

if (!HAS_REDIS) console.warn(NO_REDIS_MESSAGE);

let dir: string;
let reference: { results: unknown; runs: Record<string, unknown> };
let redis: TestRedis;

/** `<id>: finished` lines of a worker's log. */
const finished = (log: string): string[] => [...log.matchAll(/^(\S+): finished$/gm)].map((m) => m[1]!);

/** A value without its 'reused' flags (which invocation or attempt trained a configuration). */
const noReuse = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v, (k, x: unknown) => (k === 'reused' ? undefined : x)));

/** The configuration a worker is training whose checkpoint is stored in Redis, or null. */
async function inFlightWithCheckpoint(r: Redis, worker: Cli): Promise<string | null> {
  const log = worker.stderr();
  for (const id of IDS) {
    if (!log.includes(`${id}: starting`) || finished(log).includes(id)) continue;
    if ((await r.hexists(filesKey('ttrnn', id), 'checkpoint.ckpt')) === 1) return id;
  }
  return null;
}

async function outcomeOf(run: string): Promise<{ results: unknown; runs: Record<string, unknown> }> {
  return {
    results: withoutTimes(JSON.parse(await readFile(join(dir, run, 'results.json'), 'utf8'))),
    runs: await runDirsDigest(join(dir, run, 'runs')),
  };
}

describe.skipIf(!HAS_REDIS)('a sweep on a BullMQ queue (real redis-server)', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ttrnn-queue-'));
    // The uninterrupted sweep in one process: what every queued sweep below must reproduce.
    const one = await runCli(['all', ...TINY, '--workers', '1', '--results-dir', dir, '--run', 'local']);
    expect(one.code, one.stderr).toBe(0);
    reference = await outcomeOf('local');
  }, 180_000);
  afterEach(async () => {
    killAll();
    await redis?.stop();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // SIGKILL: the worker dies mid-configuration and its lock expires; SIGTERM: it stops at a checkpoint, stores it
  // and hands the configuration back itself. Either way the next worker resumes from the stored checkpoint.
  it.each([
    ['survives a worker killed with SIGKILL mid-configuration', 'SIGKILL', 'killed'],
    ['hands a configuration back when its worker gets SIGTERM mid-configuration', 'SIGTERM', 'stopped'],
  ] as const)(
    '%s: same final metrics, no configuration finished twice',
    { timeout: 480_000 },
    async (_what, signal, run) => {
      redis = await TestRedis.start();
      const coordinator = startCli(['all', ...TINY, '--queue', redis.url, '--results-dir', dir, '--run', run]);
      // Short locks, so a dead worker's configuration comes back soon (not too short: a loaded machine delays renewals).
      const workerArgs = ['worker', '--queue', redis.url, '--stall-seconds', '5'];
      const first = startCli(workerArgs);
      const r = redis.client();
      // Stopped once a checkpoint of the configuration it trains is in Redis, i.e. in the middle of its training.
      let victim: string | null = null;
      await waitFor(
        async () => (victim = await inFlightWithCheckpoint(r, first)) !== null,
        'a stored checkpoint',
        600_000,
      );
      first.kill(signal);
      const f = await first.done;
      if (signal === 'SIGTERM') {
        expect(f.code, f.stderr).toBe(0);
        expect(f.stderr).toContain(
          `${victim!}: stopped; its checkpoint is stored and the configuration is back on the queue`,
        );
      }
      const second = startCli(workerArgs);
      const c = await coordinator.done;
      expect(c.code, c.stderr).toBe(0);
      expect(c.stderr).toContain(`start workers with \`pnpm run exp worker --queue ${redis.url}\``);
      second.kill('SIGTERM');
      const s = await second.done;
      r.disconnect();
      expect(s.stderr).toContain(`${victim!}: resuming from the checkpoint stored in the queue`);
      expect(finished(f.stderr)).not.toContain(victim);
      expect([...finished(f.stderr), ...finished(s.stderr)].sort()).toEqual([...IDS].sort());
      // 'reused' only says whether a worker found the run finished in its restored directory (a worker that lost
      // its lock on a loaded machine finishes the training, and the next attempt reads the result back).
      expect(noReuse(await outcomeOf(run))).toEqual(noReuse(reference));
    },
  );

  it(
    'loses and recomputes nothing when the coordinator is killed and restarted, and continues after a Redis restart',
    { timeout: 480_000 },
    async () => {
      redis = await TestRedis.start();
      // A queue of another name than the default: the coordinator's hint and the worker must name it.
      const queue = ['--queue', redis.url, '--queue-name', 'restarts'];
      const args = ['all', ...TINY, ...queue, '--results-dir', dir, '--run', 'restarts'];
      const coordinator = startCli(args);
      // A lock that outlasts the Redis restart below: the worker keeps its configuration.
      const worker = startCli(['worker', ...queue, '--stall-seconds', '20']);
      // Killed once it has written a result.
      await waitFor(
        () => IDS.some((id) => existsSync(join(dir, 'restarts', 'runs', id, 'outcome.json'))),
        'a result written by the coordinator',
      );
      coordinator.kill('SIGKILL');
      await coordinator.done;
      // Redis goes down mid-sweep (a configuration in flight) and comes back with what it persisted.
      await waitFor(
        () =>
          /: starting/.test(
            worker
              .stderr()
              .split(/finished\n/)
              .at(-1) ?? '',
          ),
        'the next configuration to start',
      );
      await redis.down();
      await new Promise((res) => setTimeout(res, 1000));
      await redis.up();
      const again = await runCli(args);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain(`start workers with \`pnpm run exp worker ${queue.join(' ')}\``);
      worker.kill('SIGTERM');
      const w = await worker.done;
      // Each configuration started and finished exactly once, on the one worker.
      expect(finished(w.stderr).sort()).toEqual([...IDS].sort());
      expect([...w.stderr.matchAll(/^(\S+): starting$/gm)].map((m) => m[1]).sort()).toEqual([...IDS].sort());
      const results = JSON.parse(await readFile(join(dir, 'restarts', 'results.json'), 'utf8')) as {
        invocations: { ran: number; reused: number }[];
      };
      // The first coordinator wrote results for at least the first configuration; the second read those back.
      expect(results.invocations.at(-1)!.reused).toBeGreaterThanOrEqual(1);
      // Equal to the uninterrupted sweep but for which invocation trained what ('reused').
      expect(noReuse(await outcomeOf('restarts'))).toEqual(noReuse(reference));
    },
  );

  it(
    'refuses bad input with a clear error: a malformed or unreachable URL, a queue of another sweep or of another schema',
    { timeout: 120_000 },
    async () => {
      redis = await TestRedis.start();
      const malformed = await runCli(['all', ...TINY, '--queue', 'http://localhost:6379', '--results-dir', dir]);
      expect(malformed.code).toBe(2);
      expect(malformed.stderr).toContain(
        "option --queue must be a redis:// or rediss:// URL, got 'http://localhost:6379'",
      );
      const port = await freePort();
      const unreachable = await runCli(['worker', '--queue', `redis://127.0.0.1:${port}`]);
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toContain(`cannot reach Redis at redis://127.0.0.1:${port}`);
      expect(unreachable.stderr).toContain('redis-server');
      const r = redis.client();
      await r.set(metaKey('ttrnn'), JSON.stringify({ schema: 1, run: 'someone-else', created: '2026-01-01' }));
      const other = await runCli(['all', ...TINY, '--queue', redis.url, '--results-dir', dir, '--run', 'mine']);
      expect(other.code).toBe(1);
      expect(other.stderr).toContain("holds the jobs of another sweep (run 'someone-else'");
      await r.set(metaKey('ttrnn'), JSON.stringify({ schema: 0, run: 'old', created: '2026-01-01' }));
      const old = await runCli(['worker', '--queue', redis.url]);
      expect(old.code).toBe(1);
      expect(old.stderr).toContain('holds a sweep of configuration schema 0; this worker reads schema 1');
      r.disconnect();
    },
  );
});
