/**
 * Renders `REPORT.md` and its SVG figures from a results object, one section renderer per heading. Pure:
 * `renderReport` returns the markdown and the images; `writeReport` puts them on disk next to each other.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  PAPER_DENSE_PARAMS,
  PAPER_MNIST,
  PAPER_PARAM_RANKS,
  PAPER_PARAM_TABLE,
  PAPER_SPEAKER,
  PAPER_TIMING,
  paperParams,
} from '../paper_results.js';
import type { CellKind } from '@ttrnn/cells';
import { modelLabel } from '../profiles.js';
import type { MnistSettings, ModelSpec } from '../profiles.js';
import { int, pct, ratio, secs, table } from './format.js';
import type { CurvePoint, MnistOutcome, ResultsFile, RunRecord } from './results.js';
import {
  authorsMnistCount,
  clippedNorms,
  gradNormCaption,
  mnistProvenance,
  paperMnistCell,
  paperMnistPoints,
  paperSpeakerCells,
  renderDifferences,
  renderProtocol,
  renderSpeakerParams,
} from './authors.js';
import { describeEvaluation } from '../differences.js';
import { renderStability } from './stability.js';
import { PALETTE, histogram, lineChart, renderSvg } from './svg.js';
import type { Chart, Series } from './svg.js';

export interface RenderedReport {
  readonly markdown: string;
  /** File name (relative to the report) → the figure as a Vega-Lite spec; `writeReport` renders it to SVG. */
  readonly images: Readonly<Record<string, Chart>>;
}

/** The report being written: its markdown lines and its figures, in order. */
class Doc {
  readonly md: string[] = [];
  readonly images: Record<string, Chart> = {};
  push(...lines: string[]): void {
    this.md.push(...lines);
  }
  /** A figure and its markdown image line (nothing when there is no chart). */
  img(name: string, chart: Chart | undefined, alt: string): void {
    if (chart === undefined) return;
    this.images[name] = chart;
    this.md.push(`![${alt}](${name})`, '');
  }
}

type Done<C, O> = RunRecord<C, O> & { outcome: O };

const cellName = (model: CellKind): string => model.toUpperCase();

function layoutName(r: { model: CellKind; cores: number; extraCore: string; naive: boolean }): string {
  const extra = r.extraCore !== 'none' ? `, extra core ${r.extraCore}` : '';
  return `TT-${cellName(r.model)} ${r.cores} cores${extra}${r.naive ? ', naive' : ''}`;
}

function done<C, O>(records: readonly RunRecord<C, O>[]): Done<C, O>[] {
  return records.filter((r): r is Done<C, O> => r.status === 'done' && r.outcome !== undefined);
}

const isDense = (m: ModelSpec, cell?: CellKind): boolean => m.tt === null && (cell === undefined || m.cell === cell);

/** A model as the authors' tables key it: cell, cores, rank, with cores 0 and rank 0 for a dense model. */
const paperKey = (m: ModelSpec): [CellKind, number, number] => [m.cell, m.tt?.cores ?? 0, m.tt?.rank ?? 0];

/** The model columns of a run table. */
const RUN_HEAD = ['model', 'cores', 'rank', 'params (ours)', 'params (paper conv.)', 'compression'];

/** A run's model columns; compression against `dense` (parameters of the dense model it compares with). */
function runCells(
  r: RunRecord<ModelSpec, { params: number; paramsPaper: number }>,
  dense: number | undefined,
): string[] {
  const { config: c, outcome: o } = r;
  const name =
    `${c.tt === null ? cellName(c.cell) : `TT-${cellName(c.cell)}`}${c.tt && c.tt.extraCore !== 'none' ? ` (extra ${c.tt.extraCore})` : ''}` +
    `${c.tt?.naive ? ' (naive)' : ''}${r.status === 'done' ? '' : ` (${r.status})`}`;
  return [
    name,
    c.tt === null ? '—' : String(c.tt.cores),
    c.tt === null ? '—' : String(c.tt.rank),
    int(o?.params),
    int(o?.paramsPaper),
    o && dense !== undefined ? ratio(dense, o.params) : '—',
  ];
}

