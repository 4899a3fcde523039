/**
 * Atomic file replacement: write a temporary file beside the target, fsync it, rename it over the
 * target, fsync the directory. A reader (or a resumed run) sees either the old file or the new one,
 * never a torn one, whatever moment the process is killed.
 *
 * File-system failures (read-only mount, full disk, a directory where a file should be) become errors
 * that name the path and say what went wrong in words (`ioError`).
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a directory, expected a file',
  ENOTDIR: 'a component of the path is not a directory',
  ENOENT: 'no such file or directory',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** The reason of a Node file-system error in words (its code in brackets), or its message. */
export function describeIoError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const reason = e?.code !== undefined ? REASONS[e.code] : undefined;
  return reason !== undefined ? `${reason} (${e.code})` : String(e?.message ?? err);
}

/** `<path>: cannot <action>: <reason>`, keeping the original error as `cause`. */
export function ioError(path: string, action: string, err: unknown): Error {
  return new Error(`${path}: cannot ${action}: ${describeIoError(err)}`, { cause: err });
}

/** The temporary name `writeFileAtomic` uses for `path` in this process. */
export function temporaryName(path: string, pid = process.pid): string {
  return join(dirname(path), `.${basename(path)}.tmp-${pid}`);
}

export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = temporaryName(path);
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (err) {
    throw ioError(path, 'write', err);
  }
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw ioError(path, 'write', err);
  }
  fsyncDir(dirname(path));
}

/** Makes a rename inside `dir` durable (a no-op where directories cannot be opened). */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    closeSync(fd);
  }
}
