/**
 * Worker processes for a sweep: one child process per lane, each with its own TensorFlow.js backend
 * (tfjs-backend-wasm runs one thread in Node, so more cores need more processes; the recurrent kernels' own
 * threads are divided between the processes). A child is started on first use, initialises its backend once
 * and then trains configuration after configuration; it writes only inside the run directory it is given, and
 * sends the outcome back. Results files are written by the parent. The parent sends `{ type: 'run', task }`,
 * the child answers with ChildMessages (structured clones, so NaN and byte arrays survive).
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
  readonly backend: string;
  readonly dataDir?: string;
  /** Copy the run directory after every checkpoint and send the copy's path (the queue worker ships it to Redis). */
  readonly shipCheckpoints?: boolean;
}

/**
 * status: the trainer's latest progress line; log: a line of its own; checkpoint: the path of a copy of the run
 * directory after a checkpoint (its handler owns and removes it).
 */
export type ChildMessage =
  | { readonly type: 'status' | 'log' | 'checkpoint'; readonly text: string }
  | { readonly type: 'done'; readonly outcome: unknown }
  | { readonly type: 'failed'; readonly error: string };

/** The handlers of a task's messages, by type. */
export type TaskEvents = { readonly [K in 'status' | 'log' | 'checkpoint']?: (text: string) => void };

/** Kernel threads of each of `lanes` processes sharing `cores` cores. */
export function kernelThreadsPerLane(lanes: number, cores: number): number {
  return Math.max(1, Math.floor(cores / lanes));
}

/** `lanes` child processes, each started on first use; lane i always uses process i, one task at a time. */
export class WorkerPool {
  private readonly children: (ChildProcess | null)[];
  private readonly env: NodeJS.ProcessEnv;

  /**
   * The cores are shared between the lanes: each child's recurrent kernels get cores / lanes threads (at least
   * one), so that N processes do not each start a thread per core. An explicit TTRNN_THREADS is kept.
   */
  constructor(lanes: number) {
    this.children = Array.from({ length: lanes }, () => null);
    const threads = String(kernelThreadsPerLane(lanes, availableParallelism()));
    this.env = { TTRNN_THREADS: threads, ...process.env };
  }

  /** Runs one configuration on a lane's child; resolves to its outcome, rejects when the child crashes. */
  run(lane: number, task: WorkerTask, events: TaskEvents = {}): Promise<unknown> {
    if (lane >= this.children.length)
      throw new Error(`'lane' passed to 'WorkerPool.run' must be below ${this.children.length}, got ${lane}`);
    const child = (this.children[lane] ??= this.start());
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onMessage = (m: ChildMessage): void => {
        if (m.type === 'done' || m.type === 'failed') {
          settle();
          if (m.type === 'done') resolve(m.outcome);
          else reject(new Error(m.error));
        } else events[m.type]?.(m.text);
      };
      const onExit = (code: number | null, signal: string | null): void => {
        settle();
        this.children[lane] = null;
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
    // The child's entry file is next to this one (.ts under tsx, .js when built).
    const entry = fileURLToPath(import.meta.url).replace(/worker_pool\.(ts|js)$/, 'worker_child.$1');
    const child = fork(entry, [], {
      env: this.env,
      execArgv: process.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // IPC errors (a channel closed from both ends at once while stopping) end in an 'exit', which rejects the task in flight.
    child.on('error', () => {});
    return child;
  }

  /** Stops the children: a disconnect (or SIGTERM) lets them checkpoint; resolves when they have exited. */
  async close(): Promise<void> {
    const children = [...this.children];
    this.children.fill(null);
    await Promise.all(
      children.map(async (child) => {
        if (child === null || child.exitCode !== null || child.signalCode !== null) return;
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          if (!child.connected) child.kill('SIGTERM');
          else {
            try {
              child.disconnect();
            } catch {
              // already disconnected by the child
            }
          }
        });
      }),
    );
  }
}