/** The timing columns of a run table. */
const TIME_HEAD = ['train time (s)', 'ms / step'];
const timeCells = (o: { trainSeconds: number; stepMs?: number } | undefined): string[] => [
  secs(o?.trainSeconds),
  o?.stepMs === undefined ? '—' : Math.round(o.stepMs).toString(),
];

/** Our runs as chart series: one per cell kind and dense/TT, sorted by x; dense models as squares without lines. */
function ourSeries<C extends ModelSpec, O>(records: readonly Done<C, O>[], x: (o: O) => number, y: (o: O) => number) {
  const groups = new Map<string, Series['points'][number][]>();
  for (const r of records) {
    const m = r.config;
    const key = m.tt === null ? `${cellName(m.cell)} (dense)` : `TT-${cellName(m.cell)} ${m.tt.cores} cores`;
    groups.set(key, [
      ...(groups.get(key) ?? []),
      { x: x(r.outcome), y: y(r.outcome), label: m.tt === null ? '' : `r${m.tt.rank}` },
    ]);
  }
  return [...groups.entries()].map(([name, points]): Series => ({
    name: `ours: ${name}`,
    points: points.sort((a, b) => a.x - b.x),
    style: name.includes('dense') ? 'scatter' : 'both',
    marker: name.includes('dense') ? 'square' : 'circle',
  }));
}

/** The authors' results as diamonds: points only, no lines. */
const paperScatter = (name: string, points: Series['points'], color = '#777777'): Series => ({
  name,
  points,
  style: 'scatter',
  marker: 'diamond',
  color,
});

function curveChart(
  title: string,
  yLabel: string,
  runs: { name: string; curve: readonly CurvePoint[] }[],
  trainKey: keyof CurvePoint,
  valKey: keyof CurvePoint,
  scale = 1,
): Chart | undefined {
  const series: Series[] = [];
  runs.forEach((run, i) => {
    const color = PALETTE[i % 4]!;
    const pick = (k: keyof CurvePoint) =>
      run.curve
        .filter((p) => typeof p[k] === 'number' && Number.isFinite(p[k]) && typeof p.step === 'number')
        .map((p) => ({ x: p.step, y: (p[k] as number) * scale }));
    const tr = pick(trainKey);
    const va = pick(valKey);
    if (tr.length) series.push({ name: `${run.name} train`, points: tr, color, dashed: true, style: 'line' });
    if (va.length) series.push({ name: `${run.name} validation`, points: va, color, style: 'both' });
  });
  if (series.length === 0) return undefined;
  return lineChart({ title, x: { label: 'training step' }, y: { label: yLabel }, series });
}

/** The dense LSTM and the best full-data TT-LSTM (by a score, higher is better): the runs the figures compare. */
function lstmPair<C extends ModelSpec, O>(records: readonly Done<C, O>[], score: (o: O) => number): Done<C, O>[] {
  const dense = records.find((r) => isDense(r.config, 'lstm'));
  const tts = records.filter(
    (r) =>
      r.config.cell === 'lstm' &&
      r.config.tt !== null &&
      ((r.config as { trainFraction?: number }).trainFraction ?? 1) === 1,
  );
  const best = tts.reduce<Done<C, O> | undefined>(
    (b, r) => (b === undefined || score(r.outcome) > score(b.outcome) ? r : b),
    undefined,
  );
  return [dense, best].filter((r): r is Done<C, O> => r !== undefined);
}

/** The pair's learning curves, named `LSTM` and `TT c2 r4`. */
const pairCurves = (pair: readonly Done<ModelSpec, { curve: readonly CurvePoint[] }>[]) =>
  pair.map((r) => ({
    name: r.config.tt === null ? 'LSTM' : `TT c${r.config.tt.cores} r${r.config.tt.rank}`,
    curve: r.outcome.curve,
  }));

