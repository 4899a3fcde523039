/**
 * Saving and loading models as TensorFlow.js model artifacts, through tfjs's own `tf.io` handlers:
 * `saveModel(model, 'indexeddb://digits')`, `loadModel('https://…/model.json')`, `localstorage://`,
 * `downloads://` (browser), any `tf.io.IOHandler`, and in Node `file://` and plain directory paths
 * (registered by `@ttrnn/cells/node`).
 *
 * The artifacts are the standard ones: `model.json` holds `modelTopology` (format, version and the model's
 * config: cell, TT layout, sizes), `format: 'ttrnn-model'`, a `weightsManifest` naming every weight with its
 * shape and dtype, and `userDefinedMetadata.ttrnn` with the byte length and SHA-256 of the weights;
 * `weights.bin` holds the float32 weights, little-endian, in manifest order. A ttrnn model is not a Keras
 * model: `tf.loadLayersModel` cannot run it, but every tfjs tool that moves artifacts can store or serve it.
 *
 * Loading checks everything before it builds anything (format, version, config, each weight's name,
 * shape and dtype against the config, total size, checksum) and frees what it built if a check fails,
 * so a bad source never yields a half-loaded model or leaked tensors. Browser-safe: no Node import.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from './model_config.js';
import { validateModelConfig } from './model_config.js';
import { createModel } from './models.js';
import type { SequenceModel } from './models.js';
import { sha256Hex } from './sha256.js';
import { shapeString } from './validate.js';

export const MODEL_FORMAT = 'ttrnn-model';
/** 2: tf.io model artifacts. 1: the earlier directory manifest, still read by `@ttrnn/cells/node`. */
export const MODEL_FORMAT_VERSION = 2;
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** `modelTopology` of a saved ttrnn model. */
export interface ModelTopology {
  readonly format: typeof MODEL_FORMAT;
  readonly version: number;
  readonly config: Required<ModelConfig>;
}

/** `userDefinedMetadata.ttrnn` of a saved ttrnn model: what the weights must be. */
export interface WeightsChecksum {
  readonly byteLength: number;
  readonly sha256: string;
}

/** Where a model goes or comes from: a URL that a registered `tf.io` router accepts, or a handler. */
export type ModelLocation = string | tf.io.IOHandler;

function fail(what: string, message: string): never {
  throw new Error(`${what}: ${message}`);
}

/** The model's artifacts, as `saveModel` hands them to a `tf.io` handler. */
export async function modelArtifacts(model: SequenceModel): Promise<tf.io.ModelArtifacts> {
  const named = model.namedWeights();
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  let byteLength = 0;
  for (const { name, variable } of named) {
    if (variable.dtype !== 'float32')
      throw new Error(`saveModel: weight '${name}' has dtype ${variable.dtype}, expected float32`);
    weightSpecs.push({ name, shape: [...variable.shape], dtype: 'float32' });
    byteLength += variable.size * 4;
  }
  const bytes = new Uint8Array(byteLength);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const { variable } of named) {
    const values = (await variable.data()) as Float32Array;
    for (let j = 0; j < values.length; j++) view.setFloat32(offset + 4 * j, values[j]!, true);
    offset += 4 * values.length;
  }
  const topology: ModelTopology = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    config: validateModelConfig(model.config, 'saveModel'),
  };
  const checksum: WeightsChecksum = { byteLength, sha256: sha256Hex(bytes) };
  return {
    modelTopology: topology,
    format: MODEL_FORMAT,
    generatedBy: '@ttrnn/cells',
    convertedBy: null,
    weightSpecs,
    weightData: bytes.buffer,
    userDefinedMetadata: { ttrnn: { ...checksum } },
  };
}

const SCHEMES =
  "indexeddb://, localstorage://, downloads:// (browser), http(s)://, and file:// or a directory path in Node after `import '@ttrnn/cells/node'`";

function handlerFor(location: ModelLocation, fn: 'saveModel' | 'loadModel'): tf.io.IOHandler {
  if (typeof location !== 'string') {
    const ok =
      typeof location === 'object' &&
      location !== null &&
      typeof (fn === 'saveModel' ? location.save : location.load) === 'function';
    if (!ok)
      throw new Error(
        `'location' passed to '${fn}' must be a URL string or a tf.io handler with a ${fn === 'saveModel' ? 'save' : 'load'}() method`,
      );
    return location;
  }
  const handlers = fn === 'saveModel' ? tf.io.getSaveHandlers(location) : tf.io.getLoadHandlers(location);
  if (handlers.length > 0) return handlers[0]!;
  // As tf.loadLayersModel does: in a browser a URL without a registered scheme is fetched over HTTP.
  if (fn === 'loadModel' && tf.env().getBool('IS_BROWSER')) return tf.io.http(location);
  throw new Error(`'location' passed to '${fn}': no tf.io handler accepts '${location}'; known: ${SCHEMES}`);
}

/**
 * Saves the model's config and weights through a `tf.io` handler (see the module comment for the URL
 * schemes). Resolves to the handler's result, whose `modelArtifactsInfo` gives the sizes.
 */
export async function saveModel(model: SequenceModel, location: ModelLocation): Promise<tf.io.SaveResult> {
  const handler = handlerFor(location, 'saveModel');
  const artifacts = await modelArtifacts(model);
  return handler.save!(artifacts);
}

