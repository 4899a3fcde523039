/**
 * A run directory as a set of files in memory, so that it can travel (through Redis, between machines) and be
 * written back elsewhere: a configuration interrupted on one worker continues on another from its last
 * checkpoint. Only plain files at the top of the directory; TT models make them kilobytes.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES, writeFileAtomic } from '@ttrnn/training/node';
import { PLAIN_NAME } from './sweep.js';

/**
 * Copies every file of `runDir` into `snapDir` when its checkpoint is newer than `sinceMs` (its mtime in ms);
 * resolves to that mtime, or null when there is nothing new. Call it only between training steps: then the
 * checkpoint and the best model agree. (A copy on disk rather than the bytes in a message: a training
 * process yields to its event loop only at epoch ends, so a large message would wait until then.)
 */
export function snapshotRunDir(runDir: string, snapDir: string, sinceMs: number): number | null {
  const mtimeMs = statSync(join(runDir, RUN_FILES.checkpoint), { throwIfNoEntry: false })?.mtimeMs;
  if (mtimeMs === undefined || mtimeMs <= sinceMs) return null;
  mkdirSync(snapDir, { recursive: true });
  for (const [name, bytes] of Object.entries(readRunDir(runDir))) writeFileSync(join(snapDir, name), bytes);
  return mtimeMs;
}

/** Every plain file of a directory (temporary files of atomic writes left out). */
export function readRunDir(runDir: string): Record<string, Buffer> {
  return Object.fromEntries(
    readdirSync(runDir, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith('.') && !e.name.includes('.tmp'))
      .map((e) => [e.name, readFileSync(join(runDir, e.name))]),
  );
}

/** Writes files into `runDir` (created when missing), each atomically. */
export function writeRunDir(runDir: string, files: Readonly<Record<string, Uint8Array>>): void {
  mkdirSync(runDir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) {
    if (!PLAIN_NAME.test(name)) throw new Error(`run directory file name '${name}' is not a plain file name`);
    writeFileAtomic(join(runDir, name), bytes);
  }
}