/** The histogram of the pair's gradient norms after clipping at `clip`, and its caption. */
function gradFigure(
  doc: Doc,
  name: string,
  title: string,
  pair: readonly Done<ModelSpec, { gradNorms: readonly number[] }>[],
  clip: number | null,
  alt: string,
): void {
  const series = pair
    .filter((r) => r.outcome.gradNorms.length > 0)
    .map((r) => ({
      name: r.config.tt === null ? 'LSTM' : `TT-LSTM c${r.config.tt.cores} r${r.config.tt.rank}`,
      values: clippedNorms(r.outcome.gradNorms, clip),
    }));
  if (series.length > 0)
    doc.img(name, histogram({ title, xLabel: 'global gradient norm (log scale)', series, logX: true, bins: 30 }), alt);
  const steps = Math.min(...pair.map((r) => r.outcome.gradNorms.length));
  if (pair.length) doc.push(gradNormCaption(steps, clip), '');
}

/** The training settings of an MNIST sweep, as in its section's first sentence. */
function mnistSettings(s: MnistSettings, steps: boolean): string {
  const train = `${int(s.trainLimit)} training images${steps ? ` (${int(Math.ceil(s.trainLimit / s.batch) * s.epochs)} steps)` : ''}`;
  return (
    `Settings: hidden ${s.hidden}, ${s.layers} layer(s), ${s.epochs} epoch(s), batch ${s.batch}, Adam lr ${s.lr}` +
    `${s.lrDecayEvery > 0 ? `, ×0.1 every ${s.lrDecayEvery} epochs` : ', no decay'}, ` +
    `${s.trainLimit > 0 ? train : 'all 50,000 training images'}, ` +
    `${s.testLimit > 0 ? `${int(s.testLimit)} validation / test images` : 'full 10,000-image validation and test sets'}`
  );
}

function renderHeadline(doc: Doc, results: ResultsFile, stabilityHeadline: readonly string[]): void {
  const headline: string[] = [];
  const mnistDone = done(results.mnist);
  for (const model of ['lstm', 'gru'] as const) {
    const d = mnistDone.find((r) => isDense(r.config, model));
    const tts = mnistDone.filter((r) => r.config.cell === model && r.config.tt !== null);
    if (d)
      headline.push(
        `Row MNIST, dense ${cellName(model)}: ${pct(d.outcome.testAccuracy)} test accuracy with ${int(d.outcome.params)} parameters.`,
      );
    if (tts.length) {
      const best = tts.reduce((b, r) => (r.outcome.testAccuracy > b.outcome.testAccuracy ? r : b));
      const accs = tts.map((r) => r.outcome.testAccuracy);
      const fewer = d ? ` (${ratio(d.outcome.params, best.outcome.params)} fewer than dense).` : '.';
      headline.push(
        tts.length === 1
          ? `Row MNIST, ${modelLabel(best.config)}: ${pct(best.outcome.testAccuracy)} test accuracy with ${int(best.outcome.params)} parameters${fewer}`
          : `Row MNIST, TT-${cellName(model)} (${tts.length} configurations): ${pct(Math.min(...accs))}–${pct(Math.max(...accs))} test accuracy; best ${modelLabel(best.config)} ` +
              `${pct(best.outcome.testAccuracy)} with ${int(best.outcome.params)} parameters${fewer}`,
      );
    }
  }
  for (const r of done(results.pmnist ?? []))
    headline.push(
      `Permuted pixel MNIST, ${modelLabel(r.config)}: ${pct(r.outcome.testAccuracy)} test accuracy with ${int(r.outcome.params)} parameters.`,
    );
  for (const r of done(results.speaker).filter((r) => r.config.trainFraction === 1))
    headline.push(
      `Speaker verification, ${modelLabel(r.config)}: ${pct(r.outcome.testEer)} test EER with ${int(r.outcome.params)} parameters.`,
    );
  headline.push(...stabilityHeadline);
  doc.push('## Headline', '');
  if (headline.length) doc.push(...headline.map((h) => `- ${h}`));
  else doc.push('- No training run finished in this run.');
  const failed = failedRuns(results).length;
  if (failed) doc.push(`- ${failed} configuration(s) did not finish: see "Runs that did not finish" below.`);
  doc.push(
    `- Wall time of this invocation: ${secs(results.wallSeconds)} s (runs read back from earlier invocations cost nothing here).`,
    '',
  );
}

