/**
 * Guards the authors' values: the literal numbers of their protocol (so an edit of paper_results.ts is
 * deliberate), the paper profile against them (so a profile cannot drift silently), the protocol and schedule
 * options, the generated list of differences and the dry run that shows them.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from './args.js';
import { resolveAllOptions } from './commands/all.js';
import { describeResolved } from './commands/dry_run.js';
import { protocolDifferences } from './differences.js';
import { fixedOrder } from './experiments/mnist_run.js';
import { DEFAULT_SPEAKER_OPTIONS, evaluationSet, trainingSpeakers } from './experiments/speaker_run.js';
import {
  PAPER_GRAD_NORMS,
  PAPER_MNIST,
  PAPER_SPEAKER,
  PAPER_SPEAKER_SCHEDULES,
  paperMnistResult,
  paperSpeakerResult,
} from './paper_results.js';
import {
  PAPER_PROFILE,
  QUICK_PROFILE,
  speakerConfigs,
  validateProfile,
  withProtocol,
  withSpeakerSchedule,
} from './profiles.js';

describe("the authors' values", () => {
  it('hold the protocol read from their code', () => {
    expect(PAPER_SPEAKER_SCHEDULES['logged-sweep']).toMatchObject({ lr: 2e-3, steps: 40_000 });
    expect(PAPER_SPEAKER_SCHEDULES.head).toMatchObject({ lr: 1e-3, steps: 20_000 });
    expect(PAPER_SPEAKER.validationEvery).toBe(50);
    expect(PAPER_SPEAKER.evaluation).toMatchObject({
      utterancesPerSpeaker: 32,
      enrol: 16,
      verify: 16,
      windowFrames: 160,
      windowOverlap: 0.5,
    });
    expect(PAPER_SPEAKER).toMatchObject({
      hidden: 768,
      embedding: 256,
      layers: 1,
      speakersPerBatch: 16,
      utterancesPerSpeaker: 32,
      clip: 3,
      dataEfficiencySubset: 'first',
    });
    expect(PAPER_MNIST).toMatchObject({
      lr: 1e-2,
      lrDecayEvery: 10,
      epochs: 20,
      batch: 128,
      hidden: 256,
      clip: null,
      order: 'fixed',
      trainSize: 50_000,
    });
    expect(PAPER_MNIST.logged.trainSize).toBe(60_000);
    expect(PAPER_GRAD_NORMS).toEqual({ steps: 1000, afterClipping: true });
  });

  it('hold a logged result for every speaker configuration and every MNIST marker', () => {
    expect(PAPER_SPEAKER.results).toHaveLength(13);
    expect(paperSpeakerResult('lstm', 2, 2)).toMatchObject({ eer: 4.34, paramsPaper: 13_024 });
    expect(paperSpeakerResult('lstm', 4, 4)).toMatchObject({ eer: 4.28, paramsPaper: 6_512 });
    expect(paperSpeakerResult('lstm', 3, 3)).toMatchObject({ eer: 5.47, paramsPaper: 7_192 });
    expect(paperSpeakerResult('lstm', 0, 0)).toMatchObject({ eer: 7.33, paramsPaper: 2_682_112 });
    expect(paperSpeakerResult('gru', 2, 2)).toBeUndefined();
    expect(paperMnistResult('lstm', 4, 10)).toEqual({ model: 'lstm', cores: 4, rank: 10, error: 1.72, approx: false });
    expect(paperMnistResult('lstm', 2, 8)).toMatchObject({ error: 1.3, approx: true });
    expect(paperMnistResult('lstm', 2, 1)).toMatchObject({ errorRange: [2.0, 2.3], approx: true });
    expect(paperMnistResult('lstm', 2, 1)?.error).toBeUndefined();
    expect(paperMnistResult('lstm', 2, 16)).toBeUndefined();
    expect(paperMnistResult('gru', 2, 2)).toBeUndefined();
  });
});

describe('the paper profile', () => {
  const s = PAPER_PROFILE.speaker.settings;
  /** The speaker settings of the authors' logged sweep. */
  const LOGGED = { lr: 2e-3, steps: 40_000, evalEvery: 50, evalUtterances: 32, subset: 'first' };
  it("runs the speaker encoder with the logged sweep's learning rate, steps, validation interval and evaluation", () => {
    expect(s).toMatchObject({
      ...LOGGED,
      schedule: 'logged-sweep',
      hidden: PAPER_SPEAKER.hidden,
      embedding: PAPER_SPEAKER.embedding,
      layers: PAPER_SPEAKER.layers,
      clip: PAPER_SPEAKER.clip,
      speakersPerBatch: PAPER_SPEAKER.speakersPerBatch,
      utterancesPerSpeaker: PAPER_SPEAKER.utterancesPerSpeaker,
    });
    expect(PAPER_PROFILE.speaker.dataEfficiency.fractions).toEqual(PAPER_SPEAKER.dataEfficiency.fractions);
    for (const c of speakerConfigs(PAPER_PROFILE)) expect(c).toMatchObject(LOGGED);
  });

  it("runs MNIST with the authors' settings in one fixed order", () => {
    const m = PAPER_PROFILE.mnist.settings;
    expect(m).toMatchObject({
      hidden: PAPER_MNIST.hidden,
      epochs: PAPER_MNIST.epochs,
      batch: PAPER_MNIST.batch,
      lr: PAPER_MNIST.lr,
      lrDecayEvery: PAPER_MNIST.lrDecayEvery,
      order: 'fixed',
      trainLimit: 0,
      testLimit: 0,
    });
  });

  it("takes the authors' HEAD schedule on request; the quick profile refuses one", () => {
    const head = withSpeakerSchedule(PAPER_PROFILE, 'head');
    expect(head.speaker.settings).toMatchObject({ lr: 1e-3, steps: 20_000, schedule: 'head', evalEvery: 50 });
    expect(() => validateProfile(head)).not.toThrow();
    expect(() => withSpeakerSchedule(QUICK_PROFILE, 'head')).toThrow(/applies to the paper profile only/);
  });

  it("the standalone speaker run defaults to the authors' values too", () => {
    expect(DEFAULT_SPEAKER_OPTIONS).toMatchObject({
      ...LOGGED,
      hidden: 768,
      embedding: 256,
      speakers: 16,
      utterances: 32,
      clip: 3,
    });
  });
});

