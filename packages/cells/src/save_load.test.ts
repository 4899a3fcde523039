import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from './model_config.js';
import { createModel } from './models.js';
import { loadModel, saveModel } from './save_load.js';
import { randomTensor } from './test_util/random.js';

const root = mkdtempSync(join(tmpdir(), 'ttrnn-save-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = (): string => join(root, `m${counter++}`);

const TT_SPEAKER: ModelConfig = {
  task: 'speaker', cell: 'lstm', tt: { cores: 2, rank: 2, extraCore: 'first', naive: false }, inputSize: 6, hiddenSize: 8, layers: 2, outputSize: 4, mode: 'auto',
};
const DENSE_GRU: ModelConfig = { task: 'classifier', cell: 'gru', tt: null, inputSize: 6, hiddenSize: 8, layers: 1, outputSize: 3 };

async function savedDir(config: ModelConfig): Promise<string> {
  const dir = freshDir();
  const model = createModel(config, 3);
  await saveModel(model, dir);
  model.dispose();
  return dir;
}

describe('saveModel / loadModel', () => {
  it.each([['TT speaker', TT_SPEAKER], ['dense GRU classifier', DENSE_GRU]] as const)('%s round trip is bit-identical', async (_n, config) => {
    const dir = freshDir();
    const model = createModel(config, 42);
    // Move a weight off its initial value, so the test does not pass by re-initialisation.
    const first = model.namedWeights()[0]!.variable;
    tf.tidy(() => first.assign(tf.add(first, 0.25)));
    await saveModel(model, dir);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await loadModel(dir);
    expect(loaded.config).toEqual(model.config);
    expect(loaded.namedWeights().map((w) => w.name)).toEqual(model.namedWeights().map((w) => w.name));
    const x = randomTensor([2, 5, 6], 7) as tf.Tensor3D;
    const a = model.apply(x);
    const b = loaded.apply(x);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    // Saving again over the same directory replaces the files atomically.
    await saveModel(loaded, dir);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('a model saved before path and checkpoint existed (or with the old backward field) loads with the defaults; a saved path and checkpoint are kept', async () => {
    const dir = await savedDir({ ...TT_SPEAKER, checkpoint: 3, path: 'plain' });
    const kept = await loadModel(dir);
    expect([kept.config.checkpoint, kept.config.path]).toEqual([3, 'plain']);
    kept.dispose();
    const file = join(dir, 'model.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { config: Record<string, unknown> };
    delete manifest.config['path'];
    delete manifest.config['checkpoint'];
    manifest.config['backward'] = 'fused';
    writeFileSync(file, JSON.stringify(manifest));
    const old = await loadModel(dir);
    expect([old.config.checkpoint, old.config.path, 'backward' in old.config]).toEqual([null, 'auto', false]);
    old.dispose();
  });

  it('rejects missing, truncated and corrupt weight files, naming the file', async () => {
    const dir = await savedDir(TT_SPEAKER);
    const weights = join(dir, 'weights.bin');
    const good = readFileSync(weights);
    writeFileSync(weights, good.subarray(0, good.length - 4));
    await expect(loadModel(dir)).rejects.toThrow(new RegExp(`weights.bin: truncated: expected ${good.length} bytes, got ${good.length - 4}`));
    const corrupt = Buffer.from(good);
    corrupt[10] = corrupt[10]! ^ 0xff;
    writeFileSync(weights, corrupt);
    await expect(loadModel(dir)).rejects.toThrow(/weights.bin: corrupt: SHA-256 .* does not match/);
    rmSync(weights);
    await expect(loadModel(dir)).rejects.toThrow(/weights.bin: cannot read the weights/);
    await expect(loadModel(join(root, 'nowhere'))).rejects.toThrow(/model.json: cannot read the model description/);
  });

  it('rejects a wrong shape, an unknown layer kind and a bad format without leaking tensors', async () => {
    const dir = await savedDir(TT_SPEAKER);
    const path = join(dir, 'model.json');
    const good = readFileSync(path, 'utf8');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form edits of a parsed JSON document
    type Json = Record<string, any>;
    const edit = (f: (m: Json) => void): void => {
      const m = JSON.parse(good) as Json;
      f(m);
      writeFileSync(path, JSON.stringify(m));
    };
    const before = tf.memory().numTensors;
    // A config whose shapes differ from the stored weights (rank 3 instead of 2).
    edit((m) => (m['config'].tt.rank = 3));
    await expect(loadModel(dir)).rejects.toThrow(/model.json: weight 'rnn.cell0.input_weights.parameters.0' has shape \[1, 4, 1, 2\], expected \[1, 4, 1, 3\]/);
    edit((m) => (m['config'].cell = 'rnn'));
    await expect(loadModel(dir)).rejects.toThrow(/model.json: bad config: 'config.cell' passed to 'loadModel' must be one of 'lstm', 'gru'/);
    edit((m) => (m['config'].tt.extraCore = 'middle'));
    await expect(loadModel(dir)).rejects.toThrow(/model.json: bad config: .*extraCore/);
    edit((m) => (m['version'] = 99));
    await expect(loadModel(dir)).rejects.toThrow(/model.json: expected format version 1, got 99/);
    edit((m) => (m['weights'].entries[1].offset += 4));
    await expect(loadModel(dir)).rejects.toThrow(/model.json: weight entry 1/);
    writeFileSync(path, good.slice(0, 20));
    await expect(loadModel(dir)).rejects.toThrow(/model.json: invalid JSON/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
