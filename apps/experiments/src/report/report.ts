/**
 * Renders `REPORT.md` and its SVG figures from a results object, one section renderer per heading. Pure:
 * `renderReport` returns the markdown and the images; `writeReport` puts them on disk next to each other.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CellKind } from '@ttrnn/cells';
import type { TopLevelSpec } from 'vega-lite';
import { describeEvaluation } from '../differences.js';
import {
  PAPER_DENSE_PARAMS,
  PAPER_MNIST,
  PAPER_PARAM_RANKS,
  PAPER_PARAM_TABLE,
  PAPER_SPEAKER,
  PAPER_TIMING,
  paperParams,
} from '../paper_results.js';
import { modelLabel } from '../profiles.js';
import { modelName } from '../experiments/training_run.js';
import type { MnistSettings, ModelSpec } from '../profiles.js';
import * as authors from './authors.js';
import { int, pct, ratio, secs, table } from './format.js';
import type { CurvePoint, MnistOutcome, ResultsFile, RunOutcome, RunRecord } from './results.js';
import { renderStability } from './stability.js';
import { PALETTE, histogram, lineChart, renderSvg } from './svg.js';
import type { Series } from './svg.js';

/** The report being written: its markdown lines and its figures (file name → Vega-Lite spec), in order. */
class Doc {
  readonly md: string[] = [];
  readonly images: Record<string, TopLevelSpec> = {};
  /** A figure and its markdown image line (nothing when there is no chart). */
  img(name: string, chart: TopLevelSpec | undefined, alt: string): void {
    if (chart === undefined) return;
    this.images[name] = chart;
    this.md.push(`![${alt}](${name})`, '');
  }
}

type Done<C, O> = RunRecord<C, O> & { outcome: O };

const done = <C, O>(records: readonly RunRecord<C, O>[]): Done<C, O>[] =>
  records.filter((r): r is Done<C, O> => r.status === 'done' && r.outcome !== undefined);

/** The dense model of a cell among `records`: what the cell's TT models are compared with. */
const denseOf = <R extends { config: ModelSpec }>(records: readonly R[], cell: CellKind): R | undefined =>
  records.find((r) => r.config.tt === null && r.config.cell === cell);

const layoutName = (r: { model: CellKind; cores: number; extraCore: string; naive: boolean }): string =>
  `TT-${r.model.toUpperCase()} ${r.cores} cores${r.extraCore !== 'none' ? `, extra core ${r.extraCore}` : ''}${r.naive ? ', naive' : ''}`;

/** A column of a run table: its header and its cell for a run (no outcome: the run did not finish). */
type Column<C, O> = readonly [string, (o: O | undefined, config: C) => string];

const TIME_COLUMNS: Column<ModelSpec, RunOutcome>[] = [
  ['train time (s)', (o) => secs(o?.trainSeconds)],
  ['ms / step', (o) => (o?.stepMs === undefined ? '—' : Math.round(o.stepMs).toString())],
];

/**
 * A table of runs: the model columns (compression against the finished dense model of the same cell), then
 * `columns`.
 */
function runTable<C extends ModelSpec, O extends RunOutcome>(
  records: readonly RunRecord<C, O>[],
  columns: readonly Column<C, O>[],
): string {
  const finished = done(records);
  const rows = records.map(({ config: c, outcome: o, status }) => {
    const dense = denseOf(finished, c.cell)?.outcome.params;
    const extra = c.tt && c.tt.extraCore !== 'none' ? ` (extra ${c.tt.extraCore})` : '';
    return [
      `${modelName(c).toUpperCase()}${extra}${c.tt?.naive ? ' (naive)' : ''}${status === 'done' ? '' : ` (${status})`}`,
      c.tt === null ? '—' : String(c.tt.cores),
      c.tt === null ? '—' : String(c.tt.rank),
      int(o?.params),
      int(o?.paramsPaper),
      o && dense !== undefined ? ratio(dense, o.params) : '—',
      ...columns.map(([, cell]) => cell(o, c)),
    ];
  });
  const head = ['model', 'cores', 'rank', 'params (ours)', 'params (paper conv.)', 'compression'];
  return table([...head, ...columns.map(([name]) => name)], rows);
}

/**
 * Our runs as chart series of points `xy(outcome)`: one per cell kind and dense/TT, sorted by x; dense models as
 * squares without lines.
 */