const failedRuns = (results: ResultsFile) =>
  [...results.mnist, ...(results.pmnist ?? []), ...results.speaker, ...(results.stability ?? [])].filter(
    (r) => r.status !== 'done',
  );

function renderEnvironment(doc: Doc, results: ResultsFile): void {
  const env = results.environment;
  const load = (l: number | undefined): string => (l === undefined ? '—' : l.toFixed(2));
  const seeds = Object.entries(env.seeds).map(([k, v]) => `${k} ${v}`);
  const rows = [
    ['backend', `\`${env.backend}\``],
    ['TensorFlow.js', env.tfjsVersion],
    ['CPU', `${env.cpuModel} (${env.cpuCores} cores)`],
    ['load average at start', load(env.loadAverage)],
    ['Node.js', env.nodeVersion],
    ['platform', env.platform],
    ['profile', env.profile],
    ['seeds', seeds.join(', ') || '—'],
    ['date', env.date],
  ];
  doc.push('## Environment', '', table(['item', 'value'], rows, ['l', 'l']), '');
  if (results.invocations && results.invocations.length > 0) {
    doc.push(
      'Invocations on this run directory (configurations "ran" were trained or measured by that invocation; "read back" were finished earlier):',
      '',
      table(
        ['date', 'command', 'backend', 'load avg.', 'wall time (s)', 'ran', 'read back'],
        results.invocations.map((i) => [
          i.date,
          `\`${i.command}\``,
          i.backend,
          load(i.loadAverage),
          secs(i.wallSeconds),
          String(i.ran),
          String(i.reused),
        ]),
      ),
      '',
    );
  }
}

function renderParams(doc: Doc, results: ResultsFile): void {
  doc.push('## Parameter counts', '', '### Sequence classifier (input 28, hidden 256, 10 classes)', '');
  const p = results.params;
  if (p) {
    doc.push(
      `Counts of this implementation beside the original's. "ours" counts both TT biases like the original's code; ` +
        `"paper conv." counts one bias fewer (G·H less), as the authors' notebooks do. A ✓ marks an exact match with the original. ` +
        `Compression = dense parameters / TT parameters (implementation counts). Dense: LSTM ${int(p.dense.lstm)} (original ${int(PAPER_DENSE_PARAMS.lstm)}), ` +
        `GRU ${int(p.dense.gru)} (original ${int(PAPER_DENSE_PARAMS.gru)}).`,
      '',
    );
    for (const model of ['lstm', 'gru'] as const) {
      const rows = p.rows.filter((r) => r.model === model);
      if (!rows.length) continue;
      const cells = rows.flatMap((row) =>
        row.counts.map((c) => {
          const orig = paperParams(row.model, row.cores, c.rank, row.extraCore, row.naive);
          return [
            layoutName(row),
            String(c.rank),
            int(c.params),
            int(c.paramsPaper),
            orig === undefined ? '—' : int(orig),
            orig === undefined ? '—' : orig === c.params ? '✓' : '✗',
            ratio(p.dense[row.model], c.params),
          ];
        }),
      );
      const head = ['layout', 'rank', 'params (ours)', 'params (paper conv.)', 'original', 'match', 'compression'];
      doc.push(`#### TT-${cellName(model)} classifier`, '', table(head, cells), '');
    }
  } else {
    doc.push(
      results.paramsNote ?? 'Parameter tables were not computed in this run.',
      '',
      "The original's counts (for reference):",
      '',
      table(
        ['layout', ...PAPER_PARAM_RANKS.map((r) => `r=${r}`)],
        PAPER_PARAM_TABLE.map((row) => [layoutName(row), ...PAPER_PARAM_RANKS.map((r) => int(row.params[r]))]),
      ),
      '',
    );
  }
  doc.push(...renderSpeakerParams());
}