function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  if (Array.isArray(data)) return new Uint8Array(tf.io.concatenateArrayBuffers(data));
  return new Uint8Array(data as ArrayBuffer);
}

/**
 * Builds a model from artifacts (what a `tf.io` handler's `load()` returns), after checking them all.
 * `what` names the source in errors.
 */
export function modelFromArtifacts(artifacts: tf.io.ModelArtifacts, what = 'model artifacts'): SequenceModel {
  const topology = artifacts.modelTopology as Record<string, unknown> | undefined;
  if (
    artifacts.format !== MODEL_FORMAT ||
    typeof topology !== 'object' ||
    topology === null ||
    topology instanceof ArrayBuffer
  ) {
    fail(
      what,
      `expected a ttrnn model (format '${MODEL_FORMAT}' with a JSON modelTopology), got format ${JSON.stringify(artifacts.format ?? null)}` +
        (artifacts.format === 'layers-model' ? '; a Keras-style model loads with tf.loadLayersModel' : ''),
    );
  }
  if (topology['format'] !== MODEL_FORMAT)
    fail(what, `expected modelTopology.format '${MODEL_FORMAT}', got ${JSON.stringify(topology['format'])}`);
  if (topology['version'] !== MODEL_FORMAT_VERSION)
    fail(what, `expected format version ${MODEL_FORMAT_VERSION}, got ${JSON.stringify(topology['version'])}`);
  let config: Required<ModelConfig>;
  try {
    config = validateModelConfig(topology['config'], 'loadModel');
  } catch (err) {
    fail(what, `bad config: ${(err as Error).message}`);
  }
  const checksum = (artifacts.userDefinedMetadata as { ttrnn?: Partial<WeightsChecksum> } | undefined)?.ttrnn;
  if (
    typeof checksum !== 'object' ||
    checksum === null ||
    !Number.isInteger(checksum.byteLength) ||
    typeof checksum.sha256 !== 'string'
  ) {
    fail(what, 'expected userDefinedMetadata.ttrnn {byteLength, sha256} describing the weights');
  }
  const specs = artifacts.weightSpecs;
  if (!Array.isArray(specs)) fail(what, 'expected a weights manifest (weightSpecs)');
  let expectedBytes = 0;
  specs.forEach((s, i) => {
    if (
      typeof s?.name !== 'string' ||
      !Array.isArray(s.shape) ||
      !s.shape.every((d) => Number.isInteger(d) && d >= 0)
    ) {
      fail(
        what,
        `weight entry ${i} (${JSON.stringify(s?.name)}) must have a name and a shape of non-negative integers`,
      );
    }
    if (s.dtype !== 'float32' || s.quantization !== undefined)
      fail(
        what,
        `weight '${s.name}' must be unquantised float32, got ${s.dtype}${s.quantization ? ' (quantised)' : ''}`,
      );
    expectedBytes += 4 * s.shape.reduce((a, b) => a * b, 1);
  });
  if (expectedBytes !== checksum.byteLength)
    fail(what, `the weights manifest covers ${expectedBytes} bytes but the metadata says ${checksum.byteLength}`);
  const bytes = weightBytes(artifacts.weightData);
  if (bytes.byteLength !== expectedBytes) {
    fail(
      what,
      `weights ${bytes.byteLength < expectedBytes ? 'truncated' : 'too long'}: expected ${expectedBytes} bytes, got ${bytes.byteLength}`,
    );
  }
  const digest = sha256Hex(bytes);
  if (digest !== checksum.sha256)
    fail(what, `weights corrupt: SHA-256 ${digest} does not match ${checksum.sha256} in the metadata`);

  const model = createModel(config, 0);
  try {
    const named = model.namedWeights();
    if (named.length !== specs.length)
      fail(what, `the config describes ${named.length} weights but the manifest lists ${specs.length}`);
    named.forEach((w, i) => {
      const s = specs[i]!;
      if (s.name !== w.name) fail(what, `weight ${i} is '${s.name}', expected '${w.name}' for this config`);
      if (shapeString(s.shape) !== shapeString(w.variable.shape)) {
        fail(
          what,
          `weight '${s.name}' has shape ${shapeString(s.shape)}, expected ${shapeString(w.variable.shape)} for this config`,
        );
      }
    });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 0;
    named.forEach((w) => {
      const values = new Float32Array(w.variable.size);
      for (let j = 0; j < values.length; j++) values[j] = view.getFloat32(offset + 4 * j, true);
      offset += 4 * values.length;
      tf.tidy(() => w.variable.assign(tf.tensor(values, w.variable.shape, 'float32')));
    });
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

/** Restores a model saved by `saveModel`; its outputs are bit-identical to the saved model's. */
export async function loadModel(location: ModelLocation): Promise<SequenceModel> {
  const handler = handlerFor(location, 'loadModel');
  const what = typeof location === 'string' ? location : 'the tf.io handler';
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await handler.load!();
  } catch (err) {
    const message = (err as Error).message;
    // Handlers for files already name the file; others (http, indexeddb) get the location added.
    throw new Error(message.includes(what) ? message : `${what}: ${message}`);
  }
  return modelFromArtifacts(artifacts, what);
}
