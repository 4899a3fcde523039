/**
 * The entry point of a sweep worker process (started by worker_pool.ts; see the message list there).
 * SIGTERM or a disconnected parent stop the configuration in flight at its next step, after a checkpoint.
 */
import { realDependencies } from './commands/all_runners.js';
import { snapshotRunDir } from './run_files.js';
import { forwardingStream } from './sweep_display.js';
import type { ChildMessage, WorkerTask } from './worker_pool.js';

// The parent may disconnect at any moment (it is stopping): a message that can no longer go is dropped.
const send = (m: ChildMessage): void => {
  if (process.connected) process.send?.(m, undefined, undefined, () => {});
};

const deps = realDependencies();
const stop = new AbortController();
let busy = false;
const quit = (): void => {
  stop.abort();
  if (!busy) process.exit(0);
};
process.on('SIGTERM', quit);
// Ctrl-C reaches the whole process group: checkpoint rather than die.
process.on('SIGINT', quit);
process.on('disconnect', quit);

let backendReady: Promise<unknown> | null = null;
process.on('message', ({ task }: { type: 'run'; task: WorkerTask }) => {
  busy = true;
  void (async () => {
    try {
      await (backendReady ??= deps.initBackend(task.backend));
      let shipped = -1;
      let snapshots = 0;
      // Between steps the run directory is consistent (a checkpoint is complete, best.ckpt matches it).
      const afterStep = (): void => {
        const dir = `${task.runDir}.checkpoint-${snapshots + 1}`;
        const mtime = snapshotRunDir(task.runDir, dir, shipped);
        if (mtime === null) return;
        shipped = mtime;
        snapshots++;
        send({ type: 'checkpoint', text: dir });
      };
      const outcome = await deps.train({
        ...task,
        progress: forwardingStream(
          (text) => send({ type: 'status', text }),
          (text) => send({ type: 'log', text }),
        ),
        signal: stop.signal,
        ...(task.shipCheckpoints === true ? { afterStep } : {}),
      });
      send({ type: 'done', outcome });
    } catch (err) {
      send({ type: 'failed', error: (err as Error).message ?? String(err) });
    } finally {
      busy = false;
      if (stop.signal.aborted) process.exit(0);
    }
  })();
});
