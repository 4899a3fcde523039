/**
 * `pnpm run exp worker --queue URL`: takes configurations from a queued sweep and trains them, each in a
 * worker process (worker_pool.ts) so that this process's event loop stays free to renew the job's lock.
 *
 * - A job's run directory comes from Redis (empty for a new configuration, the last checkpoint of an
 *   interrupted one) and goes back after every checkpoint and at the end.
 * - SIGTERM / SIGINT: the configurations in flight stop at their next step with a checkpoint, which is
 *   stored, and their jobs go back to the queue for another worker; then the process exits.
 * - A worker killed outright loses its lock; BullMQ's stalled-job check (every `stallSeconds`) gives the job
 *   to another worker, which continues from the last stored checkpoint.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { QUEUE_SCHEMA, bullConnection, connect, getFiles, jobProblem, putFiles, readMeta } from './queue.js';
import type { JobData } from './queue.js';
import { readRunDir, writeRunDir } from './run_files.js';
import { writeJsonAtomic } from './sweep.js';
import { WorkerPool } from './worker_pool.js';

export interface QueueWorkerOptions {
  readonly url: string;
  readonly queueName: string;
  /** Configurations trained at the same time (one worker process each). */
  readonly concurrency: number;
  /** Local copies of the run directories. */
  readonly workDir: string;
  /** Lock duration and stalled-job check interval, seconds. */
  readonly stallSeconds: number;
  readonly backend?: string;
  /** This machine's data directories (default: the coordinator's paths). */
  readonly dataDir?: string;
  readonly speakerDataDir?: string;
  readonly log: (m: string) => void;
}

/** Runs until SIGTERM / SIGINT; resolves with the exit code. */
export async function runQueueWorker(o: QueueWorkerOptions): Promise<number> {
  const redis = await connect(o.url);
  const meta = await readMeta(redis, o.queueName);
  if (meta !== null && meta.schema !== QUEUE_SCHEMA) {
    redis.disconnect();
    throw new Error(
      `queue '${o.queueName}' at ${o.url} holds a sweep of configuration schema ${meta.schema}; this worker reads schema ${QUEUE_SCHEMA}: run workers of the coordinator's version`,
    );
  }
  const pool = new WorkerPool(o.concurrency);
  const free = Array.from({ length: o.concurrency }, (_, i) => i);
  let stopping = false;

  const process_ = async (job: Job<JobData>, token?: string): Promise<{ outcome: unknown }> => {
    const problem = jobProblem(job);
    if (problem !== null) throw new UnrecoverableError(problem);
    const id = job.id!;
    const { config, run } = job.data;
    const runDir = join(o.workDir, run, id);
    rmSync(runDir, { recursive: true, force: true });
    const stored = await getFiles(redis, o.queueName, id);
    const resume = Object.keys(stored).length > 0;
    if (resume) writeRunDir(runDir, stored);
    else {
      mkdirSync(runDir, { recursive: true });
      await writeJsonAtomic(join(runDir, 'sweep_config.json'), config);
    }
    const dataDir =
      config.experiment === 'speaker' ? (o.speakerDataDir ?? job.data.dataDir) : (o.dataDir ?? job.data.dataDir);
    o.log(`${id}: ${resume ? 'resuming from the checkpoint stored in the queue' : 'starting'}`);
    const lane = free.shift()!;
    let uploads: Promise<void> = Promise.resolve();
    try {
      const outcome = await pool.run(
        lane,
        {
          config,
          id,
          runDir,
          resume,
          backend: o.backend ?? job.data.backend,
          shipCheckpoints: true,
          ...(dataDir !== undefined ? { dataDir } : {}),
        },
        {
          onCheckpoint: (snap) => {
            uploads = uploads.then(async () => {
              await putFiles(redis, o.queueName, id, readRunDir(snap));
              rmSync(snap, { recursive: true, force: true });
            });
          },
          onLog: o.log,
        },
      );
      await uploads;
      await putFiles(redis, o.queueName, id, readRunDir(runDir));
      return { outcome };
    } catch (err) {
      await uploads;
      if (!stopping) throw err;
      // Stopped by a signal: the child checkpointed before it exited; store that and hand the job back.
      await putFiles(redis, o.queueName, id, readRunDir(runDir));
      await job.moveToWait(token);
      o.log(`${id}: stopped; its checkpoint is stored and the configuration is back on the queue`);
      throw new WaitingError();
    } finally {
      free.push(lane);
    }
  };

  const worker = new Worker<JobData, { outcome: unknown }>(o.queueName, process_, {
    connection: bullConnection(o.url),
    concurrency: o.concurrency,
    lockDuration: o.stallSeconds * 1000,
    stalledInterval: o.stallSeconds * 1000,
    // A configuration whose workers keep dying is failed after this many stalls (then retried by a coordinator restart).
    maxStalledCount: 5,
  });
  // Logged once BullMQ has recorded the completion (a worker that lost its lock cannot complete the job).
  worker.on('completed', (job) => o.log(`${job.id}: finished`));
  worker.on('failed', (job, err) => o.log(`${job?.id ?? '?'}: failed: ${err.message}`));
  worker.on('error', (err) => o.log(`worker: ${err.message}`));
  o.log(
    `worker: waiting for configurations on queue '${o.queueName}' at ${o.url} (${o.concurrency} at a time; SIGTERM or Ctrl-C stops after a checkpoint)`,
  );

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      o.log('worker: stopping: checkpointing the configurations in flight');
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
}