function renderMnist(doc: Doc, results: ResultsFile): void {
  doc.push('## Row-by-row MNIST: test accuracy against parameters', '');
  if (results.mnist.length === 0) return doc.push('Not run in this invocation.', '');
  const s = results.mnist[0]!.config;
  doc.push(
    `${mnistSettings(s, false)}, ${(s.order ?? 'reshuffle') === 'fixed' ? 'one fixed order every epoch' : 'reshuffled every epoch'}, seed ${s.seed}. ` +
      mnistProvenance() +
      ' "paper params" are the parameters of the authors\' configuration (hidden 256) in both conventions (code / notebook).',
    '',
  );
  const mnistDone = done(results.mnist);
  const head = [...RUN_HEAD, 'val. acc.', 'test acc.', 'paper test acc.', 'paper params', ...TIME_HEAD];
  const rows = results.mnist.map((r) => {
    const { config: c, outcome: o } = r;
    const paper = paperMnistCell(...paperKey(c), c.tt !== null && (c.tt.extraCore !== 'none' || c.tt.naive));
    const count = paper === '—' ? undefined : authorsMnistCount(...paperKey(c));
    const dense = mnistDone.find((d) => isDense(d.config, c.cell))?.outcome.params;
    return [
      ...runCells(r, dense),
      pct(o?.validationAccuracy),
      pct(o?.testAccuracy),
      paper,
      count === undefined ? '—' : `${int(count.params)} / ${int(count.paramsPaper)}`,
      ...timeCells(o),
    ];
  });
  doc.push(table(head, rows), '');
  if (!mnistDone.length) return;
  const series = ourSeries(
    mnistDone,
    (o) => o.params,
    (o) => 100 * o.testAccuracy,
  );
  // The authors' markers, each at its configuration's count (both TT biases, as ours): points only, no lines.
  series.push(
    paperScatter('paper: TT-LSTM (60k images, best test)', paperMnistPoints()),
    paperScatter('paper: LSTM (dense)', [{ x: PAPER_DENSE_PARAMS.lstm, y: PAPER_MNIST.denseLstmAccuracy }], '#000000'),
  );
  doc.img(
    'mnist_accuracy_vs_params.svg',
    lineChart({
      title: 'Row MNIST: test accuracy against parameters',
      x: { label: 'parameters, both TT biases counted (log scale)', log: true },
      y: { label: 'test accuracy (%)' },
      series,
    }),
    'Row MNIST test accuracy against parameters',
  );
  const pair = lstmPair(mnistDone, (o) => o.testAccuracy);
  const chart = curveChart(
    'Row MNIST: accuracy, train vs validation',
    'accuracy (%)',
    pairCurves(pair),
    'trainAccuracy',
    'validationAccuracy',
    100,
  );
  doc.img('mnist_learning_curves.svg', chart, 'Row MNIST learning curves');
  const title = 'Row MNIST: global gradient norms after clipping (no clipping here)';
  gradFigure(doc, 'mnist_grad_norms.svg', title, pair, null, 'Row MNIST gradient norms');
}

function renderPmnist(doc: Doc, results: ResultsFile): void {
  const records = results.pmnist ?? [];
  doc.push('## Permuted pixel-by-pixel MNIST', '');
  if (records.length === 0) return doc.push('Not run in this invocation (`pnpm run exp all --only pmnist`).', '');
  const s = records[0]!.config;
  doc.push(
    `Each image is read one pixel per time step (784 steps of input size 1) in a fixed random order (seeded), so the model must remember across the whole sequence. ` +
      `${mnistSettings(s, true)}, seed ${s.seed}; ` +
      `gradient checkpointing over chunks of 28 time steps (same numbers, less memory). Chance is 10%. ` +
      `The paper's logged results hold no permuted-MNIST numbers to compare with.`,
    '',
  );
  const pmnistDone = done(records);
  const dense = pmnistDone.find((r) => r.config.tt === null)?.outcome.params;
  const hasRss = pmnistDone.some((r) => r.outcome.maxRssMiB !== undefined);
  const head = [...RUN_HEAD, 'val. acc.', 'test acc.', ...TIME_HEAD, ...(hasRss ? ['max RSS (MiB)'] : [])];
  const rows = records.map((r) => [
    ...runCells(r, dense),
    pct(r.outcome?.validationAccuracy),
    pct(r.outcome?.testAccuracy),
    ...timeCells(r.outcome),
    ...(hasRss ? [int(r.outcome?.maxRssMiB)] : []),
  ]);
  doc.push(table(head, rows), '');
  if (hasRss) {
    doc.push(
      "Max RSS is the process's resident-set high-water mark when the run ended (Node's `process.resourceUsage().maxRSS`): it includes every earlier run of the same invocation and the wasm heap, which never shrinks, so it bounds the run's peak memory from above.",
      '',
    );
  }
  if (!pmnistDone.length) return;
  const chart = curveChart(
    'Permuted pixel MNIST: accuracy, train vs validation',
    'accuracy (%)',
    pairCurves(lstmPair<ModelSpec, MnistOutcome>(pmnistDone, (o) => o.testAccuracy)),
    'trainAccuracy',
    'validationAccuracy',
    100,
  );
  doc.img('pmnist_learning_curves.svg', chart, 'Permuted pixel MNIST learning curves');
}

