/**
 * Reader for the IDX format of the MNIST family (LeCun et al.), plain or gzip-compressed.
 *
 * Layout: a 4-byte big-endian magic `0x0000TTDD` (TT = element type, DD = number of dimensions), then DD
 * big-endian uint32 sizes, then the elements in row-major order. Only unsigned bytes (type 0x08) occur in
 * MNIST and Fashion-MNIST, so only they are read; labels are magic 2049 (`0x00000801`, one dimension) and
 * images 2051 (`0x00000803`, three dimensions).
 *
 * Browser-safe: parsing works on bytes; reading a file (`readIdxFile`) is in idx_file.ts, for Node.
 */
/** Magic number of an IDX file of unsigned-byte labels, `[count]`. */
export const IDX_LABELS_MAGIC = 2049;
/** Magic number of an IDX file of unsigned-byte images, `[count, rows, cols]`. */
export const IDX_IMAGES_MAGIC = 2051;

const UBYTE = 0x08;
const TYPE_NAMES: Readonly<Record<number, string>> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** The decoded content of an IDX file of unsigned bytes. */
export interface IdxArray {
  /** The magic number, e.g. 2049 for labels or 2051 for images. */
  readonly magic: number;
  /** Sizes of each dimension, outermost first. */
  readonly dims: readonly number[];
  /** Elements in row-major order; `data.length` is the product of `dims`. */
  readonly data: Uint8Array;
}

/** True when `bytes` starts with the gzip magic bytes 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses uncompressed IDX bytes. Every size is checked against the byte count, so a truncated or padded
 * file is an error, never a partial array.
 *
 * @param bytes the whole file, uncompressed.
 * @param name the file name used in error messages.
 * @param expectedMagic when given, the file must carry this magic number.
 */
export function parseIdx(bytes: Uint8Array, name: string, expectedMagic?: number): IdxArray {
  if (bytes.length < 4) {
    throw new Error(`${name}: expected an IDX header of at least 4 bytes, got ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (expectedMagic !== undefined && magic !== expectedMagic) {
    throw new Error(`${name}: expected magic ${expectedMagic}, got ${magic}`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${name}: expected an IDX magic number starting with two zero bytes, got ${magic}`);
  }
  const type = bytes[2] as number;
  const rank = bytes[3] as number;
  if (type !== UBYTE) {
    const typeName = TYPE_NAMES[type] ?? 'unknown';
    throw new Error(
      `${name}: expected unsigned-byte elements (type 0x08), got type 0x${type.toString(16).padStart(2, '0')} (${typeName})`,
    );
  }
  if (rank === 0) throw new Error(`${name}: expected at least one dimension, got 0`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new Error(`${name}: truncated header, expected ${headerBytes} bytes got ${bytes.length}`);
  }
  const dims: number[] = [];
  let count = 1;
  for (let k = 0; k < rank; k++) {
    const d = view.getUint32(4 + 4 * k, false);
    dims.push(d);
    count *= d;
  }
  const expectedBytes = headerBytes + count;
  if (bytes.length !== expectedBytes) {
    const what = bytes.length < expectedBytes ? 'truncated file' : 'trailing data after the last element';
    throw new Error(
      `${name}: ${what}, expected ${expectedBytes} bytes got ${bytes.length} (dimensions ${dims.join('×')})`,
    );
  }
  return { magic, dims, data: bytes.subarray(headerBytes) };
}

/** Encodes unsigned bytes as an IDX file (for fixtures and tests). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new Error(
      `'data' passed to 'encodeIdx' must hold ${count} elements for dims [${dims.join(', ')}], got ${data.length}`,
    );
  }
  const out = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(out.buffer);
  view.setUint32(0, (UBYTE << 8) | dims.length, false);
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