describe('protocols', () => {
  it("ttrnn reshuffles MNIST, draws seeded subsets and evaluates every usable utterance; authors' is the default", () => {
    for (const base of [QUICK_PROFILE, PAPER_PROFILE]) {
      expect(base.protocol).toBe('authors');
      const t = withProtocol(base, 'ttrnn');
      expect(t.protocol).toBe('ttrnn');
      expect(t.mnist.settings.order).toBe('reshuffle');
      expect(t.pmnist.settings.order).toBe('reshuffle');
      expect(t.speaker.settings).toMatchObject({ subset: 'seeded', evalUtterances: 0 });
      const a = withProtocol(t, 'authors');
      expect(a.mnist.settings.order).toBe('fixed');
      expect(a.speaker.settings).toMatchObject({ subset: 'first', evalUtterances: 32 });
    }
  });

  it('picks data-efficiency speakers as int(f·N) first ones (authors) or a seeded round(f·N) (ttrnn)', () => {
    const all = Array.from({ length: 251 }, (_, i) => i);
    const o = { trainLimit: 0, speakers: 16, seed: 1 };
    expect(trainingSpeakers(all, { ...o, subset: 'first', trainFraction: 0.2 })).toEqual(all.slice(0, 50));
    expect(trainingSpeakers(all, { ...o, subset: 'first', trainFraction: 0.6 })).toEqual(all.slice(0, 150));
    // int() truncates: 0.29·100 is 28.999… in floating point, so 28 speakers, as in the authors' Python.
    expect(trainingSpeakers(all.slice(0, 100), { ...o, subset: 'first', trainFraction: 0.29 })).toHaveLength(28);
    const seeded = trainingSpeakers(all, { ...o, subset: 'seeded', trainFraction: 0.6 });
    expect(seeded).toHaveLength(151);
    expect(seeded).not.toEqual(all.slice(0, 151));
    expect(seeded).toEqual([...seeded].sort((a, b) => a - b));
    expect(trainingSpeakers(all, { ...o, subset: 'seeded', trainFraction: 0.6 })).toEqual(seeded);
    // Never fewer than one batch's speakers.
    expect(trainingSpeakers(all.slice(0, 24), { ...o, speakers: 5, subset: 'first', trainFraction: 0.2 })).toEqual([
      0, 1, 2, 3, 4,
    ]);
  });

  it("evaluates the first 32 usable utterances of each speaker, enrolment half first (the runner's evaluation set)", () => {
    // Utterance u of speaker s has 240 frames (2 windows at 0 and 80) whose first value is s·1000 + u; utterance 3 is too short.
    const speaker = (s: number, n: number) => ({
      id: `s${s}`,
      utterances: Array.from({ length: n }, (_, u) => {
        const frames = u === 3 ? 100 : 240;
        const data = new Float32Array(frames * 2).fill(s * 1000 + u);
        return { id: `s${s}-${u}`, speaker: `s${s}`, file: `s${s}-${u}.flac`, data, frames, nMels: 2 };
      }),
    });
    const set = evaluationSet([speaker(0, 40), speaker(1, 10)], 0, 32);
    expect(set.map((s) => s.length)).toEqual([32, 9]);
    const firstValues = set[0]!.map((u) => u.windows[0]![0]);
    // Usable utterances 0, 1, 2, 4, …, 32 (3 is short): the first 32 of them, the first 16 enrolling.
    expect(firstValues).toEqual([0, 1, 2, ...Array.from({ length: 29 }, (_, i) => 4 + i)]);
    expect(set[0]!.every((u) => u.windows.length === 2)).toBe(true);
    expect(evaluationSet([speaker(0, 40)], 0, 0)[0]).toHaveLength(39);
  });

  it("keeps the authors' MNIST order fixed: one seeded permutation of the split", () => {
    const subset = { source: {} as never, indices: Int32Array.from([3, 8, 12, 20, 31, 40, 41, 57]) };
    const a = fixedOrder(subset, 7);
    expect([...a.indices].sort((x, y) => x - y)).toEqual([...subset.indices]);
    expect([...a.indices]).not.toEqual([...subset.indices]);
    expect([...fixedOrder(subset, 7).indices]).toEqual([...a.indices]);
  });
});

