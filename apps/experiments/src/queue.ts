/**
 * A sweep over a BullMQ queue (Redis): the coordinator (`exp all --queue URL`) adds one job per configuration
 * with the configuration id as job id, so a configuration is queued once however often the coordinator
 * starts; workers (`exp worker --queue URL`) on any machine take jobs, train, and report back. BullMQ does the
 * scheduling: a worker's lock on its job is renewed while it trains, and a worker that dies (SIGKILL, power)
 * loses the lock, so its job goes back to the queue (stalled-job detection) for another worker.
 *
 * Beside BullMQ's own keys, under `ttrnn:<queue>:`:
 *   sweep           JSON {schema, run}: which sweep owns the queue (another run's coordinator is refused)
 *   files:<id>      hash file name → bytes: the configuration's run directory, replaced after every
 *                   checkpoint, so an interrupted configuration continues elsewhere from its last checkpoint
 */
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import type { Job } from 'bullmq';
import type { ExperimentConfig } from './profiles.js';

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
export function parseQueueUrl(raw: string, option = '--queue'): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`option ${option} must be a Redis URL like redis://HOST:PORT, got '${raw}'`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new Error(`option ${option} must be a redis:// or rediss:// URL, got '${raw}'`);
  if (url.hostname === '') throw new Error(`option ${option} names no host, got '${raw}'`);
  if (url.port !== '' && !(Number(url.port) > 0 && Number(url.port) < 65536))
    throw new Error(`option ${option} has an impossible port, got '${raw}'`);
  if (url.pathname !== '' && url.pathname !== '/' && !/^\/\d+$/.test(url.pathname))
    throw new Error(`option ${option}: the path of a Redis URL is a database number (/0), got '${raw}'`);
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
export function bullConnection(url: string): { url: string; maxRetriesPerRequest: null; enableOfflineQueue: true } {
  return { url, maxRetriesPerRequest: null, enableOfflineQueue: true };
}

export const metaKey = (queue: string): string => `ttrnn:${queue}:sweep`;
export const filesKey = (queue: string, id: string): string => `ttrnn:${queue}:files:${id}`;

/** The sweep that owns the queue, or null. */
export async function readMeta(redis: Redis, queue: string): Promise<SweepMeta | null> {
  const raw = await redis.get(metaKey(queue));
  return raw === null ? null : (JSON.parse(raw) as SweepMeta);
}

/** Replaces the stored run directory of a configuration. */
export async function putFiles(
  redis: Redis,
  queue: string,
  id: string,
  files: Readonly<Record<string, Uint8Array>>,
): Promise<void> {
  const key = filesKey(queue, id);
  await redis
    .multi()
    .del(key)
    .hset(key, Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)])))
    .exec();
}

export async function getFiles(redis: Redis, queue: string, id: string): Promise<Record<string, Uint8Array>> {
  const h = await redis.hgetallBuffer(filesKey(queue, id));
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, new Uint8Array(v)]));
}

/**
 * Claims the queue for a sweep, or throws when it belongs to another (another run, another schema).
 * `clear` first deletes everything of the queue (its jobs, stored run directories and owner).
 */
export async function claimQueue(
  redis: Redis,
  url: string,
  queueName: string,
  run: string,
  options: { clear: boolean; now: string },
): Promise<void> {
  if (options.clear) {
    const q = new Queue(queueName, { connection: bullConnection(url) });
    try {
      await q.obliterate({ force: true });
    } finally {
      await q.close();
    }
    const stale = await redis.keys(`ttrnn:${queueName}:*`);
    if (stale.length > 0) await redis.del(...stale);
  }
  const meta: SweepMeta = { schema: QUEUE_SCHEMA, run, created: options.now };
  if ((await redis.set(metaKey(queueName), JSON.stringify(meta), 'NX')) === 'OK') return;
  const owner = await readMeta(redis, queueName);
  if (owner === null) return claimQueue(redis, url, queueName, run, { ...options, clear: false });
  if (owner.schema !== QUEUE_SCHEMA) {
    throw new Error(
      `queue '${queueName}' at ${url} was filled by a coordinator of configuration schema ${owner.schema}; this version writes schema ${QUEUE_SCHEMA}: ` +
        `finish that sweep with its own version, or start over with --queue-clear`,
    );
  }
  if (owner.run !== run) {
    throw new Error(
      `queue '${queueName}' at ${url} holds the jobs of another sweep (run '${owner.run}', started ${owner.created}); ` +
        `give this one its own queue with --queue-name NAME, or delete the other sweep's jobs with --queue-clear`,
    );
  }
}

/** Why a job is unusable by this version, or null. */
export function jobProblem(job: Job<JobData>): string | null {
  const d = job.data;
  if (d?.schema !== QUEUE_SCHEMA) {
    return `job '${job.id}' holds a configuration of schema ${String(d?.schema)}, this worker reads schema ${QUEUE_SCHEMA}: run workers of the coordinator's version`;
  }
  return null;
}
