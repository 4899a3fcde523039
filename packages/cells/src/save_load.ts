/**
 * Saving and loading models: `<dir>/model.json` (format, version, config and
 * a weight manifest: names, shapes, byte offsets, a SHA-256 of the weights)
 * and `<dir>/weights.bin` (float32, little-endian, in manifest order).
 *
 * Writes are atomic: each file is written to a temporary name in the same
 * directory and renamed over the old one. Loading checks everything before
 * it builds anything, and frees what it built if a later check fails, so a
 * bad directory never yields a half-loaded model or leaked tensors.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from './model_config.js';
import { validateModelConfig } from './model_config.js';
import { createModel } from './models.js';
import type { SequenceModel } from './models.js';
import { shapeString } from './validate.js';

export const MODEL_FORMAT = 'ttrnn-model';
export const MODEL_FORMAT_VERSION = 1;
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

export interface WeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
  /** Byte offset in weights.bin. */
  readonly offset: number;
  /** Bytes (4 per float32 value). */
  readonly byteLength: number;
}

export interface ModelManifest {
  readonly format: typeof MODEL_FORMAT;
  readonly version: number;
  readonly config: Required<ModelConfig>;
  readonly weights: {
    readonly file: string;
    readonly dtype: 'float32';
    readonly byteOrder: 'little-endian';
    readonly byteLength: number;
    readonly sha256: string;
    readonly entries: readonly WeightEntry[];
  };
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Writes `model.json` and `weights.bin` into `dir` (created if needed). */
export async function saveModel(model: SequenceModel, dir: string): Promise<ModelManifest> {
  const named = model.namedWeights();
  const entries: WeightEntry[] = [];
  let offset = 0;
  for (const { name, variable } of named) {
    if (variable.dtype !== 'float32') throw new Error(`saveModel: weight '${name}' has dtype ${variable.dtype}, expected float32`);
    entries.push({ name, shape: [...variable.shape], offset, byteLength: variable.size * 4 });
    offset += variable.size * 4;
  }
  const bytes = new Uint8Array(offset);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < named.length; i++) {
    const values = (await named[i]!.variable.data()) as Float32Array;
    const base = entries[i]!.offset;
    for (let j = 0; j < values.length; j++) view.setFloat32(base + 4 * j, values[j]!, true);
  }
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    config: validateModelConfig(model.config, 'saveModel'),
    weights: { file: WEIGHTS_FILE, dtype: 'float32', byteOrder: 'little-endian', byteLength: offset, sha256: sha256(bytes), entries },
  };
  await mkdir(dir, { recursive: true });
  // Weights first: a crash between the two renames leaves a manifest whose checksum no longer matches, which loadModel reports.
  await writeAtomic(join(dir, WEIGHTS_FILE), bytes);
  await writeAtomic(join(dir, MODEL_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

function fail(file: string, message: string): never {
  throw new Error(`${file}: ${message}`);
}

/** Checks the manifest's structure; returns it typed. */
function parseManifest(raw: unknown, file: string): ModelManifest {
  if (typeof raw !== 'object' || raw === null) fail(file, 'expected a JSON object written by saveModel');
  const m = raw as Record<string, unknown>;
  if (m['format'] !== MODEL_FORMAT) fail(file, `expected format '${MODEL_FORMAT}', got ${JSON.stringify(m['format'])}`);
  if (m['version'] !== MODEL_FORMAT_VERSION) fail(file, `expected format version ${MODEL_FORMAT_VERSION}, got ${JSON.stringify(m['version'])}`);
  try {
    validateModelConfig(m['config'], 'loadModel');
  } catch (err) {
    fail(file, `bad config: ${(err as Error).message}`);
  }
  const w = m['weights'] as Record<string, unknown> | undefined;
  if (typeof w !== 'object' || w === null || !Array.isArray(w['entries'])) fail(file, 'expected a weights manifest {file, byteLength, sha256, entries}');
  if (w['dtype'] !== 'float32' || w['byteOrder'] !== 'little-endian') fail(file, `expected float32 little-endian weights, got ${String(w['dtype'])} ${String(w['byteOrder'])}`);
  if (!Number.isInteger(w['byteLength']) || typeof w['sha256'] !== 'string') fail(file, 'the weights manifest needs an integer byteLength and a sha256');
  let expectedOffset = 0;
  (w['entries'] as unknown[]).forEach((e, i) => {
    const entry = e as Record<string, unknown>;
    const shape = entry['shape'];
    if (
      typeof entry['name'] !== 'string' ||
      !Array.isArray(shape) ||
      !shape.every((s) => Number.isInteger(s) && (s as number) >= 0) ||
      entry['offset'] !== expectedOffset ||
      entry['byteLength'] !== 4 * (shape as number[]).reduce((a, b) => a * b, 1)
    ) {
      fail(file, `weight entry ${i} (${JSON.stringify(entry['name'])}) must have a name, a shape, offset ${expectedOffset} and 4 bytes per value`);
    }
    expectedOffset += entry['byteLength'] as number;
  });
  if (expectedOffset !== w['byteLength']) fail(file, `the entries cover ${expectedOffset} bytes but byteLength is ${String(w['byteLength'])}`);
  return raw as ModelManifest;
}

/** Restores a model saved by `saveModel`; outputs are bit-identical to the saved model's. */
export async function loadModel(dir: string): Promise<SequenceModel> {
  const modelPath = join(dir, MODEL_FILE);
  let text: string;
  try {
    text = await readFile(modelPath, 'utf8');
  } catch (err) {
    fail(modelPath, `cannot read the model description (expected ${MODEL_FILE} written by saveModel): ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    fail(modelPath, `invalid JSON: ${(err as Error).message}`);
  }
  const manifest = parseManifest(raw, modelPath);
  const weightsPath = join(dir, manifest.weights.file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(weightsPath);
  } catch (err) {
    fail(weightsPath, `cannot read the weights (expected ${manifest.weights.byteLength} bytes): ${(err as Error).message}`);
  }
  if (bytes.byteLength !== manifest.weights.byteLength) {
    fail(weightsPath, `${bytes.byteLength < manifest.weights.byteLength ? 'truncated' : 'too long'}: expected ${manifest.weights.byteLength} bytes, got ${bytes.byteLength}`);
  }
  const digest = sha256(bytes);
  if (digest !== manifest.weights.sha256) fail(weightsPath, `corrupt: SHA-256 ${digest} does not match ${manifest.weights.sha256} in ${MODEL_FILE}`);

  const model = createModel(manifest.config, 0);
  try {
    const named = model.namedWeights();
    const entries = manifest.weights.entries;
    if (named.length !== entries.length) {
      fail(modelPath, `the config describes ${named.length} weights but the manifest lists ${entries.length}`);
    }
    named.forEach((w, i) => {
      const e = entries[i]!;
      if (e.name !== w.name) fail(modelPath, `weight ${i} is '${e.name}', expected '${w.name}' for this config`);
      if (shapeString(e.shape) !== shapeString(w.variable.shape)) {
        fail(modelPath, `weight '${e.name}' has shape ${shapeString(e.shape)}, expected ${shapeString(w.variable.shape)} for this config`);
      }
    });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    named.forEach((w, i) => {
      const e = entries[i]!;
      const values = new Float32Array(e.byteLength / 4);
      for (let j = 0; j < values.length; j++) values[j] = view.getFloat32(e.offset + 4 * j, true);
      tf.tidy(() => w.variable.assign(tf.tensor(values, w.variable.shape, 'float32')));
    });
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}
