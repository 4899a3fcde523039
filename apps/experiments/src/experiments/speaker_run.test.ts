import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SpeakerFeatureSet, SpeakerFeatures } from '@ttrnn/datasets/node';
import { Rng } from '@ttrnn/random';
import { readMetrics } from '@ttrnn/training/node';
import { tt } from '../profiles.js';
import { clock, tempDirs, withoutSeconds } from '../test_util/run.js';
import type { SpeakerRunOptions } from './speaker_run.js';
import { autoSpeakerCheckpoint, resolveSpeakerOptions, runSpeaker } from './speaker_run.js';

const tempDir = tempDirs('speaker');

const MELS = 4;
/** Speakers whose frames scatter around a speaker-specific mean. */
function speakers(prefix: string, n: number, utterances: number, rng: Rng): SpeakerFeatures[] {
  return Array.from({ length: n }, (_, s) => {
    const mean = Array.from(rng.normalArray(MELS));
    const id = `${prefix}${s}`;
    return {
      id,
      utterances: Array.from({ length: utterances }, (_, u) => {
        const frames = 160 + rng.int(100);
        const data = new Float32Array(frames * MELS);
        for (let i = 0; i < data.length; i++) data[i] = (mean[i % MELS] as number) + 0.5 * rng.normal();
        return { id: `${id}-${u}`, speaker: id, file: `mem:${id}-${u}`, data, frames, nMels: MELS };
      }),
    };
  });
}
function featureSet(): SpeakerFeatureSet {
  const rng = new Rng(1);
  return {
    name: 'in-memory test corpus',
    options: {} as SpeakerFeatureSet['options'],
    splits: {
      train: speakers('tr', 5, 4, rng),
      validation: speakers('va', 3, 4, rng),
      test: speakers('te', 3, 4, rng),
    },
    skipped: [],
    cache: null,
  };
}
function small(runDir: string): Partial<SpeakerRunOptions> {
  return {
    ...tt('lstm', 2, 2),
    hidden: 8,
    embedding: 4,
    steps: 6,
    evalEvery: 3,
    speakers: 3,
    utterances: 3,
    runDir,
    checkpointEvery: 2,
  };
}

describe('runSpeaker', () => {
  it('trains with GE2E, validates and tests by EER, and resumes to the same result', async () => {
    const features = featureSet();
    const a = join(tempDir(), 'a');
    const ref = await runSpeaker(small(a), { now: clock(), features });
    expect(ref.status).toBe('finished');
    expect(ref.steps).toBe(6);
    expect(ref.curve).toHaveLength(2);
    expect(ref.testEer).toBeGreaterThanOrEqual(0);
    expect(ref.testEer).toBeLessThanOrEqual(1);
    expect(ref.validationSpeakers).toBe(3);
    expect(ref.trainSpeakers).toBe(5);
    expect(ref.gradNorms).toHaveLength(6);
    const steps = readMetrics(join(a, 'metrics.jsonl')).filter((r) => r['type'] === 'step');
    expect(steps.every((s) => typeof s['eer'] === 'number' && typeof s['gradNorm'] === 'number')).toBe(true);

    const b = join(tempDir(), 'b');
    const stopped = await runSpeaker(small(b), { now: clock(), features, maxSteps: 4 });
    expect(stopped.status).toBe('interrupted');
    const resumed = await runSpeaker({ ...small(b), resume: true }, { now: clock(), features });
    expect(resumed.testEer).toBe(ref.testEer);
    expect(resumed.gradNorms).toEqual(ref.gradNorms);
    expect(withoutSeconds(readMetrics(join(b, 'metrics.jsonl')))).toEqual(
      withoutSeconds(readMetrics(join(a, 'metrics.jsonl'))),
    );
    const again = await runSpeaker(small(b), { now: clock(), features });
    expect(again.reused).toBe(true);
  });

  it('rejects impossible options with the option named', () => {
    expect(() => resolveSpeakerOptions({ steps: 10, evalEvery: 3 })).toThrow(
      /'steps' passed to 'runSpeaker' \(10\) must be a multiple of 'evalEvery' \(3\)/,
    );
    expect(() => resolveSpeakerOptions({ speakers: 1 })).toThrow(/'speakers'/);
    expect(() => resolveSpeakerOptions({ corpus: 'librispeech' })).toThrow(
      /'dataDir' passed to 'runSpeaker' is required/,
    );
    expect(() => resolveSpeakerOptions({ lr: 0 })).toThrow(/'lr'/);
    expect(() => resolveSpeakerOptions({ checkpoint: -3 })).toThrow(
      /'checkpoint' passed to 'runSpeaker' must be an integer from 0 to 2147483647, got -3/,
    );
    expect(resolveSpeakerOptions({ steps: 60, evalEvery: 0 }).evalEvery).toBe(60);
  });
});

describe('autoSpeakerCheckpoint', () => {
  it('is off for small encoders and on for the paper-size encoder, unless given', () => {
    expect(autoSpeakerCheckpoint(5, 6, 128)).toBe(0);
    expect(autoSpeakerCheckpoint(16, 32, 768)).toBe(16);
    expect(resolveSpeakerOptions({}).checkpoint).toBe(16); // paper defaults: hidden 768, 16 × 32
    expect(resolveSpeakerOptions({ hidden: 128, speakers: 5, utterances: 6 }).checkpoint).toBe(0);
    expect(resolveSpeakerOptions({ checkpoint: 0 }).checkpoint).toBe(0);
  });

  it('lists every skipped input file and speaker in the result (JSON) and the summary', async () => {
    const skipped = [
      {
        file: 'spk1/broken.wav',
        reason: 'spk1/broken.wav: truncated WAV: its data chunk declares 200 bytes, the file holds 120',
      },
      { file: 'spk9', reason: "speaker 'spk9' in train has no readable utterance" },
    ];
    const features = { ...featureSet(), skipped };
    const r = await runSpeaker(
      { ...small(join(tempDir(), 'run')), steps: 3, evalEvery: 3 },
      { now: clock(), features },
    );
    expect(r.skippedFiles).toEqual(skipped);
    expect(JSON.parse(JSON.stringify(r)).skippedFiles).toEqual(skipped);
    const { speakerCommand } = await import('../commands/speaker.js');
    const text = speakerCommand.summarize(r);
    expect(text).toContain('skipped           2 input file(s) or speaker(s) that could not be read:');
    expect(text).toContain('    spk1/broken.wav: spk1/broken.wav: truncated WAV');
    expect(text).toContain("    spk9: speaker 'spk9' in train has no readable utterance");
  });
});