function renderSpeaker(doc: Doc, results: ResultsFile): void {
  doc.push('## Speaker verification: test EER against parameters', '');
  if (results.speaker.length === 0) return doc.push('Not run in this invocation.', '');
  const s = results.speaker[0]!.config;
  doc.push(
    `Settings: corpus \`${s.corpus}\`, hidden ${s.hidden}, embedding ${s.embedding}, ${s.layers} layer(s), ${s.speakersPerBatch} speakers × ${s.utterancesPerSpeaker} utterances per batch, ` +
      `${s.steps} steps, Adam lr ${s.lr}, gradient clip ${s.clip}, validation every ${s.evalEvery} steps, seed ${s.seed}; ` +
      `${s.evalUtterances === undefined ? 'evaluation on every usable utterance of each speaker' : `evaluation on ${describeEvaluation(s.evalUtterances)}`}. ` +
      `The authors: LibriSpeech, hidden ${PAPER_SPEAKER.hidden}, embedding ${PAPER_SPEAKER.embedding}, ${PAPER_SPEAKER.speakersPerBatch} × ${PAPER_SPEAKER.utterancesPerSpeaker} per batch, ` +
      `their logged sweep (Adam 2e-3, 40,000 steps, seed ${PAPER_SPEAKER.seed}, no TT input bias): one test EER per configuration, with its parameters in both conventions (code / notebook). ` +
      "EERs on a synthetic corpus are not comparable with LibriSpeech EERs; the paper's column is there for the ordering.",
    '',
  );
  const main = results.speaker.filter((r) => r.config.trainFraction === 1);
  const mainDone = done(main);
  const dense = mainDone.find((r) => r.config.tt === null)?.outcome.params;
  const head = [
    ...RUN_HEAD,
    ...['val. EER', 'test EER', 'paper test EER', 'paper params', ...TIME_HEAD],
    'test speakers / utterances',
  ];
  const rows = main.map((r) => {
    const o = r.outcome;
    const paper = paperSpeakerCells(...paperKey(r.config));
    return [
      ...runCells(r, dense),
      pct(o?.validationEer),
      pct(o?.testEer),
      paper.eer,
      paper.params,
      ...timeCells(o),
      o?.testSpeakers === undefined || o.testUtterances === undefined ? '—' : `${o.testSpeakers} / ${o.testUtterances}`,
    ];
  });
  doc.push(table(head, rows), '');
  if (mainDone.length) {
    // Both sides in the authors' notebook convention (no TT input bias, no GE2E scalars).
    const series = ourSeries(
      mainDone,
      (o) => o.paramsPaper,
      (o) => 100 * o.testEer,
    );
    const label = (p: { cores: number; rank: number }) => (p.cores === 0 ? 'LSTM' : `c${p.cores} r${p.rank}`);
    const paperPoints = PAPER_SPEAKER.results.map((p) => ({ x: p.paramsPaper, y: p.eer, label: label(p) }));
    series.push(paperScatter('paper (LibriSpeech)', paperPoints));
    doc.img(
      'speaker_eer_vs_params.svg',
      lineChart({
        title: 'Speaker verification: test EER against parameters',
        x: { label: "parameters, the authors' notebook convention (log scale)", log: true },
        y: { label: 'test EER (%)' },
        series,
      }),
      'Speaker verification EER against parameters',
    );
    const pair = lstmPair(mainDone, (o) => -o.testEer);
    const curves = pairCurves(pair);
    const hasEer = curves.some((c) => c.curve.some((p) => p.trainEer !== undefined));
    const chart = hasEer
      ? curveChart(
          'Speaker verification: EER, train vs validation',
          'EER (%)',
          curves,
          'trainEer',
          'validationEer',
          100,
        )
      : curveChart(
          'Speaker verification: GE2E loss, train vs validation',
          'GE2E loss',
          curves,
          'trainLoss',
          'validationLoss',
        );
    doc.img('speaker_learning_curves.svg', chart, 'Speaker verification learning curves');
    const title = `Speaker verification: global gradient norms after clipping at ${s.clip}`;
    gradFigure(doc, 'speaker_grad_norms.svg', title, pair, s.clip, 'Speaker verification gradient norms');
  }
  renderDataEfficiency(doc, results);
}

