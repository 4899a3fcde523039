import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MelFrames } from './mel.js';

/**
 * On-disk feature cache: one file per (settings, source audio) key.
 *
 * File layout (little-endian):
 *   0  8 bytes  magic "TTRNNMEL"
 *   8  u32      format version
 *  12  u32      frames
 *  16  u32      nMels
 *  20  32 bytes sha256 of the key string (guards against a file renamed or hash-prefix clash)
 *  52  32 bytes sha256 of the payload
 *  84  frames·nMels float32 payload
 * A file that is short, long, or fails any check is a miss and is rebuilt;
 * writes go to a temporary name and are renamed into place (atomic on POSIX).
 */
const MAGIC = 'TTRNNMEL';
const VERSION = 1;
const HEADER = 84;

export interface CacheStats {
  hits: number;
  misses: number;
  /** Entries found but rejected (truncated, bad header or checksum): rebuilt. */
  corrupt: number;
}

function sha256(data: string | Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

export class FeatureCache {
  readonly dir: string;
  readonly stats: CacheStats = { hits: 0, misses: 0, corrupt: 0 };

  /** @param dir directory to hold the cache (created on first write). */
  constructor(dir: string) {
    if (typeof dir !== 'string' || dir.length === 0) {
      throw new Error(`'dir' passed to 'FeatureCache' must be a non-empty path, got ${JSON.stringify(dir)}`);
    }
    this.dir = dir;
  }

  /** The file that holds `key`: `<dir>/<2 hex>/<64 hex>.mel`. */
  pathFor(key: string): string {
    const h = sha256(key).toString('hex');
    return join(this.dir, h.slice(0, 2), `${h}.mel`);
  }

  /** The cached features for `key`, or null (missing or corrupt: never trusted). */
  async get(key: string): Promise<MelFrames | null> {
    const path = this.pathFor(key);
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch {
      this.stats.misses++;
      return null;
    }
    const frames = decodeEntry(buf, key);
    if (frames === null) {
      this.stats.corrupt++;
      this.stats.misses++;
      await rm(path, { force: true });
      return null;
    }
    this.stats.hits++;
    return frames;
  }

  async put(key: string, mel: MelFrames): Promise<void> {
    const path = this.pathFor(key);
    const payload = new Uint8Array(mel.data.buffer, mel.data.byteOffset, mel.data.byteLength);
    const header = Buffer.alloc(HEADER);
    header.write(MAGIC, 0, 'latin1');
    header.writeUInt32LE(VERSION, 8);
    header.writeUInt32LE(mel.frames, 12);
    header.writeUInt32LE(mel.nMels, 16);
    sha256(key).copy(header, 20);
    sha256(payload).copy(header, 52);
    await mkdir(join(path, '..'), { recursive: true });
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, Buffer.concat([header, payload]));
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new Error(`${path}: could not write feature cache entry (${(e as Error).message})`);
    }
  }
}

function decodeEntry(buf: Buffer, key: string): MelFrames | null {
  if (buf.length < HEADER) return null;
  if (buf.toString('latin1', 0, 8) !== MAGIC) return null;
  if (buf.readUInt32LE(8) !== VERSION) return null;
  const frames = buf.readUInt32LE(12);
  const nMels = buf.readUInt32LE(16);
  if (buf.length !== HEADER + frames * nMels * 4) return null;
  if (!sha256(key).equals(buf.subarray(20, 52))) return null;
  const payload = buf.subarray(HEADER);
  if (!sha256(payload).equals(buf.subarray(52, 84))) return null;
  // Copy into an aligned buffer (the read buffer's offset need not be 4-aligned).
  const data = new Float32Array(frames * nMels);
  new Uint8Array(data.buffer).set(payload);
  return { data, frames, nMels };
}
