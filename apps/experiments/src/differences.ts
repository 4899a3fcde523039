/**
 * Every way a profile's runs differ from the authors' runs, generated from the (overridden) profile and the
 * authors' values in paper_results.ts, each with both values. The report prints the list as its
 * "Differences from the authors' runs" section; `protocol.test.ts` checks that the paper profile under the
 * authors' protocol leaves only the differences that cannot be removed here.
 */
import { PAPER_GRAD_NORMS, PAPER_MNIST, PAPER_SPEAKER, PAPER_SPEAKER_SCHEDULES } from './paper_results.js';
import type { Profile } from './profiles.js';

export interface Difference {
  readonly experiment: 'mnist' | 'speaker';
  readonly what: string;
  readonly ours: string;
  readonly authors: string;
}

/** Where the speaker data of a run come from. */
export type SpeakerData = 'synthetic' | 'librispeech' | 'folders';

const num = (v: number): string => v.toLocaleString('en-US');
const lr = (v: number): string => v.toExponential();
const list = (xs: readonly number[]): string => xs.join(', ');

/** The differences of `p` from the authors' runs (empty for a difference that does not hold). */
export function protocolDifferences(p: Profile, data: { readonly speakerData: SpeakerData }): Difference[] {
  const out: Difference[] = [];
  const rows = (experiment: 'mnist' | 'speaker') => {
    const add = (what: string, ours: string, authors: string, holds: boolean): void => {
      if (holds) out.push({ experiment, what, ours, authors });
    };
    /** A setting shown as a number on both sides, different when the numbers are. */
    const same = (what: string, ours: number, authors: number, fmt: (v: number) => string = num): void =>
      add(what, fmt(ours), fmt(authors), ours !== authors);
    return { add, same };
  };

  // Row MNIST.
  const mnist = rows('mnist');
  const m = p.mnist.settings;
  mnist.same('hidden units', m.hidden, PAPER_MNIST.hidden);
  mnist.same('layers', m.layers, PAPER_MNIST.layers);
  mnist.same('epochs', m.epochs, PAPER_MNIST.epochs);
  mnist.same('batch', m.batch, PAPER_MNIST.batch);
  mnist.same('Adam learning rate', m.lr, PAPER_MNIST.lr, lr);
  mnist.add(
    'learning-rate decay',
    m.lrDecayEvery > 0 ? `×0.1 every ${m.lrDecayEvery} epochs` : 'none',
    PAPER_MNIST.lrDecay,
    m.lrDecayEvery !== PAPER_MNIST.lrDecayEvery,
  );
  mnist.add(
    'training images',
    m.trainLimit > 0 ? `the first ${num(m.trainLimit)} of a 50,000/10,000 split` : '50,000 (a 50,000/10,000 split)',
    `${num(PAPER_MNIST.trainSize)} at HEAD; the logged numbers: all ${num(PAPER_MNIST.logged.trainSize)}`,
    true,
  );
  mnist.add(
    'model selection',
    'best validation accuracy, then its test accuracy',
    `HEAD: best validation accuracy; the logged numbers: ${PAPER_MNIST.logged.selection}`,
    true,
  );
  const testImages = m.testLimit > 0 ? `the first ${num(m.testLimit)} of each` : 'all 10,000 of each';
  mnist.add('validation and test images', testImages, 'all 10,000 of each', m.testLimit > 0);
  mnist.add(
    'epoch order',
    m.order === 'fixed' ? 'one seeded order for every epoch' : 'reshuffled every epoch',
    'one order for every epoch (the loader does not shuffle)',
    m.order !== PAPER_MNIST.order,
  );
  const grid = p.mnist.grid;
  const extras = p.mnist.extra.map(({ cell, tt }) =>
    tt
      ? `TT-${cell.toUpperCase()} c${tt.cores} r${tt.rank}${tt.extraCore !== 'none' ? ` extra core ${tt.extraCore}` : ''}${tt.naive ? ' naive' : ''}`
      : cell.toUpperCase(),
  );
  mnist.add(
    'TT models',
    [
      `TT-${grid.models.map((x) => x.toUpperCase()).join('/')} ${list(grid.cores)} cores × ranks ${list(grid.ranks)}`,
      ...extras,
    ].join('; '),
    'TT-LSTM 2–4 cores × ranks 1, 2, 4, 6, 8, 10 (no TT-GRU logged)',
    !(
      grid.models.includes('lstm') &&
      [2, 3, 4].every((c) => grid.cores.includes(c)) &&
      [1, 2, 4, 6, 8, 10].every((r) => grid.ranks.includes(r))
    ),
  );

  // Speaker verification.
  const speaker = rows('speaker');
  const s = p.speaker.settings;
  const logged = PAPER_SPEAKER_SCHEDULES['logged-sweep'];
  const head = PAPER_SPEAKER_SCHEDULES.head;
  const corpus = { librispeech: 'LibriSpeech', folders: 'speaker folders given by --speaker-data-dir' };
  speaker.add(
    'corpus',
    data.speakerData === 'synthetic' ? `synthetic (espeak-ng, '${s.corpus}' size)` : corpus[data.speakerData],
    PAPER_SPEAKER.corpus,
    data.speakerData !== 'librispeech',
  );
  speaker.same('hidden units', s.hidden, PAPER_SPEAKER.hidden);
  speaker.same('embedding size', s.embedding, PAPER_SPEAKER.embedding);
  speaker.same('layers', s.layers, PAPER_SPEAKER.layers);
  const batch = (x: typeof PAPER_SPEAKER | typeof s): string => `${x.speakersPerBatch} × ${x.utterancesPerSpeaker}`;
  speaker.add('batch (speakers × utterances)', batch(s), batch(PAPER_SPEAKER), batch(s) !== batch(PAPER_SPEAKER));
  for (const [what, key, fmt] of [
    ['Adam learning rate (constant)', 'lr', lr],
    ['training steps', 'steps', num],
  ] as const) {
    const authors = `${fmt(logged[key])} in the logged sweep (${fmt(head[key])} at HEAD)`;
    speaker.add(what, fmt(s[key]), authors, s[key] !== logged[key]);
  }
  speaker.same('gradient clip (global norm)', s.clip, PAPER_SPEAKER.clip, String);
  speaker.same('validation interval', s.evalEvery, PAPER_SPEAKER.validationEvery, (v) => `every ${num(v)} steps`);
  const ev = PAPER_SPEAKER.evaluation;
  speaker.add(
    'evaluation utterances per speaker',
    s.evalUtterances === 0
      ? 'every usable utterance, first half enrol, the rest verify'
      : `the first ${s.evalUtterances} (half enrol, half verify)`,
    `the first ${ev.utterancesPerSpeaker} in corpus order (${ev.enrol} enrol, ${ev.verify} verify), all speakers of the split at once`,
    s.evalUtterances !== ev.utterancesPerSpeaker,
  );
  speaker.add(
    'TT-LSTM input-to-hidden bias',
    'present (as the authors’ code at HEAD)',
    `absent in the logged sweep (${num(4 * PAPER_SPEAKER.hidden)} fewer parameters at hidden ${PAPER_SPEAKER.hidden})`,
    p.speaker.models.some((x) => x.tt !== null),
  );
  speaker.add(
    'seed',
    String(s.seed),
    `${PAPER_SPEAKER.seed} (random streams differ between PyTorch and this code, so equal seeds would not give equal runs)`,
    true,
  );
  const sm = p.speaker.models.flatMap((x) => (x.tt ? [{ cell: x.cell, ...x.tt }] : []));
  const fullGrid = [2, 3, 4].every((c) =>
    [1, 2, 3, 4].every((r) => sm.some((x) => x.cell === 'lstm' && x.cores === c && x.rank === r)),
  );
  speaker.add(
    'TT models',
    sm.map((x) => `TT-${x.cell.toUpperCase()} c${x.cores} r${x.rank}`).join(', ') || 'none',
    'TT-LSTM 2–4 cores × ranks 1–4',
    !fullGrid,
  );
  const fr = p.speaker.dataEfficiency.fractions;
  const pf = PAPER_SPEAKER.dataEfficiency.fractions;
  speaker.add(
    'data-efficiency fractions',
    fr.map((f) => `${Math.round(100 * f)}%`).join(', '),
    pf.map((f) => `${Math.round(100 * f)}%`).join(', '),
    fr.length !== pf.length || fr.some((f, i) => Math.abs(f - pf[i]!) > 1e-9),
  );
  speaker.add(
    'data-efficiency speakers',
    s.subset === 'first' ? 'the first int(f·N) in sorted corpus order' : 'a seeded random subset of round(f·N)',
    'the first int(f·N) of their directory listing',
    s.subset !== PAPER_SPEAKER.dataEfficiencySubset,
  );

  // The gradient-norm histograms: the first 1000 steps after clipping, unless a run is shorter.
  const mnistSteps = (m.trainLimit > 0 ? Math.ceil(m.trainLimit / m.batch) : Math.ceil(50_000 / m.batch)) * m.epochs;
  for (const [r, steps] of [
    [mnist, mnistSteps],
    [speaker, s.steps],
  ] as const) {
    r.add(
      'gradient-norm histogram',
      `global norms of all ${num(steps)} steps after clipping (the run is shorter than ${num(PAPER_GRAD_NORMS.steps)} steps)`,
      `the first ${num(PAPER_GRAD_NORMS.steps)} steps after clipping`,
      steps < PAPER_GRAD_NORMS.steps,
    );
  }
  return out;
}

/** The speaker evaluation protocol in words. */
export function describeEvaluation(utterances: number): string {
  const e = PAPER_SPEAKER.evaluation;
  const what =
    utterances === 0
      ? 'every usable utterance of each speaker (first half enrol, the rest verify)'
      : `the first ${utterances} utterances of each speaker in corpus order (${Math.floor(utterances / 2)} enrol, ${utterances - Math.floor(utterances / 2)} verify; a speaker with fewer enrols the first half of its own)`;
  return `${what}, all speakers of the split at once, ${e.windowFrames}-frame windows with ${100 * e.windowOverlap}% overlap`;
}
