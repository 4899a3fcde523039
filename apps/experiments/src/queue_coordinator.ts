/**
 * The coordinator's side of a queued sweep: each configuration becomes a job (job id = configuration id),
 * and its runner resolves when a worker has finished it, after the worker's run directory has been copied
 * into the coordinator's `runs/<id>/`. The sweep around it (sweep.ts) writes outcome.json, results.json and
 * the report as results arrive, so a restarted coordinator reads finished configurations back, and finds
 * those that finished while it was away on the queue: nothing is recomputed.
 *
 * The coordinator polls job states (one request per job and second) rather than listening to queue events:
 * polling survives a Redis restart without missing an event.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Job, Queue } from 'bullmq';
import type { ExperimentConfig } from './profiles.js';
import { QUEUE_SCHEMA, bullConnection, claimQueue, connect, getFiles } from './queue.js';
import type { JobData } from './queue.js';
import { writeRunDir } from './run_files.js';
import { sameJson } from './sweep.js';

/** Attempts of a job whose worker reported an error (a killed worker's job is retried by stall detection). */
const ATTEMPTS = 3;

export interface QueueCoordinator {
  /** Queues a configuration (once) and resolves to its outcome when a worker finished it. */
  run(
    config: ExperimentConfig,
    ctx: { readonly id: string; readonly runDir: string; readonly backend: string; readonly dataDir?: string },
  ): Promise<unknown>;
  close(): Promise<void>;
}

export async function startQueueCoordinator(o: {
  readonly url: string;
  readonly queueName: string;
  readonly run: string;
  readonly clear: boolean;
  readonly log: (m: string) => void;
  readonly pollMs?: number;
}): Promise<QueueCoordinator> {
  const redis = await connect(o.url);
  try {
    await claimQueue(redis, o.url, o.queueName, o.run, { clear: o.clear, now: new Date().toISOString() });
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const queue = new Queue<JobData>(o.queueName, { connection: bullConnection(o.url) });
  const started = Date.now();
  let closed = false;
  return {
    async run(config, ctx) {
      const data: JobData = {
        schema: QUEUE_SCHEMA,
        run: o.run,
        config,
        backend: ctx.backend,
        ...(ctx.dataDir !== undefined ? { dataDir: ctx.dataDir } : {}),
      };
      // An existing job of this id (a restarted coordinator) is returned as it is, never added twice.
      const added = await queue.add(ctx.id, data, {
        jobId: ctx.id,
        attempts: ATTEMPTS,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: false,
        removeOnFail: false,
      });
      if (!sameJson(added.data.config, config)) {
        throw new Error(
          `queue '${o.queueName}': job '${ctx.id}' holds another configuration than this sweep's; start over with --queue-clear`,
        );
      }
      for (;;) {
        if (closed) throw new Error(`${ctx.id}: the coordinator stopped before the configuration finished`);
        const job = await Job.fromId<JobData, { outcome: unknown }>(queue, ctx.id);
        if (job === undefined) throw new Error(`queue '${o.queueName}': job '${ctx.id}' disappeared from the queue`);
        const state = await job.getState();
        if (state === 'completed') {
          writeRunDir(ctx.runDir, await getFiles(redis, o.queueName, ctx.id));
          const outcome = job.returnvalue.outcome;
          // The worker's own path of the run directory means nothing here.
          return outcome !== null && typeof outcome === 'object' && 'runDir' in outcome
            ? { ...outcome, runDir: ctx.runDir }
            : outcome;
        }
        if (state === 'failed') {
          // Failed before this invocation: retried, like a failed configuration of a local sweep.
          if ((job.finishedOn ?? 0) < started) {
            o.log(`${ctx.id}: failed in an earlier invocation (${job.failedReason}); retrying`);
            await job.retry('failed');
            continue;
          }
          throw new Error(job.failedReason || `${ctx.id}: failed on a worker`);
        }
        await sleep(o.pollMs ?? 1000);
      }
    },
    async close() {
      closed = true;
      await queue.close();
      redis.disconnect();
    },
  };
}
