/**
 * Runs `pnpm run exp` as a real child process (tsx, the same loader flags as the package script), and
 * compares what two runs wrote, leaving out what measures time or names this machine.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * `exp all` options of a tiny MNIST sweep: the dense LSTM and GRU and TT-LSTM 2 cores rank 1, each for
 * `epochs` epochs on `trainLimit` images (batch 128) and `testLimit` evaluation images.
 */
export function tinySweep(epochs: number, trainLimit: number, testLimit: number): string[] {
  return `--only mnist --models lstm --cores 2 --ranks 1 --epochs ${epochs} --train-limit ${trainLimit} --test-limit ${testLimit}`.split(
    ' ',
  );
}

/** A command started by `startCli`: `done` when it exits, `stderr()` so far, `kill` signals its process group. */
export type Cli = ReturnType<typeof startCli>;

const started = new Set<ChildProcess>();

/** SIGKILLs every command still running (afterAll of tests that start commands). */
export function killAll(): void {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, 'SIGKILL');
  started.clear();
}

/** Starts `pnpm run exp <args>` in a process group of its own; stderr and stdout are collected. */
export function startCli(args: readonly string[]) {
  const child = spawn(
    join(appDir, 'node_modules', '.bin', 'tsx'),
    ['--conditions=source', join(appDir, 'src', 'cli.ts'), ...args],
    { cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  started.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((res) =>
    child.on('close', (code, signal) => {
      started.delete(child);
      res({ code, signal, stdout, stderr });
    }),
  );
  return {
    done,
    stderr: () => stderr,
    /** Signals the command and every process it started (its own process group). */
    kill: (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    },
  };
}

/** Resolves when `check` returns true (polled every 100 ms); rejects with `what` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 120_000,
): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function runCli(
  args: readonly string[],
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return startCli(args).done;
}

/** Keys whose values are wall times, memory high-water marks, paths or the command line. */
const VOLATILE = /(^|[a-z])(seconds|Seconds)$|^stepMs$|^maxRssMiB$|^runDir$|^environment$|^invocations$/;

/** A JSON value without its volatile keys (see VOLATILE), for comparing two runs of the same sweep. */
export function withoutTimes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutTimes);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([k]) => !VOLATILE.test(k))
        .map(([k, x]) => [k, withoutTimes(x)]),
    );
  }
  return v;
}

/**
 * Every file of the run directories under `runsDir`, as comparable text: JSON and JSON lines without their
 * volatile keys, other files (checkpoints) as their bytes in hex. Checkpoints of the training state carry
 * timings in their header, so only `best.ckpt` (weights) is compared byte for byte.
 */
export async function runDirsDigest(runsDir: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const id of (await readdir(runsDir)).sort()) {
    for (const f of (await readdir(join(runsDir, id))).sort()) {
      const path = join(runsDir, id, f);
      if (f.endsWith('.json')) out[`${id}/${f}`] = withoutTimes(JSON.parse(await readFile(path, 'utf8')));
      else if (f.endsWith('.jsonl'))
        out[`${id}/${f}`] = (await readFile(path, 'utf8'))
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => withoutTimes(JSON.parse(l)));
      else if (f === 'best.ckpt') out[`${id}/${f}`] = (await readFile(path)).toString('hex');
      else out[`${id}/${f}`] = 'present';
    }
  }
  return out;
}