function renderDataEfficiency(doc: Doc, results: ResultsFile): void {
  const fractions = [...new Set(results.speaker.map((r) => r.config.trainFraction))].sort((a, b) => a - b);
  if (fractions.length <= 1) return;
  doc.push('### Data efficiency: test EER against the training speakers used', '');
  const models = new Map<string, ModelSpec>();
  for (const r of results.speaker) if (r.config.trainFraction < 1) models.set(modelLabel(r.config), r.config);
  const rowFor = (m: ModelSpec) =>
    fractions.map((f) =>
      results.speaker.find((r) => r.config.trainFraction === f && modelLabel(r.config) === modelLabel(m)),
    );
  const pe = PAPER_SPEAKER.dataEfficiency;
  const paperFor = (m: ModelSpec, f: number): string => {
    const idx = pe.fractions.findIndex((x) => Math.abs(x - f) < 1e-9);
    if (idx < 0) return '—';
    if (m.tt === null) return `${pe.lstm[idx]!.toFixed(2)}%`;
    if (m.cell === 'lstm' && m.tt.cores === 2 && m.tt.rank === 2) return `${pe.ttLstm[idx]!.toFixed(2)}%`;
    return '—';
  };
  doc.push(
    table(
      ['model', ...fractions.map((f) => `${Math.round(f * 100)}% speakers: ours / paper`)],
      [...models.values()].map((m) => [
        modelLabel(m),
        ...rowFor(m).map((r, i) => {
          const n = r?.outcome?.trainSpeakers;
          return `${pct(r?.outcome?.testEer)}${n !== undefined ? ` (${n} spk.)` : ''} / ${paperFor(m, fractions[i]!)}`;
        }),
      ]),
    ),
    '',
    `"spk." is the number of training speakers actually used: a run never uses fewer speakers than one batch holds (${results.speaker[0]!.config.speakersPerBatch}), so a small fraction of a small corpus may use more than its share.`,
    '',
  );
  const series: Series[] = [...models.values()].map((m, i) => ({
    name: `ours: ${modelLabel(m)}`,
    points: rowFor(m)
      .map((r, k) => (r?.outcome ? { x: 100 * fractions[k]!, y: 100 * r.outcome.testEer } : undefined))
      .filter((p): p is { x: number; y: number } => p !== undefined),
    color: PALETTE[i % 3]!,
  }));
  for (const [name, values, color] of [
    ['paper: LSTM', pe.lstm, '#0072B2'],
    ['paper: TT-LSTM c2 r2', pe.ttLstm, '#D55E00'],
  ] as const) {
    const points = pe.fractions.map((f, k) => ({ x: 100 * f, y: values[k]! }));
    series.push({ name, points, dashed: true, color, marker: 'diamond' });
  }
  if (series.some((s) => s.points.length > 0 && !s.name.startsWith('paper'))) {
    doc.img(
      'speaker_data_efficiency.svg',
      lineChart({
        title: 'Data efficiency: test EER against training speakers used',
        x: { label: 'training speakers used (%)', min: 0, max: 100 },
        y: { label: 'test EER (%)', min: 0 },
        series,
      }),
      'Data efficiency',
    );
  }
}

