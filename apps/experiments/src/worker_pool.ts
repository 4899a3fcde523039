/**
 * Worker processes for a sweep: one child process per lane, each with its own TensorFlow.js backend
 * (tfjs-backend-wasm runs one thread in Node, so more cores need more processes; the recurrent kernels' own
 * threads are divided between the processes). A child is started on
 * first use, initialises its backend once and then trains configuration after configuration; it writes only
 * inside the run directory it is given, and sends the outcome back. Results files are written by the parent.
 *
 * Messages (structured clone, so NaN and byte arrays survive):
 *   parent → child  { type: 'run', task }                      one configuration
 *   child → parent  { type: 'status', text }                   the trainer's latest progress line
 *                   { type: 'log', text }                      a line of its own (epoch summary)
 *                   { type: 'checkpoint', dir }                a copy of the run directory after a checkpoint (when asked)
 *                   { type: 'done', outcome } | { type: 'failed', error }
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ExperimentConfig } from './profiles.js';

/** One configuration for a worker process: everything is plain data. */
export interface WorkerTask {
  readonly config: ExperimentConfig;
  readonly id: string;
  readonly runDir: string;
  readonly resume: boolean;
  readonly backend: string;
  readonly dataDir?: string;
  /** Copy the run directory after every checkpoint and send the copy's path (the queue worker ships it to Redis). */
  readonly shipCheckpoints?: boolean;
}

export type ChildMessage =
  | { readonly type: 'status'; readonly text: string }
  | { readonly type: 'log'; readonly text: string }
  | { readonly type: 'checkpoint'; readonly dir: string }
  | { readonly type: 'done'; readonly outcome: unknown }
  | { readonly type: 'failed'; readonly error: string };

export interface TaskEvents {
  readonly onStatus?: (text: string) => void;
  readonly onLog?: (text: string) => void;
  /** A copy of the run directory after a checkpoint; the handler owns (and removes) it. */
  readonly onCheckpoint?: (dir: string) => void;
}

/** The child's entry file next to this one (.ts under tsx, .js when built). */
function childEntry(): string {
  const self = fileURLToPath(import.meta.url);
  return self.replace(/worker_pool\.(ts|js)$/, 'worker_child.$1');
}

/** A child process that runs one task at a time; a crash rejects the task in flight. */
export class WorkerProcess {
  private child: ChildProcess | null = null;

  /** `kernelThreads`: threads of the recurrent kernels in this child (TTRNN_THREADS of its environment). */
  constructor(private readonly kernelThreads?: number) {}

  /** Runs one configuration in the child (started on first use); resolves to its outcome. */
  run(task: WorkerTask, events: TaskEvents = {}): Promise<unknown> {
    const child = (this.child ??= this.start());
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onMessage = (m: ChildMessage): void => {
        if (m.type === 'status') events.onStatus?.(m.text);
        else if (m.type === 'log') events.onLog?.(m.text);
        else if (m.type === 'checkpoint') events.onCheckpoint?.(m.dir);
        else if (m.type === 'done') {
          cleanup();
          resolve(m.outcome);
        } else {
          cleanup();
          reject(new Error(m.error));
        }
      };
      const onExit = (code: number | null, signal: string | null): void => {
        cleanup();
        this.child = null;
        reject(
          new Error(
            `${task.id}: the worker process exited (${signal ?? `code ${code}`}) before the configuration finished; run again to resume it`,
          ),
        );
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ type: 'run', task });
    });
  }

  private start(): ChildProcess {
    const env =
      this.kernelThreads === undefined ? process.env : { ...process.env, TTRNN_THREADS: String(this.kernelThreads) };
    const child = fork(childEntry(), [], {
      env,
      execArgv: process.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // IPC errors (a channel closed from both ends at once while stopping) end in an 'exit', which rejects the task in flight.
    child.on('error', () => {});
    return child;
  }

  /** Stops the child: SIGTERM lets it checkpoint; resolves when it has exited. */
  async close(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      if (signal === 'SIGTERM' && child.connected) {
        try {
          child.disconnect();
        } catch {
          // already disconnected by the child
        }
      } else child.kill(signal);
    });
  }
}

/** Kernel threads of each of `lanes` processes sharing `cores` cores. */
export function kernelThreadsPerLane(lanes: number, cores: number): number {
  return Math.max(1, Math.floor(cores / lanes));
}

/** `lanes` worker processes; lane i always uses process i. */
export class WorkerPool {
  private readonly workers: WorkerProcess[];

  /**
   * The cores are shared between the lanes: each child's recurrent kernels get cores / lanes threads (at least
   * one), so that N processes do not each start a thread per core. An explicit TTRNN_THREADS is kept.
   */
  constructor(lanes: number, env: NodeJS.ProcessEnv = process.env, cores: number = availableParallelism()) {
    const threads = env['TTRNN_THREADS'] === undefined ? kernelThreadsPerLane(lanes, cores) : undefined;
    this.workers = Array.from({ length: lanes }, () => new WorkerProcess(threads));
  }

  run(lane: number, task: WorkerTask, events?: TaskEvents): Promise<unknown> {
    const w = this.workers[lane];
    if (w === undefined)
      throw new Error(`'lane' passed to 'WorkerPool.run' must be below ${this.workers.length}, got ${lane}`);
    return w.run(task, events);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
