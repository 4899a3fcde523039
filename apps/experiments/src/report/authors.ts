/**
 * The report's sections and cells that set this run beside the authors' runs: the protocol run, the
 * differences from the authors' runs, the speaker-encoder parameter table in both conventions, and the
 * authors' per-configuration results (values and figure points). Each renderer returns markdown lines.
 */
import { countParams } from '@ttrnn/cells';
import type { CellKind } from '@ttrnn/cells';
import {
  PAPER_CLASSIFIER,
  PAPER_GRAD_NORMS,
  PAPER_MNIST,
  PAPER_MNIST_RESULTS,
  PAPER_SPEAKER,
  PAPER_SPEAKER_SCHEDULES,
  paperMnistResult,
  paperSpeakerResult,
} from '../paper_results.js';
import type { ModelSpec } from '../profiles.js';
import { int, ratio, table } from './format.js';
import type { ResultsFile } from './results.js';

/**
 * One of the authors' configurations counted here (cores 0: dense): their MNIST classifier (input 28,
 * hidden 256, 10 classes) or their speaker encoder (40 mel channels, hidden 768, embedding 256).
 */
function authorsCount(task: 'classifier' | 'speaker', cell: CellKind, cores: number, rank: number) {
  const c = PAPER_CLASSIFIER;
  const s = PAPER_SPEAKER;
  return countParams({
    task,
    cell,
    tt: cores === 0 ? null : { cores, rank, extraCore: 'none', naive: false },
    ...(task === 'classifier'
      ? { inputSize: c.input, hiddenSize: c.hidden, layers: c.layers, outputSize: c.classes }
      : { inputSize: 40, hiddenSize: s.hidden, layers: s.layers, outputSize: s.embedding }),
  });
}

/**
 * The paper's MNIST columns for one of our configurations: the logged test accuracy (`98.54%`, `≈98.2%` for a
 * partly hidden marker, `97.7–98.0%` for a range only) and the parameters of their configuration in both
 * conventions (code / notebook). Layouts with an extra core or naive were never logged.
 */
export function paperMnistCells(m: ModelSpec): { acc: string; params: string } {
  const logged = m.tt === null || (m.tt.extraCore === 'none' && !m.tt.naive);
  const r = logged ? paperMnistResult(m.cell, m.tt?.cores ?? 0, m.tt?.rank ?? 0) : undefined;
  if (r === undefined) return { acc: '—', params: '—' };
  const count = authorsCount('classifier', m.cell, r.cores, r.rank);
  const acc =
    r.errorRange !== undefined
      ? `${(100 - r.errorRange[1]).toFixed(1)}–${(100 - r.errorRange[0]).toFixed(1)}% (plot: no single value)`
      : r.approx
        ? `≈${(100 - r.error!).toFixed(1)}%`
        : `${(100 - r.error!).toFixed(2)}%`;
  return { acc, params: `${int(count.params)} / ${int(count.paramsPaper)}` };
}

/**
 * The authors' logged MNIST markers that have a value, at the parameter count (both TT biases, as our x axis)
 * of their configuration. A marker known only as a range is left out: it is not a data point.
 */
export function paperMnistPoints(): { x: number; y: number; label: string }[] {
  return PAPER_MNIST_RESULTS.filter((r) => r.error !== undefined).map((r) => ({
    x: authorsCount('classifier', 'lstm', r.cores, r.rank).params,
    y: 100 - r.error!,
    label: `c${r.cores} r${r.rank}${r.approx ? ' ≈' : ''}`,
  }));
}

/** The paper's speaker columns for a configuration: EER and parameters in both conventions. */
export function paperSpeakerCells(m: ModelSpec): { eer: string; params: string } {
  const cores = m.tt?.cores ?? 0;
  const hit = paperSpeakerResult(m.cell, cores, m.tt?.rank ?? 0);
  if (hit === undefined) return { eer: '—', params: '—' };
  // The notebooks' count leaves out the TT input bias (absent from the logged runs' TT-LSTM anyway) and the
  // two GE2E scalars; the code's count (ours) has both.
  const code = hit.paramsPaper + (cores > 0 ? 4 * PAPER_SPEAKER.hidden : 0) + 2;
  return { eer: `${hit.eer.toFixed(2)}%`, params: `${int(code)} / ${int(hit.paramsPaper)}` };
}

