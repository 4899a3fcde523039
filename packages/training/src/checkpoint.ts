/**
 * The checkpoint file: a JSON header (metadata and a table of float32 arrays) and the arrays' bytes,
 * with lengths and a CRC-32 so that a truncated or corrupt file is detected before anything is restored.
 *
 * Layout (little-endian):
 *   8 bytes  magic "TTRNNCKP"
 *   4 bytes  format version (1)
 *   4 bytes  header length H
 *   8 bytes  payload length P (as two uint32: low, high)
 *   4 bytes  CRC-32 of header + payload
 *   H bytes  header JSON (UTF-8): { meta, arrays: [{ name, shape, offset, length }] }
 *   P bytes  payload: the float32 arrays, each at its byte offset
 */
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from './atomic.js';

const MAGIC = 'TTRNNCKP';
const VERSION = 1;
const PREAMBLE = 28;

/** One named float32 array of a checkpoint. */
export interface CheckpointArray {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface CheckpointContents<M = unknown> {
  /** JSON-able metadata (counters, RNG state, best-so-far, ...). */
  readonly meta: M;
  readonly arrays: readonly CheckpointArray[];
}

interface HeaderEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/** Serialises a checkpoint to bytes. */
export function encodeCheckpoint(contents: CheckpointContents): Uint8Array {
  const entries: HeaderEntry[] = [];
  let offset = 0;
  for (const a of contents.arrays) {
    const size = a.shape.reduce((p, d) => p * d, 1);
    if (size !== a.data.length) {
      throw new Error(
        `'arrays' passed to 'encodeCheckpoint': '${a.name}' has shape [${a.shape.join(', ')}] but ${a.data.length} values`,
      );
    }
    entries.push({ name: a.name, shape: [...a.shape], offset, length: a.data.length });
    offset += a.data.length * 4;
  }
  const header = Buffer.from(JSON.stringify({ meta: contents.meta, arrays: entries }), 'utf8');
  const out = Buffer.alloc(PREAMBLE + header.length + offset);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(VERSION, 8);
  out.writeUInt32LE(header.length, 12);
  out.writeUInt32LE(offset % 2 ** 32, 16);
  out.writeUInt32LE(Math.floor(offset / 2 ** 32), 20);
  header.copy(out, PREAMBLE);
  const payloadStart = PREAMBLE + header.length;
  contents.arrays.forEach((a, i) => {
    const e = entries[i] as HeaderEntry;
    Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).copy(out, payloadStart + e.offset);
  });
  out.writeUInt32LE(crc32(out.subarray(PREAMBLE)), 24);
  return out;
}

/** Parses bytes from `encodeCheckpoint`; `source` names the file in errors. */
export function decodeCheckpoint<M = unknown>(bytes: Uint8Array, source = 'checkpoint'): CheckpointContents<M> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < PREAMBLE || buf.toString('latin1', 0, 8) !== MAGIC) {
    throw new Error(`${source}: not a ttrnn checkpoint (expected the magic '${MAGIC}' in the first 8 bytes)`);
  }
  const version = buf.readUInt32LE(8);
  if (version !== VERSION) throw new Error(`${source}: checkpoint format version ${version}, expected ${VERSION}`);
  const headerLength = buf.readUInt32LE(12);
  const payloadLength = buf.readUInt32LE(16) + buf.readUInt32LE(20) * 2 ** 32;
  const expected = PREAMBLE + headerLength + payloadLength;
  if (buf.length !== expected) {
    throw new Error(`${source}: truncated or padded checkpoint: ${buf.length} bytes, the header says ${expected}`);
  }
  if (crc32(buf.subarray(PREAMBLE)) !== buf.readUInt32LE(24)) {
    throw new Error(`${source}: corrupt checkpoint (CRC-32 mismatch)`);
  }
  let header: { meta: M; arrays: HeaderEntry[] };
  try {
    header = JSON.parse(buf.toString('utf8', PREAMBLE, PREAMBLE + headerLength)) as { meta: M; arrays: HeaderEntry[] };
  } catch (err) {
    throw new Error(`${source}: unreadable checkpoint header: ${(err as Error).message}`);
  }
  const payloadStart = PREAMBLE + headerLength;
  const arrays = header.arrays.map((e) => {
    if (e.offset + e.length * 4 > payloadLength)
      throw new Error(`${source}: array '${e.name}' lies outside the payload`);
    // Copy: the payload offset need not be 4-byte aligned.
    const data = new Float32Array(e.length);
    Buffer.from(data.buffer).set(buf.subarray(payloadStart + e.offset, payloadStart + e.offset + e.length * 4));
    return { name: e.name, shape: e.shape, data };
  });
  return { meta: header.meta, arrays };
}

/** Writes a checkpoint atomically (temp file, fsync, rename). */
export function writeCheckpoint(path: string, contents: CheckpointContents): void {
  writeFileAtomic(path, encodeCheckpoint(contents));
}

export function readCheckpoint<M = unknown>(path: string): CheckpointContents<M> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`${path}: cannot read the checkpoint: ${(err as Error).message}`);
  }
  return decodeCheckpoint<M>(bytes, path);
}
