/**
 * A `tf.io` handler for the file system (Node): `fileSystem(path)`, and a router that `@ttrnn/cells/node`
 * registers so that `saveModel`/`loadModel` accept `file://…` URLs and plain paths.
 *
 * `path` is a directory (it gets `model.json` and `weights.bin`) or the `model.json` file itself; a save
 * writes the weights first, then the model description, each to a temporary name renamed over the old
 * file, so a crash leaves either the old model or a description whose checksum no longer matches (which
 * loading reports). Loading reads the standard tf.io `model.json` (any weights paths, relative to it),
 * and the earlier ttrnn directory manifest (format version 1), which it translates to the same artifacts.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { MODEL_FILE, MODEL_FORMAT, MODEL_FORMAT_VERSION, WEIGHTS_FILE } from './save_load.js';

const FILE_SCHEME = 'file://';

function fail(file: string, message: string): never {
  throw new Error(`${file}: ${message}`);
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** `{model.json path, its directory}` for a directory or a `.json` file path. */
function locate(path: string): { modelPath: string; dir: string } {
  if (path.endsWith('.json')) return { modelPath: path, dir: dirname(path) };
  return { modelPath: join(path, MODEL_FILE), dir: path };
}

async function readBytes(file: string, expected: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (err) {
    fail(file, `cannot read ${expected}: ${(err as Error).message}`);
  }
}

/** The artifacts of a version-1 directory (`{format, version: 1, config, weights: {entries, sha256, …}}`). */
function legacyArtifacts(m: Record<string, unknown>, modelPath: string, weights: Uint8Array): tf.io.ModelArtifacts {
  const w = m['weights'] as Record<string, unknown> | undefined;
  if (typeof w !== 'object' || w === null || !Array.isArray(w['entries']))
    fail(modelPath, 'expected a weights manifest {file, byteLength, sha256, entries}');
  if (w['dtype'] !== 'float32' || w['byteOrder'] !== 'little-endian')
    fail(modelPath, `expected float32 little-endian weights, got ${String(w['dtype'])} ${String(w['byteOrder'])}`);
  let expectedOffset = 0;
  const weightSpecs = (w['entries'] as unknown[]).map((e, i) => {
    const entry = e as Record<string, unknown>;
    const shape = entry['shape'];
    if (
      typeof entry['name'] !== 'string' ||
      !Array.isArray(shape) ||
      !shape.every((s) => Number.isInteger(s) && (s as number) >= 0) ||
      entry['offset'] !== expectedOffset ||
      entry['byteLength'] !== 4 * (shape as number[]).reduce((a, b) => a * b, 1)
    ) {
      fail(
        modelPath,
        `weight entry ${i} (${JSON.stringify(entry['name'])}) must have a name, a shape, offset ${expectedOffset} and 4 bytes per value`,
      );
    }
    expectedOffset += entry['byteLength'] as number;
    return { name: entry['name'], shape: shape as number[], dtype: 'float32' as const };
  });
  return {
    modelTopology: { format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, config: m['config'] },
    format: MODEL_FORMAT,
    weightSpecs,
    weightData: weights.slice().buffer,
    userDefinedMetadata: { ttrnn: { byteLength: w['byteLength'], sha256: w['sha256'] } },
  };
}

class FileSystemHandler implements tf.io.IOHandler {
  constructor(private readonly path: string) {}

  async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
    if (artifacts.modelTopology instanceof ArrayBuffer)
      throw new Error(`${this.path}: fileSystem saves JSON model topologies only`);
    const { modelPath, dir } = locate(this.path);
    const data =
      artifacts.weightData === undefined
        ? new Uint8Array(0)
        : new Uint8Array(
            Array.isArray(artifacts.weightData)
              ? tf.io.concatenateArrayBuffers(artifacts.weightData)
              : (artifacts.weightData as ArrayBuffer),
          );
    const modelJSON: tf.io.ModelJSON = {
      modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
      ...(artifacts.format !== undefined ? { format: artifacts.format } : {}),
      ...(artifacts.generatedBy !== undefined ? { generatedBy: artifacts.generatedBy } : {}),
      ...(artifacts.convertedBy !== undefined ? { convertedBy: artifacts.convertedBy } : {}),
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      ...(artifacts.userDefinedMetadata !== undefined ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      ...(artifacts.trainingConfig !== undefined ? { trainingConfig: artifacts.trainingConfig } : {}),
    };
    await mkdir(dir, { recursive: true });
    // Weights first: a crash between the two renames leaves a description whose checksum no longer matches.
    await writeAtomic(join(dir, WEIGHTS_FILE), data);
    await writeAtomic(modelPath, JSON.stringify(modelJSON, null, 2) + '\n');
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }

  async load(): Promise<tf.io.ModelArtifacts> {
    const { modelPath, dir } = locate(this.path);
    let text: string;
    try {
      text = await readFile(modelPath, 'utf8');
    } catch (err) {
      fail(
        modelPath,
        `cannot read the model description (expected ${MODEL_FILE} written by saveModel): ${(err as Error).message}`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      fail(modelPath, `invalid JSON: ${(err as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      fail(modelPath, 'expected a JSON object (tf.io model.json)');
    const m = raw as Record<string, unknown>;
    if (m['format'] === MODEL_FORMAT && m['version'] === 1) {
      const file = (m['weights'] as { file?: unknown } | undefined)?.file;
      return legacyArtifacts(
        m,
        modelPath,
        await readBytes(join(dir, typeof file === 'string' ? file : WEIGHTS_FILE), 'the weights'),
      );
    }
    const manifest = m['weightsManifest'];
    const isGroup = (g: unknown): boolean =>
      Array.isArray((g as { paths?: unknown })?.paths) && Array.isArray((g as { weights?: unknown })?.weights);
    if (!Array.isArray(manifest) || !manifest.every(isGroup)) {
      fail(modelPath, 'expected a tf.io model.json with a weightsManifest [{paths, weights}]');
    }
    return tf.io.getModelArtifactsForJSON(m as unknown as tf.io.ModelJSON, async (groups) => {
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of groups) {
        specs.push(...group.weights);
        for (const p of group.paths) buffers.push((await readBytes(join(dir, p), 'the weights')).slice().buffer);
      }
      return [specs, tf.io.concatenateArrayBuffers(buffers)];
    });
  }
}

/** A `tf.io` handler that saves to and loads from `path` (a directory, or its `model.json`). */
export function fileSystem(path: string): tf.io.IOHandler {
  if (typeof path !== 'string' || path === '')
    throw new Error(`'path' passed to 'fileSystem' must be a non-empty string, got ${JSON.stringify(path)}`);
  return new FileSystemHandler(path.startsWith(FILE_SCHEME) ? path.slice(FILE_SCHEME.length) : path);
}

/** Accepts `file://…` and strings without a URL scheme (`results/model`, `/abs/dir`, `C:\dir`). */
export function fileRouter(url: string | string[]): tf.io.IOHandler {
  // tf.io's routers return null for "not mine", although its IORouter type does not say so.
  return fileRouterOrNull(url) as tf.io.IOHandler;
}

function fileRouterOrNull(url: string | string[]): tf.io.IOHandler | null {
  if (typeof url !== 'string') return null;
  if (url.startsWith(FILE_SCHEME)) return fileSystem(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return null;
  return fileSystem(url);
}

let registered = false;

/** Registers `fileRouter` with tf.io's save and load routers, once (done by `@ttrnn/cells/node`). */
export function registerFileRouter(): void {
  if (registered) return;
  tf.io.registerSaveRouter(fileRouter);
  tf.io.registerLoadRouter(fileRouter);
  registered = true;
}
