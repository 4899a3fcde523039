/**
 * A sweep over a BullMQ queue (Redis): the coordinator (`exp all --queue URL`) adds one job per configuration
 * with the configuration id as job id, so a configuration is queued once however often the coordinator
 * starts; workers (`exp worker --queue URL`, commands/worker.ts) on any machine take jobs, train, and report back.
 * BullMQ does the scheduling: a worker's lock on its job is renewed while it trains, and a worker that dies
 * (SIGKILL, power) loses the lock, so its job goes back to the queue (stalled-job detection) for another worker.
 *
 * The coordinator's runner of a configuration resolves when a worker has finished it, after the worker's run
 * directory has been copied into the coordinator's `runs/<id>/`. The sweep around it (sweep.ts) writes
 * outcome.json, results.json and the report as results arrive, so a restarted coordinator reads finished
 * configurations back, and finds those that finished while it was away on the queue: nothing is recomputed.
 * It polls job states (one request per job and second) rather than listening to queue events: polling
 * survives a Redis restart without missing an event.
 *
 * Beside BullMQ's own keys, under `ttrnn:<queue>:`:
 *   sweep           JSON {schema, run}: which sweep owns the queue (another run's coordinator is refused)
 *   files:<id>      hash file name → bytes: the configuration's run directory, replaced after every
 *                   checkpoint, so an interrupted configuration continues elsewhere from its last checkpoint
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { UsageError } from './args.js';
import type { ExperimentConfig } from './profiles.js';
import { readRunDir, writeRunDir } from './run_files.js';
import { sameJson } from './sweep.js';
import type { WorkerTask } from './worker_pool.js';

/**
 * The version of what a job holds (the configuration's fields and their meaning). A worker refuses jobs of
 * another schema: it would train something other than what the coordinator asked for.
 */
export const QUEUE_SCHEMA = 1;
export const DEFAULT_QUEUE_NAME = 'ttrnn';

export interface JobData {
  readonly schema: number;
  readonly run: string;
  readonly config: ExperimentConfig;
  readonly backend: string;
  readonly dataDir?: string;
}

export interface SweepMeta {
  readonly schema: number;
  readonly run: string;
  readonly created: string;
}

/** Checks a queue URL (`redis://HOST:PORT[/DB]`); the error names the option. */
export function parseQueueUrl(raw: string): string {
  const bad = (why: string): UsageError => new UsageError(`option --queue${why}, got '${raw}'`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad(' must be a Redis URL like redis://HOST:PORT');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw bad(' must be a redis:// or rediss:// URL');
  if (url.hostname === '') throw bad(' names no host');
  if (url.port !== '' && !(Number(url.port) > 0 && Number(url.port) < 65536)) throw bad(' has an impossible port');
  if (url.pathname !== '' && url.pathname !== '/' && !/^\/\d+$/.test(url.pathname))
    throw bad(': the path of a Redis URL is a database number (/0)');
  return raw;
}

/** A Redis client that fails fast on the first connection (a clear error) and reconnects forever afterwards. */
export async function connect(url: string): Promise<Redis> {
  let connected = false;
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    connectTimeout: 5000,
    retryStrategy: (times) => (connected ? Math.min(times * 200, 2000) : null),
  });
  // Errors while reconnecting are reported by the calls that wait for the connection.
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(
      `cannot reach Redis at ${url} (${(err as Error).message}); start one with \`redis-server --port 6379 --appendonly yes\` ` +
        `(Debian package redis-server) or pass the right --queue URL`,
    );
  }
  connected = true;
  return redis;
}

/** BullMQ's connection options for a URL (its own clients, reconnecting forever). */
export const bullConnection = (url: string) => ({ url, maxRetriesPerRequest: null, enableOfflineQueue: true });

export const metaKey = (queue: string): string => `ttrnn:${queue}:sweep`;
export const filesKey = (queue: string, id: string): string => `ttrnn:${queue}:files:${id}`;

/** The sweep that owns the queue, or null. */
export async function readMeta(redis: Redis, queue: string): Promise<SweepMeta | null> {
  const raw = await redis.get(metaKey(queue));
  return raw === null ? null : (JSON.parse(raw) as SweepMeta);
}

/** Replaces the stored run directory of a configuration with the files of `dir`. */
export async function putRunDir(redis: Redis, queue: string, id: string, dir: string): Promise<void> {
  const key = filesKey(queue, id);
  await redis.multi().del(key).hset(key, readRunDir(dir)).exec();
}