describe('differences from the authors', () => {
  const find = (ds: ReturnType<typeof protocolDifferences>, what: string) => ds.find((d) => d.what === what);

  it('leave only what cannot be matched here for the paper profile on LibriSpeech', () => {
    const ds = protocolDifferences(PAPER_PROFILE, { speakerData: 'librispeech' });
    expect(ds.map((d) => `${d.experiment}: ${d.what}`).sort()).toEqual([
      'mnist: model selection',
      'mnist: training images',
      'speaker: TT-LSTM input-to-hidden bias',
      'speaker: seed',
    ]);
    expect(find(ds, 'training images')).toMatchObject({
      ours: '50,000 (a 50,000/10,000 split)',
      authors: '50,000 at HEAD; the logged numbers: all 60,000',
    });
  });

  it('name each difference of the quick profile with both values', () => {
    const ds = protocolDifferences(QUICK_PROFILE, { speakerData: 'synthetic' });
    expect(find(ds, 'Adam learning rate (constant)')).toEqual({
      experiment: 'speaker',
      what: 'Adam learning rate (constant)',
      ours: '3e-3',
      authors: '2e-3 in the logged sweep (1e-3 at HEAD)',
    });
    expect(find(ds, 'training steps')).toMatchObject({
      ours: '150',
      authors: '40,000 in the logged sweep (20,000 at HEAD)',
    });
    expect(find(ds, 'hidden units')).toMatchObject({ experiment: 'mnist', ours: '128', authors: '256' });
    expect(find(ds, 'corpus')?.authors).toMatch(/LibriSpeech/);
    const hist = ds.filter((d) => d.what === 'gradient-norm histogram');
    expect(hist).toEqual([
      {
        experiment: 'mnist',
        what: 'gradient-norm histogram',
        ours: 'global norms of all 471 steps after clipping (the run is shorter than 1,000 steps)',
        authors: 'the first 1,000 steps after clipping',
      },
      {
        experiment: 'speaker',
        what: 'gradient-norm histogram',
        ours: 'global norms of all 150 steps after clipping (the run is shorter than 1,000 steps)',
        authors: 'the first 1,000 steps after clipping',
      },
    ]);
    expect(find(ds, 'TT models')?.ours).toBe('TT-LSTM 2, 3 cores × ranks 1, 2, 4; TT-LSTM c4 r4; TT-GRU c2 r2');
    // The quick profile validates every 50 steps and evaluates 32 utterances, as the authors: not differences.
    expect(find(ds, 'validation interval')).toBeUndefined();
    expect(find(ds, 'evaluation utterances per speaker')).toBeUndefined();
    expect(find(ds, 'epoch order')).toBeUndefined();
  });

  it("list the ttrnn protocol's choices and every override", () => {
    const p = withProtocol(PAPER_PROFILE, 'ttrnn');
    const ds = protocolDifferences(
      { ...p, speaker: { ...p.speaker, settings: { ...p.speaker.settings, evalEvery: 500 } } },
      { speakerData: 'librispeech' },
    );
    expect(find(ds, 'epoch order')).toMatchObject({
      ours: 'reshuffled every epoch',
      authors: 'one order for every epoch (the loader does not shuffle)',
    });
    expect(find(ds, 'data-efficiency speakers')).toMatchObject({ ours: 'a seeded random subset of round(f·N)' });
    expect(find(ds, 'evaluation utterances per speaker')?.ours).toMatch(/every usable utterance/);
    expect(find(ds, 'validation interval')).toMatchObject({ ours: 'every 500 steps', authors: 'every 50 steps' });
  });
});