function ourSeries<O>(records: readonly Done<ModelSpec, O>[], xy: (o: O) => [number, number]): Series[] {
  const groups = new Map<string, Series['points'][number][]>();
  for (const { config: m, outcome: o } of records) {
    const key = m.tt === null ? `${m.cell.toUpperCase()} (dense)` : `TT-${m.cell.toUpperCase()} ${m.tt.cores} cores`;
    const [x, y] = xy(o);
    groups.set(key, [...(groups.get(key) ?? []), { x, y, label: m.tt === null ? '' : `r${m.tt.rank}` }]);
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

/** The dense LSTM and the best full-data TT-LSTM (by `score`, higher is better): the runs the figures compare. */
function lstmPair<C extends ModelSpec & { trainFraction?: number }, O>(
  records: readonly Done<C, O>[],
  score: (o: O) => number,
): Done<C, O>[] {
  const tts = records.filter(
    (r) => r.config.cell === 'lstm' && r.config.tt !== null && (r.config.trainFraction ?? 1) === 1,
  );
  const best = tts.reduce<Done<C, O> | undefined>(
    (b, r) => (b === undefined || score(r.outcome) > score(b.outcome) ? r : b),
    undefined,
  );
  return [denseOf(records, 'lstm'), best].filter((r): r is Done<C, O> => r !== undefined);
}

/**
 * The figures of an LSTM pair, named `<file>_….svg` and titled by the experiment `what`: their learning curves of
 * `curve` ([quantity, train key, validation key, in percent]) and, unless `clip` is undefined, the histogram of
 * their gradient norms after clipping at `clip` (null: no clipping) with its caption.
 */
function pairFigures(
  doc: Doc,
  [file, what]: [string, string],
  pair: readonly Done<ModelSpec, RunOutcome>[],
  [label, trainKey, valKey, percent]: readonly [string, keyof CurvePoint, keyof CurvePoint, boolean],
  clip?: number | null,
): void {
  const curves = pair.flatMap(({ config: m, outcome: o }, i): Series[] => {
    const name = m.tt === null ? 'LSTM' : `TT c${m.tt.cores} r${m.tt.rank}`;
    const color = PALETTE[i % 4]!;
    const pick = (k: keyof CurvePoint) =>
      o.curve
        .filter((p) => typeof p[k] === 'number' && Number.isFinite(p[k]) && typeof p.step === 'number')
        .map((p) => ({ x: p.step, y: (p[k] as number) * (percent ? 100 : 1) }));
    const [train, val] = [pick(trainKey), pick(valKey)];
    return [
      ...(train.length ? [{ name: `${name} train`, points: train, color, dashed: true, style: 'line' as const }] : []),
      ...(val.length ? [{ name: `${name} validation`, points: val, color, style: 'both' as const }] : []),
    ];
  });
  if (curves.length > 0) {
    const yLabel = percent ? `${label} (%)` : label;
    const title = `${what}: ${label}, train vs validation`;
    const chart = lineChart({ title, x: { label: 'training step' }, y: { label: yLabel }, series: curves });
    doc.img(`${file}_learning_curves.svg`, chart, `${what} learning curves`);
  }
  if (clip === undefined) return;
  const norms = pair
    .filter((r) => r.outcome.gradNorms.length > 0)
    .map(({ config: m, outcome: o }) => ({
      name: m.tt === null ? 'LSTM' : `TT-LSTM c${m.tt.cores} r${m.tt.rank}`,
      values: authors.clippedNorms(o.gradNorms, clip),
    }));
  if (norms.length > 0) {
    const title = `${what}: global gradient norms after clipping ${clip === null ? '(no clipping here)' : `at ${clip}`}`;
    const chart = histogram({ title, xLabel: 'global gradient norm (log scale)', series: norms, logX: true });
    doc.img(`${file}_grad_norms.svg`, chart, `${what} gradient norms`);
  }
  const steps = Math.min(...pair.map((r) => r.outcome.gradNorms.length));
  if (pair.length) doc.md.push(authors.gradNormCaption(steps, clip), '');
}

const ACCURACY_CURVE = ['accuracy', 'trainAccuracy', 'validationAccuracy', true] as const;
const GE2E_CURVE = ['GE2E loss', 'trainLoss', 'validationLoss', false] as const;

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

function renderHeadline(doc: Doc, results: ResultsFile, failed: number, stability: readonly string[]): void {
  const accuracy = (what: string, { config, outcome: o }: Done<ModelSpec, MnistOutcome>, end = '.') =>
    `${what} ${modelLabel(config)}: ${pct(o.testAccuracy)} test accuracy with ${int(o.params)} parameters${end}`;
  const headline: string[] = [];
  const mnistDone = done(results.mnist);
  for (const cell of ['lstm', 'gru'] as const) {
    const d = denseOf(mnistDone, cell);
    const tts = mnistDone.filter((r) => r.config.cell === cell && r.config.tt !== null);
    if (d) headline.push(accuracy('Row MNIST, dense', d));
    if (tts.length === 0) continue;
    const best = tts.reduce((b, r) => (r.outcome.testAccuracy > b.outcome.testAccuracy ? r : b));
    const accs = tts.map((r) => r.outcome.testAccuracy);
    const fewer = d ? ` (${ratio(d.outcome.params, best.outcome.params)} fewer than dense).` : '.';
    headline.push(
      tts.length === 1
        ? accuracy('Row MNIST,', best, fewer)
        : `Row MNIST, TT-${cell.toUpperCase()} (${tts.length} configurations): ${pct(Math.min(...accs))}–${pct(Math.max(...accs))} test accuracy; best ${modelLabel(best.config)} ` +
            `${pct(best.outcome.testAccuracy)} with ${int(best.outcome.params)} parameters${fewer}`,
    );
  }
  headline.push(...done(results.pmnist ?? []).map((r) => accuracy('Permuted pixel MNIST,', r)));
  for (const { config, outcome: o } of done(results.speaker).filter((r) => r.config.trainFraction === 1))
    headline.push(
      `Speaker verification, ${modelLabel(config)}: ${pct(o.testEer)} test EER with ${int(o.params)} parameters.`,
    );
  headline.push(...stability);
  doc.md.push('## Headline', '');
  doc.md.push(...(headline.length ? headline.map((h) => `- ${h}`) : ['- No training run finished in this run.']));
  if (failed) doc.md.push(`- ${failed} configuration(s) did not finish: see "Runs that did not finish" below.`);
  doc.md.push(
    `- Wall time of this invocation: ${secs(results.wallSeconds)} s (runs read back from earlier invocations cost nothing here).`,
    '',
  );
}

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
  doc.md.push('## Environment', '', table(['item', 'value'], rows, ['l', 'l']), '');
  if (!results.invocations?.length) return;
  const invocations = results.invocations.map((i) => [
    i.date,
    `\`${i.command}\``,
    i.backend,
    load(i.loadAverage),
    secs(i.wallSeconds),
    String(i.ran),
    String(i.reused),
  ]);
  doc.md.push(
    'Invocations on this run directory (configurations "ran" were trained or measured by that invocation; "read back" were finished earlier):',
    '',
    table(['date', 'command', 'backend', 'load avg.', 'wall time (s)', 'ran', 'read back'], invocations),
    '',
  );
}

function renderParams(doc: Doc, results: ResultsFile): void {
  doc.md.push('## Parameter counts', '', '### Sequence classifier (input 28, hidden 256, 10 classes)', '');
  const p = results.params;
  if (p === null) {
    doc.md.push(
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
    return;
  }
  doc.md.push(
    `Counts of this implementation beside the original's. "ours" counts both TT biases like the original's code; ` +
      `"paper conv." counts one bias fewer (G·H less), as the authors' notebooks do. A ✓ marks an exact match with the original. ` +
      `Compression = dense parameters / TT parameters (implementation counts). Dense: LSTM ${int(p.dense.lstm)} (original ${int(PAPER_DENSE_PARAMS.lstm)}), ` +
      `GRU ${int(p.dense.gru)} (original ${int(PAPER_DENSE_PARAMS.gru)}).`,
    '',
  );
  for (const cell of ['lstm', 'gru'] as const) {
    const rows = p.rows
      .filter((row) => row.model === cell)
      .flatMap((row) =>
        row.counts.map((c) => {
          const orig = paperParams(row, c.rank);
          const [original, match] = orig === undefined ? ['—', '—'] : [int(orig), orig === c.params ? '✓' : '✗'];
          const counts = [int(c.params), int(c.paramsPaper), original, match, ratio(p.dense[row.model], c.params)];
          return [layoutName(row), String(c.rank), ...counts];
        }),
      );
    if (!rows.length) continue;
    const head = ['layout', 'rank', 'params (ours)', 'params (paper conv.)', 'original', 'match', 'compression'];
    doc.md.push(`#### TT-${cell.toUpperCase()} classifier`, '', table(head, rows), '');
  }
}

function renderMnist(doc: Doc, results: ResultsFile): void {
  doc.md.push('## Row-by-row MNIST: test accuracy against parameters', '');
  if (results.mnist.length === 0) {
    doc.md.push('Not run in this invocation.', '');
    return;
  }
  const s = results.mnist[0]!.config;
  doc.md.push(
    `${mnistSettings(s, false)}, ${(s.order ?? 'reshuffle') === 'fixed' ? 'one fixed order every epoch' : 'reshuffled every epoch'}, seed ${s.seed}. ` +
      authors.MNIST_PROVENANCE +
      ' "paper params" are the parameters of the authors\' configuration (hidden 256) in both conventions (code / notebook).',
    '',
  );
  const runs = runTable(results.mnist, [
    ['val. acc.', (o) => pct(o?.validationAccuracy)],
    ['test acc.', (o) => pct(o?.testAccuracy)],
    ['paper test acc.', (_, c) => authors.paperMnistCells(c).acc],
    ['paper params', (_, c) => authors.paperMnistCells(c).params],
    ...TIME_COLUMNS,
  ]);
  doc.md.push(runs, '');
  const mnistDone = done(results.mnist);
  if (!mnistDone.length) return;
  const series = ourSeries(mnistDone, (o) => [o.params, 100 * o.testAccuracy]);
  // The authors' markers, each at its configuration's count (both TT biases, as ours): points only, no lines.
  series.push(
    paperScatter('paper: TT-LSTM (60k images, best test)', authors.paperMnistPoints()),
    paperScatter('paper: LSTM (dense)', [{ x: PAPER_DENSE_PARAMS.lstm, y: PAPER_MNIST.denseLstmAccuracy }], '#000000'),
  );
  const title = 'Row MNIST: test accuracy against parameters';
  const x = { label: 'parameters, both TT biases counted (log scale)', log: true };
  const chart = lineChart({ title, x, y: { label: 'test accuracy (%)' }, series });
  doc.img('mnist_accuracy_vs_params.svg', chart, 'Row MNIST test accuracy against parameters');
  const pair = lstmPair(mnistDone, (o) => o.testAccuracy);
  pairFigures(doc, ['mnist', 'Row MNIST'], pair, ACCURACY_CURVE, null);
}

function renderPmnist(doc: Doc, results: ResultsFile): void {
  const records = results.pmnist ?? [];
  doc.md.push('## Permuted pixel-by-pixel MNIST', '');
  if (records.length === 0) {
    doc.md.push('Not run in this invocation (`pnpm run exp all --only pmnist`).', '');
    return;
  }
  const s = records[0]!.config;
  doc.md.push(
    `Each image is read one pixel per time step (784 steps of input size 1) in a fixed random order (seeded), so the model must remember across the whole sequence. ` +
      `${mnistSettings(s, true)}, seed ${s.seed}; ` +
      `gradient checkpointing over chunks of 28 time steps (same numbers, less memory). Chance is 10%. ` +
      `The paper's logged results hold no permuted-MNIST numbers to compare with.`,
    '',
  );
  const pmnistDone = done(records);
  const hasRss = pmnistDone.some((r) => r.outcome.maxRssMiB !== undefined);
  const runs = runTable(records, [
    ['val. acc.', (o) => pct(o?.validationAccuracy)],
    ['test acc.', (o) => pct(o?.testAccuracy)],
    ...TIME_COLUMNS,
    ...(hasRss ? [['max RSS (MiB)', (o) => int(o?.maxRssMiB)] as Column<ModelSpec, MnistOutcome>] : []),
  ]);
  doc.md.push(runs, '');
  if (hasRss) {
    doc.md.push(
      "Max RSS is the process's resident-set high-water mark when the run ended (Node's `process.resourceUsage().maxRSS`): it includes every earlier run of the same invocation and the wasm heap, which never shrinks, so it bounds the run's peak memory from above.",
      '',
    );
  }
  const pair = lstmPair(pmnistDone, (o) => o.testAccuracy);
  pairFigures(doc, ['pmnist', 'Permuted pixel MNIST'], pair, ACCURACY_CURVE);
}

function renderSpeaker(doc: Doc, results: ResultsFile): void {
  doc.md.push('## Speaker verification: test EER against parameters', '');
  if (results.speaker.length === 0) {
    doc.md.push('Not run in this invocation.', '');
    return;
  }
  const s = results.speaker[0]!.config;
  const p = PAPER_SPEAKER;
  doc.md.push(
    `Settings: corpus \`${s.corpus}\`, hidden ${s.hidden}, embedding ${s.embedding}, ${s.layers} layer(s), ${s.speakersPerBatch} speakers × ${s.utterancesPerSpeaker} utterances per batch, ` +
      `${s.steps} steps, Adam lr ${s.lr}, gradient clip ${s.clip}, validation every ${s.evalEvery} steps, seed ${s.seed}; ` +
      `${s.evalUtterances === undefined ? 'evaluation on every usable utterance of each speaker' : `evaluation on ${describeEvaluation(s.evalUtterances)}`}. ` +
      `The authors: LibriSpeech, hidden ${p.hidden}, embedding ${p.embedding}, ${p.speakersPerBatch} × ${p.utterancesPerSpeaker} per batch, ` +
      `their logged sweep (Adam 2e-3, 40,000 steps, seed ${p.seed}, no TT input bias): one test EER per configuration, with its parameters in both conventions (code / notebook). ` +
      "EERs on a synthetic corpus are not comparable with LibriSpeech EERs; the paper's column is there for the ordering.",
    '',
  );
  const main = results.speaker.filter((r) => r.config.trainFraction === 1);
  const runs = runTable(main, [
    ['val. EER', (o) => pct(o?.validationEer)],
    ['test EER', (o) => pct(o?.testEer)],
    ['paper test EER', (_, c) => authors.paperSpeakerCells(c).eer],
    ['paper params', (_, c) => authors.paperSpeakerCells(c).params],
    ...TIME_COLUMNS,
    [
      'test speakers / utterances',
      (o) =>
        o?.testSpeakers === undefined || o.testUtterances === undefined
          ? '—'
          : `${o.testSpeakers} / ${o.testUtterances}`,
    ],
  ]);
  doc.md.push(runs, '');
  const mainDone = done(main);
  if (mainDone.length) {
    // Both sides in the authors' notebook convention (no TT input bias, no GE2E scalars).
    const series = ourSeries(mainDone, (o) => [o.paramsPaper, 100 * o.testEer]);
    const label = (r: { cores: number; rank: number }) => (r.cores === 0 ? 'LSTM' : `c${r.cores} r${r.rank}`);
    series.push(
      paperScatter(
        'paper (LibriSpeech)',
        p.results.map((r) => ({ x: r.paramsPaper, y: r.eer, label: label(r) })),
      ),
    );
    const title = 'Speaker verification: test EER against parameters';
    const x = { label: "parameters, the authors' notebook convention (log scale)", log: true };
    const chart = lineChart({ title, x, y: { label: 'test EER (%)' }, series });
    doc.img('speaker_eer_vs_params.svg', chart, 'Speaker verification EER against parameters');
    const pair = lstmPair(mainDone, (o) => -o.testEer);
    const eer = pair.some((r) => r.outcome.curve.some((p) => p.trainEer !== undefined));
    const curve = eer ? (['EER', 'trainEer', 'validationEer', true] as const) : GE2E_CURVE;
    pairFigures(doc, ['speaker', 'Speaker verification'], pair, curve, s.clip);
  }
  renderDataEfficiency(doc, results);
}

function renderDataEfficiency(doc: Doc, results: ResultsFile): void {
  const fractions = [...new Set(results.speaker.map((r) => r.config.trainFraction))].sort((a, b) => a - b);
  if (fractions.length <= 1) return;
  doc.md.push('### Data efficiency: test EER against the training speakers used', '');
  const pe = PAPER_SPEAKER.dataEfficiency;
  const models = new Map<string, ModelSpec>();
  for (const r of results.speaker) if (r.config.trainFraction < 1) models.set(modelLabel(r.config), r.config);
  // Each model's outcomes by fraction, and the authors' EERs by their fractions (dense and TT-LSTM c2 r2 logged).
  const rows = [...models].map(([label, m]) => ({
    label,
    runs: fractions.map(
      (f) => results.speaker.find((r) => r.config.trainFraction === f && modelLabel(r.config) === label)?.outcome,
    ),
    paper: m.tt === null ? pe.lstm : m.cell === 'lstm' && m.tt.cores === 2 && m.tt.rank === 2 ? pe.ttLstm : [],
  }));
  const cells = rows.map(({ label, runs, paper }) => [
    label,
    ...runs.map((o, i) => {
      const theirs = paper[pe.fractions.findIndex((x) => Math.abs(x - fractions[i]!) < 1e-9)];
      const n = o?.trainSpeakers === undefined ? '' : ` (${o.trainSpeakers} spk.)`;
      return `${pct(o?.testEer)}${n} / ${theirs === undefined ? '—' : `${theirs.toFixed(2)}%`}`;
    }),
  ]);
  doc.md.push(
    table(['model', ...fractions.map((f) => `${Math.round(f * 100)}% speakers: ours / paper`)], cells),
    '',
    `"spk." is the number of training speakers actually used: a run never uses fewer speakers than one batch holds (${results.speaker[0]!.config.speakersPerBatch}), so a small fraction of a small corpus may use more than its share.`,
    '',
  );
  const series = rows.map(({ label, runs }, i): Series => ({
    name: `ours: ${label}`,
    points: runs.flatMap((o, k) => (o ? [{ x: 100 * fractions[k]!, y: 100 * o.testEer }] : [])),
    color: PALETTE[i % 3]!,
  }));
  if (!series.some((s) => s.points.length > 0)) return;
  const paper = (name: string, values: readonly number[], color: string): Series => {
    const points = pe.fractions.map((f, k) => ({ x: 100 * f, y: values[k]! }));
    return { name, points, dashed: true, color, marker: 'diamond' };
  };
  series.push(paper('paper: LSTM', pe.lstm, '#0072B2'), paper('paper: TT-LSTM c2 r2', pe.ttLstm, '#D55E00'));
  const chart = lineChart({
    title: 'Data efficiency: test EER against training speakers used',
    x: { label: 'training speakers used (%)', min: 0, max: 100 },
    y: { label: 'test EER (%)', min: 0 },
    series,
  });
  doc.img('speaker_data_efficiency.svg', chart, 'Data efficiency');
}

function renderTiming(doc: Doc, results: ResultsFile): void {
  const env = results.environment;
  doc.md.push('## Speed (batch 128, 28 steps, input 28, hidden 256)', '');
  if (results.timing?.length) {
    const load =
      env.loadAverage === undefined
        ? ''
        : ` (1-minute load average ${env.loadAverage.toFixed(1)} on ${env.cpuCores} cores when the run started: other processes compete for the CPU when it exceeds the core count)`;
    doc.md.push(
      `Measured by this run on backend \`${env.backend}\`${load}. ${results.timingNote ?? ''}`,
      '',
      table(
        ['model', 'params', 'inference (ms)', 'training step (ms)'],
        results.timing.map((t) => [t.model, int(t.params), t.inferenceMs.toFixed(1), t.trainStepMs.toFixed(1)]),
      ),
      '',
    );
  } else {
    doc.md.push(results.timingNote ?? 'The timing command was not run in this invocation (`pnpm run exp timing`).', '');
  }
  doc.md.push(
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

/** The report's markdown and its figures (file name → Vega-Lite spec; `writeReport` renders each to SVG). */
export function renderReport(results: ResultsFile): { markdown: string; images: Record<string, TopLevelSpec> } {
  const env = results.environment;
  const doc = new Doc();
  doc.md.push(
    `# A Fully Tensorized Recurrent Neural Network: reproduction report (${env.run})`,
    '',
    `Profile \`${env.profile}\`, run \`${env.run}\`, ${env.date}. Produced by \`${env.command}\`. ` +
      `Every number below is also in [results.json](results.json). ` +
      `Numbers in the "paper" columns are the authors' logged results (kept in \`src/paper_results.ts\`, with their protocol); the speed of the authors' code was measured by this project; all others were measured by this run.`,
    '',
  );
  const all = [...results.mnist, ...(results.pmnist ?? []), ...results.speaker, ...(results.stability ?? [])];
  const failed = all.filter((r) => r.status !== 'done');
  const stability = renderStability(results.stability ?? []);
  renderHeadline(doc, results, failed.length, stability.headline);
  doc.md.push(...authors.renderProtocol(results), ...authors.renderDifferences(results));
  doc.md.push('## What was scaled down', '', ...results.scaledDown.map((s) => `- ${s}`), '');
  if (results.expectations.length)
    doc.md.push('What is plausible at this scale:', '', ...results.expectations.map((s) => `- ${s}`), '');
  if (results.notes.length) doc.md.push('Notes:', '', ...results.notes.map((s) => `- ${s}`), '');
  renderEnvironment(doc, results);
  renderParams(doc, results);
  doc.md.push(...authors.renderSpeakerParams());
  renderMnist(doc, results);
  renderPmnist(doc, results);
  renderSpeaker(doc, results);
  doc.md.push(...stability.lines);
  Object.assign(doc.images, stability.images);
  renderTiming(doc, results);
  if (failed.length) {
    doc.md.push(
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