/** Writes the stored run directory of a configuration into `dir`; resolves to false when none is stored. */
export async function getRunDir(redis: Redis, queue: string, id: string, dir: string): Promise<boolean> {
  const files = await redis.hgetallBuffer(filesKey(queue, id));
  writeRunDir(dir, files);
  return Object.keys(files).length > 0;
}

/** Claims the queue for sweep `run`; each `run(task)` queues a configuration (once) and resolves to its outcome. */
export async function startQueueCoordinator(o: {
  readonly url: string;
  readonly name: string;
  readonly run: string;
  readonly clear: boolean;
  readonly log: (m: string) => void;
}) {
  const redis = await connect(o.url);
  // Claim the queue for this sweep, or refuse when it belongs to another (another run, another schema).
  try {
    if (o.clear) {
      // Everything of the queue: its jobs, stored run directories and owner.
      const q = new Queue(o.name, { connection: bullConnection(o.url) });
      await q.obliterate({ force: true }).finally(() => q.close());
      const stale = await redis.keys(`ttrnn:${o.name}:*`);
      if (stale.length > 0) await redis.del(...stale);
    }
    const meta: SweepMeta = { schema: QUEUE_SCHEMA, run: o.run, created: new Date().toISOString() };
    let owner: SweepMeta | null = null;
    // The owner may be deleted between the two requests (by a --queue-clear): then claim again.
    while ((await redis.set(metaKey(o.name), JSON.stringify(meta), 'NX')) !== 'OK')
      if ((owner = await readMeta(redis, o.name)) !== null) break;
    if (owner !== null && owner.schema !== QUEUE_SCHEMA) {
      throw new Error(
        `queue '${o.name}' at ${o.url} was filled by a coordinator of configuration schema ${owner.schema}; this version writes schema ${QUEUE_SCHEMA}: ` +
          `finish that sweep with its own version, or start over with --queue-clear`,
      );
    }
    if (owner !== null && owner.run !== o.run) {
      throw new Error(
        `queue '${o.name}' at ${o.url} holds the jobs of another sweep (run '${owner.run}', started ${owner.created}); ` +
          `give this one its own queue with --queue-name NAME, or delete the other sweep's jobs with --queue-clear`,
      );
    }
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const queue = new Queue<JobData>(o.name, { connection: bullConnection(o.url) });
  const started = Date.now();
  let closed = false;
  return {
    async run({ id, runDir, ...task }: WorkerTask): Promise<unknown> {
      const data: JobData = { schema: QUEUE_SCHEMA, run: o.run, ...task };
      // An existing job of this id (a restarted coordinator) is returned as it is, never added twice.
      const added = await queue.add(id, data, {
        jobId: id,
        // For a job whose worker reported an error (a killed worker's job is retried by stall detection).
        attempts: 3,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: false,
        removeOnFail: false,
      });
      if (!sameJson(added.data.config, task.config)) {
        throw new Error(
          `queue '${o.name}': job '${id}' holds another configuration than this sweep's; start over with --queue-clear`,
        );
      }
      for (;;) {
        if (closed) throw new Error(`${id}: the coordinator stopped before the configuration finished`);
        const job = await Job.fromId<JobData, { outcome: unknown }>(queue, id);
        if (job === undefined) throw new Error(`queue '${o.name}': job '${id}' disappeared from the queue`);
        const state = await job.getState();
        if (state === 'completed') {
          await getRunDir(redis, o.name, id, runDir);
          const outcome = job.returnvalue.outcome;
          // The worker's own path of the run directory means nothing here.
          return outcome !== null && typeof outcome === 'object' && 'runDir' in outcome
            ? { ...outcome, runDir }
            : outcome;
        }
        if (state === 'failed') {
          // Failed before this invocation: retried, like a failed configuration of a local sweep.
          if ((job.finishedOn ?? 0) < started) {
            o.log(`${id}: failed in an earlier invocation (${job.failedReason}); retrying`);
            await job.retry('failed');
            continue;
          }
          throw new Error(job.failedReason || `${id}: failed on a worker`);
        }
        await sleep(1000);
      }
    },
    async close(): Promise<void> {
      closed = true;
      await queue.close();
      redis.disconnect();
    },
  };
}