function renderTiming(doc: Doc, results: ResultsFile): void {
  const env = results.environment;
  doc.push('## Speed (batch 128, 28 steps, input 28, hidden 256)', '');
  if (results.timing && results.timing.length) {
    doc.push(
      `Measured by this run on backend \`${env.backend}\`${env.loadAverage !== undefined ? ` (1-minute load average ${env.loadAverage.toFixed(1)} on ${env.cpuCores} cores when the run started: other processes compete for the CPU when it exceeds the core count)` : ''}. ${results.timingNote ?? ''}`,
      '',
      table(
        ['model', 'params', 'inference (ms)', 'training step (ms)'],
        results.timing.map((t) => [t.model, int(t.params), t.inferenceMs.toFixed(1), t.trainStepMs.toFixed(1)]),
      ),
      '',
    );
  } else {
    doc.push(results.timingNote ?? 'The timing command was not run in this invocation (`pnpm run exp timing`).', '');
  }
  doc.push(
    "The authors' code (PyTorch 1.13, float32), measured by this project on machines of this kind (2 cores, CPU): not numbers from the paper. " +
      'Medians in ms, inference / training step; the shared machines give figures up to ~1.5× apart between runs, so compare within a column:',
    '',
    table(
      ['model', 'params', '1 thread, quiet', '1 thread, busier', '2 threads, busier'],
      PAPER_TIMING.map((t) => [t.model, int(t.params), t.quiet, t.busier, t.twoThreads]),
    ),
    '',
  );
}

export function renderReport(results: ResultsFile): RenderedReport {
  const env = results.environment;
  const doc = new Doc();
  doc.push(
    `# A Fully Tensorized Recurrent Neural Network: reproduction report (${env.run})`,
    '',
    `Profile \`${env.profile}\`, run \`${env.run}\`, ${env.date}. Produced by \`${env.command}\`. ` +
      `Every number below is also in [results.json](results.json). ` +
      `Numbers in the "paper" columns are the authors' logged results (kept in \`src/paper_results.ts\`, with their protocol); the speed of the authors' code was measured by this project; all others were measured by this run.`,
    '',
  );
  const stability = renderStability(results.stability ?? []);
  renderHeadline(doc, results, stability.headline);
  doc.push(...renderProtocol(results), ...renderDifferences(results));
  doc.push('## What was scaled down', '', ...results.scaledDown.map((s) => `- ${s}`), '');
  if (results.expectations.length)
    doc.push('What is plausible at this scale:', '', ...results.expectations.map((s) => `- ${s}`), '');
  if (results.notes.length) doc.push('Notes:', '', ...results.notes.map((s) => `- ${s}`), '');
  renderEnvironment(doc, results);
  renderParams(doc, results);
  renderMnist(doc, results);
  renderPmnist(doc, results);
  renderSpeaker(doc, results);
  doc.push(...stability.lines);
  Object.assign(doc.images, stability.images);
  renderTiming(doc, results);
  const failed = failedRuns(results);
  if (failed.length) {
    doc.push(
      '## Runs that did not finish',
      '',
      table(
        ['run', 'status', 'error'],
        failed.map((r) => [r.id, r.status, (r.error ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')]),
      ),
      '',
      'Run the same command again: finished runs are read back, interrupted ones resume.',
      '',
    );
  }
  return { markdown: doc.md.join('\n').replace(/\n{3,}/g, '\n\n'), images: doc.images };
}

/** Writes REPORT.md and its SVG images into `dir`, each image's Vega-Lite spec beside it (`<name>.vl.json`). */
export async function writeReport(
  dir: string,
  results: ResultsFile,
): Promise<{ reportPath: string; images: string[] }> {
  const { markdown, images } = renderReport(results);
  await mkdir(dir, { recursive: true });
  for (const [name, chart] of Object.entries(images)) {
    await writeFile(join(dir, name), await renderSvg(chart));
    await writeFile(join(dir, name.replace(/\.svg$/, '.vl.json')), JSON.stringify(chart, null, 1) + '\n');
  }
  const reportPath = join(dir, 'REPORT.md');
  await writeFile(reportPath, markdown);
  return { reportPath, images: Object.keys(images) };
}
