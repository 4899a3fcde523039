/** Reading IDX files from disk (Node): the file-system half of idx.ts. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { isGzip, parseIdx } from './idx.js';
import type { IdxArray } from './idx.js';

const gunzipAsync = promisify(gunzip);

/**
 * Reads an IDX file, plain or gzip-compressed (detected by its magic bytes, not by its name).
 *
 * @param path the file to read.
 * @param expectedMagic when given, the file must carry this magic number.
 */
export async function readIdxFile(path: string, expectedMagic?: number): Promise<IdxArray> {
  const name = basename(path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'EISDIR' ? 'it is a directory, expected an IDX file' : (err as Error).message;
    throw new Error(`${path}: cannot read: ${reason}`, { cause: err });
  }
  if (isGzip(bytes)) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (err) {
      throw new Error(`${name}: expected a valid gzip stream, got ${(err as Error).message}`);
    }
  }
  return parseIdx(bytes, name, expectedMagic);
}
