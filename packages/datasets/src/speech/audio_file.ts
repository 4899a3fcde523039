/** Reading audio files from disk (Node): the file-system half of audio.ts. */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { decodeFlac, decodeWav } from './audio.js';
import type { Audio } from './audio.js';

/** Reads and decodes a `.wav` or `.flac` file by its extension (magic bytes decide when they disagree). */
export async function readAudioFile(path: string): Promise<Audio> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new Error(`${path}: cannot read audio file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (bytes.length === 0) throw new Error(`${path}: audio file is empty (0 bytes)`);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic === 'fLaC') return decodeFlac(bytes, path);
  if (magic === 'RIFF' || magic === 'RIFX' || magic === 'RF64') return decodeWav(bytes, path);
  const ext = extname(path).toLowerCase();
  throw new Error(
    `${path}: expected a WAV (RIFF) or FLAC (fLaC) file${ext ? ` for extension '${ext}'` : ''}, got magic bytes ${JSON.stringify(magic)}`,
  );
}
