/**
 * The report's sections and cells that set this run beside the authors' runs: the protocol run, the
 * differences from the authors' runs, the speaker-encoder parameter table in both conventions, and the
 * authors' per-configuration results (values and figure points). Each renderer returns markdown lines.
 */
import { countParams } from '@ttrnn/cells';
import type { CellKind, ModelConfig } from '@ttrnn/cells';
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
import type { PaperMnistResult } from '../paper_results.js';
import { int, ratio, table } from './format.js';
import type { ResultsFile } from './results.js';

/** The parameter counts (code and notebook conventions) of one of the authors' configurations. */
export interface AuthorsCount {
  readonly params: number;
  readonly paramsPaper: number;
}

const tt = (cores: number, rank: number): ModelConfig['tt'] =>
  cores === 0 ? null : { cores, rank, extraCore: 'none', naive: false };

/** The authors' MNIST classifier (input 28, hidden 256, 10 classes) of a configuration, counted here. */
export function authorsMnistCount(model: CellKind, cores: number, rank: number): AuthorsCount {
  const c = PAPER_CLASSIFIER;
  return countParams({
    task: 'classifier',
    cell: model,
    tt: tt(cores, rank),
    inputSize: c.input,
    hiddenSize: c.hidden,
    layers: c.layers,
    outputSize: c.classes,
  });
}

/** The authors' speaker encoder (40 mel channels, hidden 768, embedding 256) of a configuration, counted here. */
export function authorsSpeakerCount(cores: number, rank: number): AuthorsCount {
  const s = PAPER_SPEAKER;
  return countParams({
    task: 'speaker',
    cell: 'lstm',
    tt: tt(cores, rank),
    inputSize: 40,
    hiddenSize: s.hidden,
    layers: s.layers,
    outputSize: s.embedding,
  });
}

/** A logged MNIST marker as test accuracy: `98.54%`, `≈98.2%` (partly hidden marker), `97.7–98.0%` (range only). */
export function paperMnistAccuracy(r: PaperMnistResult | undefined): string {
  if (r === undefined) return '—';
  if (r.errorRange !== undefined)
    return `${(100 - r.errorRange[1]).toFixed(1)}–${(100 - r.errorRange[0]).toFixed(1)}% (plot: no single value)`;
  const acc = 100 - r.error!;
  return r.approx ? `≈${acc.toFixed(1)}%` : `${acc.toFixed(2)}%`;
}

/** The "paper test acc." cell of one of our MNIST configurations. */
export function paperMnistCell(model: CellKind, cores: number, rank: number, extra: boolean): string {
  return extra ? '—' : paperMnistAccuracy(paperMnistResult(model, cores, rank));
}

/**
 * The authors' logged MNIST markers that have a value, at the parameter count (both TT biases, as our x axis)
 * of their configuration. A marker known only as a range is left out: it is not a data point.
 */
export function paperMnistPoints(): { x: number; y: number; label: string }[] {
  return PAPER_MNIST_RESULTS.filter((r) => r.error !== undefined).map((r) => ({
    x: authorsMnistCount('lstm', r.cores, r.rank).params,
    y: 100 - r.error!,
    label: `c${r.cores} r${r.rank}${r.approx ? ' ≈' : ''}`,
  }));
}

/** The paper's speaker columns for a configuration: EER and parameters in both conventions. */
export function paperSpeakerCells(model: CellKind, cores: number, rank: number): { eer: string; params: string } {
  const hit = paperSpeakerResult(model, cores, rank);
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
  const schedule =
    p.speakerSchedule === 'scaled'
      ? `the speaker schedule is scaled down by the \`${results.environment.profile}\` profile (the authors' logged sweep: Adam ${PAPER_SPEAKER_SCHEDULES['logged-sweep'].lr.toExponential()} for ${int(PAPER_SPEAKER_SCHEDULES['logged-sweep'].steps)} steps)`
      : `speaker schedule \`${p.speakerSchedule}\`: Adam ${PAPER_SPEAKER_SCHEDULES[p.speakerSchedule].lr.toExponential()} for ${int(PAPER_SPEAKER_SCHEDULES[p.speakerSchedule].steps)} steps, ${PAPER_SPEAKER_SCHEDULES[p.speakerSchedule].description}`;
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
  const out = ["## Differences from the authors' runs", ''];
  const ds = results.differences;
  if (ds === undefined)
    return [
      ...out,
      'Not recorded (results written before the list existed): rerun with `--report-only` after a run of this version.',
      '',
    ];
  if (ds.length === 0)
    return [...out, 'None for the experiments of this run (the authors logged no permuted-MNIST numbers).', ''];
  const name = { mnist: 'row MNIST', speaker: 'speaker verification', all: 'all' } as const;
  return [
    ...out,
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
  const dense = authorsSpeakerCount(0, 0);
  const rows = PAPER_SPEAKER.results.map((r) => {
    const c = authorsSpeakerCount(r.cores, r.rank);
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
  return [
    '### Speaker encoder: parameters and compression',
    '',
    `Input 40 mel channels, hidden ${PAPER_SPEAKER.hidden}, embedding ${PAPER_SPEAKER.embedding}, one layer. "code" counts every weight and bias, both TT biases and the two GE2E scalars (scale and offset), as the authors' code at HEAD; ` +
      `"notebook" leaves out the TT input-to-hidden bias (${int(4 * PAPER_SPEAKER.hidden)}) and the GE2E scalars, as the authors' notebooks, whose counts are in the "logged" column. ` +
      'Compression = dense / TT in the same convention.',
    '',
    table(
      [
        'model',
        'params (code)',
        'params (notebook)',
        'logged (notebook)',
        'match',
        'compression (code)',
        'compression (notebook)',
      ],
      rows,
    ),
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
export function mnistProvenance(): string {
  return (
    `The authors' script at HEAD: hidden ${PAPER_MNIST.hidden}, ${PAPER_MNIST.epochs} epochs, batch ${PAPER_MNIST.batch}, Adam ${PAPER_MNIST.lr} with ${PAPER_MNIST.lrDecay}, ` +
    `${int(PAPER_MNIST.trainSize)} training images in one fixed order, selection on validation. Their logged accuracies come from earlier runs on all ${int(PAPER_MNIST.logged.trainSize)} training images, ` +
    `reporting the ${PAPER_MNIST.logged.selection}; the TT-LSTM values are read from their plot (≈: partly hidden marker, about ±0.1 otherwise).`
  );
}
