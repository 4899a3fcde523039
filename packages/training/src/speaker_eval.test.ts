import { afterEach, describe, expect, it } from 'vitest';
import { embedUtterances, evaluateSpeakerModel } from './speaker_eval.js';
import { TinyRnn } from './test_util/tiny_model.js';

const models: TinyRnn[] = [];
afterEach(() => {
  for (const m of models.splice(0)) m.dispose();
});

describe('speaker evaluation', () => {
  it('averages window embeddings per utterance, whatever the batch size', async () => {
    const m = new TinyRnn(2, 4, 3, 1);
    models.push(m);
    const w = (v: number): Float32Array => Float32Array.from({ length: 6 }, (_, i) => v + i / 10);
    const utts = [{ windows: [w(0), w(1)] }, { windows: [w(2)] }, { windows: [w(3), w(4), w(5)] }];
    const a = await embedUtterances(m, utts, { frames: 3, features: 2, batchSize: 2 });
    const b = await embedUtterances(m, utts, { frames: 3, features: 2, batchSize: 64 });
    const single = await embedUtterances(m, [{ windows: [w(0)] }, { windows: [w(1)] }], { frames: 3, features: 2 });
    expect(a).toHaveLength(3);
    for (let i = 0; i < 3; i++) for (let d = 0; d < 3; d++) expect(a[i]![d]).toBeCloseTo(b[i]![d]!, 6);
    for (let d = 0; d < 3; d++) expect(a[0]![d]).toBeCloseTo((single[0]![d]! + single[1]![d]!) / 2, 6);
    await expect(embedUtterances(m, [{ windows: [new Float32Array(5)] }], { frames: 3, features: 2 })).rejects.toThrow(
      /expected 3×2/,
    );
  });
  it('gives an EER in [0, 1] with the prefix', async () => {
    const m = new TinyRnn(1, 4, 3, 2);
    models.push(m);
    const speakers = [0, 1, 2].map((s) =>
      [0, 1, 2, 3].map((u) => ({ windows: [Float32Array.from({ length: 4 }, (_, i) => s - 1 + 0.01 * (u + i))] })),
    );
    const r = await evaluateSpeakerModel(m, speakers, { frames: 4, features: 1, prefix: 'test' });
    expect(r['testEer']).toBeGreaterThanOrEqual(0);
    expect(r['testEer']).toBeLessThanOrEqual(1);
  });
});