describe('pnpm run exp all --profile paper --only speaker --dry-run', () => {
  it("prints the authors' learning rate, steps, validation interval and evaluation protocol", async () => {
    const o = await resolveAllOptions(['--profile', 'paper', '--only', 'speaker', '--dry-run']);
    expect(o.dryRun).toBe(true);
    expect(o.run).toBe('paper');
    const text = describeResolved(o);
    expect(text).toMatch(/learning rate +Adam 2e-3, constant/);
    expect(text).toMatch(/steps +40,000/);
    expect(text).toMatch(/validation +every 50 steps/);
    expect(text).toMatch(
      /evaluation +the first 32 utterances of each speaker in corpus order \(16 enrol, 16 verify; a speaker with fewer enrols the first half of its own\), all speakers of the split at once/,
    );
    expect(text).toMatch(/protocol +authors:/);
    expect(text).toContain('speaker-ttlstm-c4-r4');
    expect(text).not.toMatch(/row MNIST/);
  });

  it('shows the HEAD schedule and the ttrnn protocol in a run directory of their own', async () => {
    const o = await resolveAllOptions([
      '--profile',
      'paper',
      '--only',
      'speaker',
      '--speaker-schedule',
      'head',
      '--protocol',
      'ttrnn',
      '--dry-run',
    ]);
    expect(o.run).toBe('paper-ttrnn-head');
    const text = describeResolved(o);
    expect(text).toMatch(/learning rate +Adam 1e-3/);
    expect(text).toMatch(/steps +20,000/);
    expect(text).toMatch(/every usable utterance/);
    await expect(resolveAllOptions(['--speaker-schedule', 'head'])).rejects.toThrow(
      /option --speaker-schedule applies to the paper profile only/,
    );
    const refused: [string[], string][] = [
      [['--profile', 'huge'], "option --profile of 'all' must be one of quick, paper, got 'huge'"],
      [['--protocol', 'mine'], "option --protocol of 'all' must be one of authors, ttrnn, got 'mine'"],
      [
        ['--speaker-schedule', 'fast'],
        "option --speaker-schedule of 'all' must be one of logged-sweep, head, got 'fast'",
      ],
    ];
    for (const [argv, message] of refused)
      await expect(resolveAllOptions(argv)).rejects.toThrow(new UsageError(message));
    await expect(resolveAllOptions(['--profile', 'paper', '--steps', '125'])).rejects.toThrow(
      /'speaker.steps' \(125\) must be a multiple of 'speaker.evalEvery' \(50\)/,
    );
  });
});