/** "Protocol": whose protocol the runs followed and which speaker schedule. */
export function renderProtocol(results: ResultsFile): string[] {
  const p = results.protocol;
  if (p === undefined)
    return ['## Protocol', '', 'Not recorded (results written before the protocol option existed).', ''];
  const s = PAPER_SPEAKER_SCHEDULES[p.speakerSchedule === 'scaled' ? 'logged-sweep' : p.speakerSchedule];
  const adam = `Adam ${s.lr.toExponential()} for ${int(s.steps)} steps`;
  const schedule =
    p.speakerSchedule === 'scaled'
      ? `the speaker schedule is scaled down by the \`${results.environment.profile}\` profile (the authors' logged sweep: ${adam})`
      : `speaker schedule \`${p.speakerSchedule}\`: ${adam}, ${s.description}`;
  const what =
    p.name === 'authors'
      ? "the authors' protocol: MNIST in one fixed order every epoch, data-efficiency runs on the first int(f·N) training speakers, evaluation on the first 32 utterances of each speaker (16 enrol, 16 verify) over all speakers of the split at once"
      : "this project's protocol (`--protocol ttrnn`): MNIST reshuffled every epoch, data-efficiency runs on a seeded random round(f·N) training speakers, evaluation on every usable utterance of each speaker (first half enrol)";
  return [
    '## Protocol',
    '',
    `Protocol \`${p.name}\`, ${what}; ${schedule}. The authors' per-configuration EERs were logged with the logged-sweep schedule (\`--speaker-schedule logged-sweep\`, the paper profile's default; \`head\` runs their code's current 1e-3 / 20,000).`,
    '',
  ];
}

/** "Differences from the authors' runs": every difference that holds, with both values. */
export function renderDifferences(results: ResultsFile): string[] {
  const head = ["## Differences from the authors' runs", ''];
  const ds = results.differences;
  if (ds === undefined || ds.length === 0) {
    const none = ds
      ? 'None for the experiments of this run (the authors logged no permuted-MNIST numbers).'
      : 'Not recorded (results written before the list existed): rerun with `--report-only` after a run of this version.';
    return [...head, none, ''];
  }
  const name = { mnist: 'row MNIST', speaker: 'speaker verification', all: 'all' } as const;
  return [
    ...head,
    `Generated from the profile this run used (after the protocol, the schedule and every command-line override); ${ds.length} difference(s).`,
    '',
    table(
      ['experiment', 'what', 'this run', "the authors' runs"],
      ds.map((d) => [name[d.experiment], d.what, d.ours, d.authors]),
      ['l', 'l', 'l', 'l'],
    ),
    '',
  ];
}

/** The speaker encoder's parameters and compression in both conventions, for every configuration the authors logged. */
export function renderSpeakerParams(): string[] {
  const dense = authorsCount('speaker', 'lstm', 0, 0);
  const rows = PAPER_SPEAKER.results.map((r) => {
    const c = authorsCount('speaker', 'lstm', r.cores, r.rank);
    return [
      r.cores === 0 ? 'LSTM' : `TT-LSTM ${r.cores} cores rank ${r.rank}`,
      int(c.params),
      int(c.paramsPaper),
      int(r.paramsPaper),
      c.paramsPaper === r.paramsPaper ? '✓' : '✗',
      ratio(dense.params, c.params),
      ratio(dense.paramsPaper, c.paramsPaper),
    ];
  });
  const conventions = ['params (code)', 'params (notebook)', 'logged (notebook)', 'match'];
  return [
    '### Speaker encoder: parameters and compression',
    '',
    `Input 40 mel channels, hidden ${PAPER_SPEAKER.hidden}, embedding ${PAPER_SPEAKER.embedding}, one layer. "code" counts every weight and bias, both TT biases and the two GE2E scalars (scale and offset), as the authors' code at HEAD; ` +
      `"notebook" leaves out the TT input-to-hidden bias (${int(4 * PAPER_SPEAKER.hidden)}) and the GE2E scalars, as the authors' notebooks, whose counts are in the "logged" column. ` +
      'Compression = dense / TT in the same convention.',
    '',
    table(['model', ...conventions, 'compression (code)', 'compression (notebook)'], rows),
    '',
  ];
}

/** The caption of a gradient-norm histogram: the authors' protocol, or how this run differs from it. */
export function gradNormCaption(steps: number, clip: number | null): string {
  const n = PAPER_GRAD_NORMS.steps;
  const what = `Global gradient norms of the first ${int(Math.min(steps, n))} training steps, after clipping${clip === null ? ' (these runs do not clip)' : ` at ${clip}`}`;
  return steps >= n
    ? `${what}, as the authors' histogram.`
    : `${what}: the run has only ${int(steps)} steps, the authors' histogram covers the first ${int(n)}.`;
}

/** Global norms after clipping at `clip` (null: unchanged): clipping scales a larger gradient down to the clip norm. */
export function clippedNorms(norms: readonly number[], clip: number | null): number[] {
  return norms.slice(0, PAPER_GRAD_NORMS.steps).map((v) => (clip === null ? v : Math.min(v, clip)));
}

/** The MNIST settings line's statement about the authors' protocol. */
export const MNIST_PROVENANCE =
  `The authors' script at HEAD: hidden ${PAPER_MNIST.hidden}, ${PAPER_MNIST.epochs} epochs, batch ${PAPER_MNIST.batch}, Adam ${PAPER_MNIST.lr} with ${PAPER_MNIST.lrDecay}, ` +
  `${int(PAPER_MNIST.trainSize)} training images in one fixed order, selection on validation. Their logged accuracies come from earlier runs on all ${int(PAPER_MNIST.logged.trainSize)} training images, ` +
  `reporting the ${PAPER_MNIST.logged.selection}; the TT-LSTM values are read from their plot (≈: partly hidden marker, about ±0.1 otherwise).`;
