import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { fileSystem, registerFileRouter } from './file_io.js';
import type { ModelConfig } from './model_config.js';
import { createModel } from './models.js';
import type { SequenceModel } from './models.js';
import { loadModel, modelArtifacts, saveModel } from './save_load.js';
import { randomTensor } from './test_util/random.js';

registerFileRouter();

const root = mkdtempSync(join(tmpdir(), 'ttrnn-save-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = (): string => join(root, `m${counter++}`);

const TT_SPEAKER: ModelConfig = {
  task: 'speaker',
  cell: 'lstm',
  tt: { cores: 2, rank: 2, extraCore: 'first', naive: false },
  inputSize: 6,
  hiddenSize: 8,
  layers: 2,
  outputSize: 4,
  mode: 'auto',
};
const DENSE_GRU: ModelConfig = {
  task: 'classifier',
  cell: 'gru',
  tt: null,
  inputSize: 6,
  hiddenSize: 8,
  layers: 1,
  outputSize: 3,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form edits of a parsed JSON document
type Json = Record<string, any>;

/** A model whose first weight is moved off its initial value, so a round trip cannot pass by re-initialisation. */
function trainedLooking(config: ModelConfig, seed: number): SequenceModel {
  const model = createModel(config, seed);
  const first = model.namedWeights()[0]!.variable;
  tf.tidy(() => first.assign(tf.add(first, 0.25)));
  return model;
}

function expectSameOutputs(a: SequenceModel, b: SequenceModel): void {
  expect(b.config).toEqual(a.config);
  expect(b.namedWeights().map((w) => w.name)).toEqual(a.namedWeights().map((w) => w.name));
  const x = randomTensor([2, 5, 6], 7) as tf.Tensor3D;
  const ya = a.apply(x);
  const yb = b.apply(x);
  expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
  tf.dispose([x, ya, yb]);
}

async function savedDir(config: ModelConfig): Promise<string> {
  const dir = freshDir();
  const model = createModel(config, 3);
  await saveModel(model, dir);
  model.dispose();
  return dir;
}

describe('saveModel / loadModel on the file system', () => {
  it.each([
    ['TT speaker', TT_SPEAKER],
    ['dense GRU classifier', DENSE_GRU],
  ] as const)('%s round trip is bit-identical', async (_n, config) => {
    const dir = freshDir();
    const model = trainedLooking(config, 42);
    const result = await saveModel(model, dir);
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(
      model.namedWeights().reduce((n, w) => n + 4 * w.variable.size, 0),
    );
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await loadModel(dir);
    expectSameOutputs(model, loaded);
    // Saving again over the same directory replaces the files atomically (no temporary file left).
    await saveModel(loaded, `file://${dir}`);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const again = await loadModel(`file://${join(dir, 'model.json')}`);
    expectSameOutputs(model, again);
    model.dispose();
    loaded.dispose();
    again.dispose();
  });

  it('writes standard tf.io artifacts: modelTopology with the config, a weightsManifest, the checksum in userDefinedMetadata', async () => {
    const dir = await savedDir(TT_SPEAKER);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Json;
    expect(json['format']).toBe('ttrnn-model');
    expect(json['modelTopology']).toMatchObject({
      format: 'ttrnn-model',
      version: 2,
      config: { cell: 'lstm', tt: { cores: 2, rank: 2, extraCore: 'first' } },
    });
    expect(json['weightsManifest']).toHaveLength(1);
    expect(json['weightsManifest'][0].paths).toEqual(['weights.bin']);
    const specs = json['weightsManifest'][0].weights as Json[];
    expect(specs.find((w) => w['name'] === 'rnn.cell0.input_weights.parameters.0')).toEqual({
      name: 'rnn.cell0.input_weights.parameters.0',
      shape: [1, 4, 1, 2],
      dtype: 'float32',
    });
    const bytes = readFileSync(join(dir, 'weights.bin'));
    expect(json['userDefinedMetadata'].ttrnn.byteLength).toBe(bytes.length);
    // tfjs's own reader decodes the same weights from these artifacts.
    const artifacts = await fileSystem(dir).load!();
    const decoded = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
    const model = await loadModel(dir);
    for (const { name, variable } of model.namedWeights())
      expect(Array.from(decoded[name]!.dataSync())).toEqual(Array.from(variable.dataSync()));
    tf.dispose(Object.values(decoded));
    model.dispose();
  });

  it('loads a model saved in the earlier directory format (version 1), with the defaults for options it predates (and without the old backward field)', async () => {
    const model = trainedLooking({ ...TT_SPEAKER, checkpoint: 3, path: 'plain' }, 5);
    const artifacts = await modelArtifacts(model);
    let offset = 0;
    const entries = artifacts.weightSpecs!.map((s) => {
      const byteLength = 4 * s.shape.reduce((a, b) => a * b, 1);
      const e = { name: s.name, shape: s.shape, offset, byteLength };
      offset += byteLength;
      return e;
    });
    const config = { ...(artifacts.modelTopology as Json)['config'] } as Json;
    const v1 = {
      format: 'ttrnn-model',
      version: 1,
      config,
      weights: {
        file: 'weights.bin',
        dtype: 'float32',
        byteOrder: 'little-endian',
        byteLength: offset,
        sha256: (artifacts.userDefinedMetadata as Json)['ttrnn'].sha256,
        entries,
      },
    };
    const dir = freshDir();
    await saveModel(model, dir); // for weights.bin, identical in both formats
    writeFileSync(join(dir, 'model.json'), JSON.stringify(v1));
    const kept = await loadModel(dir);
    expectSameOutputs(model, kept);
    expect([kept.config.checkpoint, kept.config.path]).toEqual([3, 'plain']);
    delete config['path'];
    delete config['checkpoint'];
    config['backward'] = 'fused';
    writeFileSync(join(dir, 'model.json'), JSON.stringify(v1));
    const old = await loadModel(dir);
    expect([old.config.checkpoint, old.config.path, 'backward' in old.config]).toEqual([null, 'auto', false]);
    model.dispose();
    kept.dispose();
    old.dispose();
  });

  it('rejects missing, truncated and corrupt weight files, naming the file', async () => {
    const dir = await savedDir(TT_SPEAKER);
    const weights = join(dir, 'weights.bin');
    const good = readFileSync(weights);
    writeFileSync(weights, good.subarray(0, good.length - 4));
    await expect(loadModel(dir)).rejects.toThrow(
      new RegExp(`m\\d+: weights truncated: expected ${good.length} bytes, got ${good.length - 4}`),
    );
    const corrupt = Buffer.from(good);
    corrupt[10] = corrupt[10]! ^ 0xff;
    writeFileSync(weights, corrupt);
    await expect(loadModel(dir)).rejects.toThrow(/weights corrupt: SHA-256 .* does not match/);
    rmSync(weights);
    await expect(loadModel(dir)).rejects.toThrow(/weights.bin: cannot read the weights/);
    await expect(loadModel(join(root, 'nowhere'))).rejects.toThrow(
      /nowhere\/model.json: cannot read the model description/,
    );
  });

  it('rejects a wrong shape, an unknown layer kind, a bad version and bad JSON without leaking tensors', async () => {
    const dir = await savedDir(TT_SPEAKER);
    const path = join(dir, 'model.json');
    const good = readFileSync(path, 'utf8');
    const edit = (f: (m: Json) => void): void => {
      const m = JSON.parse(good) as Json;
      f(m);
      writeFileSync(path, JSON.stringify(m));
    };
    const before = tf.memory().numTensors;
    // A config whose shapes differ from the stored weights (rank 3 instead of 2).
    edit((m) => (m['modelTopology'].config.tt.rank = 3));
    await expect(loadModel(dir)).rejects.toThrow(
      /weight 'rnn.cell0.input_weights.parameters.0' has shape \[1, 4, 1, 2\], expected \[1, 4, 1, 3\]/,
    );
    edit((m) => (m['modelTopology'].config.cell = 'rnn'));
    await expect(loadModel(dir)).rejects.toThrow(
      /bad config: 'config.cell' passed to 'loadModel' must be one of 'lstm', 'gru'/,
    );
    edit((m) => (m['modelTopology'].config.tt.extraCore = 'middle'));
    await expect(loadModel(dir)).rejects.toThrow(/bad config: .*extraCore/);
    edit((m) => (m['modelTopology'].version = 99));
    await expect(loadModel(dir)).rejects.toThrow(/expected format version 2, got 99/);
    edit((m) => (m['format'] = 'layers-model'));
    await expect(loadModel(dir)).rejects.toThrow(
      /expected a ttrnn model .* got format "layers-model"; a Keras-style model loads with tf.loadLayersModel/,
    );
    edit((m) => m['weightsManifest'][0].weights[1].shape.push(2));
    await expect(loadModel(dir)).rejects.toThrow(/the weights manifest covers \d+ bytes but the metadata says \d+/);
    edit((m) => (m['weightsManifest'][0].weights[1].dtype = 'int32'));
    await expect(loadModel(dir)).rejects.toThrow(/weight 'rnn\.[^']+' must be unquantised float32, got int32/);
    writeFileSync(path, good.slice(0, 20));
    await expect(loadModel(dir)).rejects.toThrow(/model.json: invalid JSON/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says which URL schemes it knows when none accepts the location', async () => {
    const model = createModel(DENSE_GRU, 1);
    await expect(saveModel(model, 'ftp://host/model')).rejects.toThrow(
      /'location' passed to 'saveModel': no tf.io handler accepts 'ftp:\/\/host\/model'; known: indexeddb:\/\//,
    );
    await expect(loadModel({} as tf.io.IOHandler)).rejects.toThrow(
      /'location' passed to 'loadModel' must be a URL string or a tf.io handler with a load\(\) method/,
    );
    model.dispose();
  });
});

describe('saveModel / loadModel through other tf.io handlers', () => {
  it('round-trips through an in-memory handler (what indexeddb:// and localstorage:// hand over)', async () => {
    const model = trainedLooking(TT_SPEAKER, 9);
    let stored: tf.io.ModelArtifacts | undefined;
    await saveModel(
      model,
      tf.io.withSaveHandler(async (artifacts) => {
        stored = artifacts;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
    const loaded = await loadModel(tf.io.fromMemory(stored!));
    expectSameOutputs(model, loaded);
    model.dispose();
    loaded.dispose();
  });

  it("loads over http:// with tfjs's own http handler from a directory saved with file://", async () => {
    const model = trainedLooking(DENSE_GRU, 11);
    const dir = freshDir();
    await saveModel(model, `file://${dir}`);
    const server = createServer((req, res) => {
      try {
        const body = readFileSync(join(dir, (req.url ?? '/').slice(1)));
        res.writeHead(200, {
          'content-type': req.url?.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const loaded = await loadModel(`http://127.0.0.1:${port}/model.json`);
      expectSameOutputs(model, loaded);
      loaded.dispose();
      await expect(loadModel(`http://127.0.0.1:${port}/missing/model.json`)).rejects.toThrow(
        /http:\/\/127.0.0.1:\d+\/missing\/model.json.*404/,
      );
    } finally {
      server.close();
      model.dispose();
    }
  });
});
