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

/** Starts `pnpm run exp <args>`; stderr and stdout are collected. */
export function startCli(args: readonly string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> } {
  const child = spawn(join(appDir, 'node_modules', '.bin', 'tsx'), ['--conditions=source', join(appDir, 'src', 'cli.ts'), ...args], {
    cwd: appDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((res) =>
    child.on('exit', (code, signal) => res({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export function runCli(args: readonly string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return startCli(args).done;
}

/** Keys whose values are wall times, memory high-water marks, paths or the command line. */
const VOLATILE = /(^|[a-z])(seconds|Seconds)$|^stepMs$|^maxRssMiB$|^runDir$|^environment$|^invocations$/;

/** A JSON value without its volatile keys (see VOLATILE), for comparing two runs of the same sweep. */
export function withoutTimes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutTimes);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k]) => !VOLATILE.test(k)).map(([k, x]) => [k, withoutTimes(x)]));
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
