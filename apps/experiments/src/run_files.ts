/**
 * A run directory as a set of files in memory, so that it can travel (through Redis, between machines) and be
 * written back elsewhere: a configuration interrupted on one worker continues on another from its last
 * checkpoint. Only plain files at the top of the directory; TT models make them kilobytes.
 */
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@ttrnn/training/node';

export const CHECKPOINT_FILE = 'checkpoint.ckpt';

/**
 * Every file of `runDir` when its checkpoint is newer than `sinceMs` (its mtime in ms), else null.
 * Call it only between training steps: then the checkpoint and the best model agree.
 */
export function runDirFiles(runDir: string, sinceMs: number): { mtimeMs: number; files: Record<string, Uint8Array> } | null {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(join(runDir, CHECKPOINT_FILE)).mtimeMs;
  } catch {
    return null;
  }
  if (mtimeMs <= sinceMs) return null;
  return { mtimeMs, files: readRunDir(runDir) };
}

/** Every plain file of a directory (temporary files of atomic writes left out). */
export function readRunDir(runDir: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const e of readdirSync(runDir, { withFileTypes: true })) {
    if (e.isFile() && !e.name.startsWith('.') && !e.name.includes('.tmp')) files[e.name] = new Uint8Array(readFileSync(join(runDir, e.name)));
  }
  return files;
}

/** Writes files into `runDir` (created when missing), each atomically. */
export function writeRunDir(runDir: string, files: Readonly<Record<string, Uint8Array>>): void {
  mkdirSync(runDir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`run directory file name '${name}' is not a plain file name`);
    writeFileAtomic(join(runDir, name), bytes);
  }
}
