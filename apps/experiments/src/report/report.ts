/**
 * Renders `REPORT.md` and its SVG figures from a results object. Pure: `renderReport` returns the markdown
 * and the images; `writeReport` puts them on disk next to each other.
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
import type { ModelSpec } from '../profiles.js';
import { int, pct, ratio, secs, table } from './format.js';
import type { CurvePoint, ResultsFile, RunRecord } from './results.js';
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
import { histogram, lineChart, renderSvg } from './svg.js';
import type { Chart, Series } from './svg.js';

export interface RenderedReport {
  readonly markdown: string;
  /** File name (relative to the report) → the figure as a Vega-Lite spec; `writeReport` renders it to SVG. */
  readonly images: Readonly<Record<string, Chart>>;
}

function cellName(model: CellKind): string {
  return model.toUpperCase();
}

function layoutName(r: { model: CellKind; cores: number; extraCore: string; naive: boolean }): string {
  const extra = r.extraCore !== 'none' ? `, extra core ${r.extraCore}` : '';
  return `TT-${cellName(r.model)} ${r.cores} cores${extra}${r.naive ? ', naive' : ''}`;
}

function done<C, O>(records: readonly RunRecord<C, O>[]): (RunRecord<C, O> & { outcome: O })[] {
  return records.filter((r): r is RunRecord<C, O> & { outcome: O } => r.status === 'done' && r.outcome !== undefined);
}

function seriesKey(m: ModelSpec): string {
  return m.tt === null ? `${cellName(m.cell)} (dense)` : `TT-${cellName(m.cell)} ${m.tt.cores} cores`;
}

/** Our runs as chart series: one per cell kind and dense/TT, sorted by x; dense models as squares without lines. */
function ourSeries<C extends ModelSpec, O>(
  records: readonly (RunRecord<C, O> & { outcome: O })[],
  x: (o: O) => number,
  y: (o: O) => number,
  label: (c: C) => string,
): Series[] {
  const groups = new Map<string, Series['points'][number][]>();
  for (const r of records) {
    const key = seriesKey(r.config);
    const pts = groups.get(key) ?? [];
    pts.push({ x: x(r.outcome), y: y(r.outcome), label: label(r.config) });
    groups.set(key, pts);
  }
  return [...groups.entries()].map(([name, points]) => ({
    name: `ours: ${name}`,
    points: points.sort((a, b) => a.x - b.x),
    style: name.includes('dense') ? 'scatter' : 'both',
    marker: name.includes('dense') ? 'square' : 'circle',
  }));
}

/** A model as the authors' tables key it: cell, cores, rank, with cores 0 and rank 0 for a dense model. */
const paperKey = (m: ModelSpec): [CellKind, number, number] => [m.cell, m.tt?.cores ?? 0, m.tt?.rank ?? 0];

const shortLabel = (m: ModelSpec): string => (m.tt === null ? '' : `r${m.tt.rank}`);

function curveChart(
  title: string,
  yLabel: string,
  runs: { name: string; curve: readonly CurvePoint[] }[],
  trainKey: keyof CurvePoint,
  valKey: keyof CurvePoint,
  scale = 1,
  xKey: 'step' | 'epoch' = 'step',
): Chart | undefined {
  const series: Series[] = [];
  const colors = ['#0072B2', '#D55E00', '#009E73', '#CC79A7'];
  runs.forEach((run, i) => {
    const color = colors[i % colors.length]!;
    const pick = (k: keyof CurvePoint) =>
      run.curve
        .filter((p) => typeof p[k] === 'number' && Number.isFinite(p[k]) && typeof p[xKey] === 'number')
        .map((p) => ({ x: p[xKey] as number, y: (p[k] as number) * scale }));
    const tr = pick(trainKey);
    const va = pick(valKey);
    if (tr.length) series.push({ name: `${run.name} train`, points: tr, color, dashed: true, style: 'line' });
    if (va.length) series.push({ name: `${run.name} validation`, points: va, color, style: 'both' });
  });
  if (series.length === 0) return undefined;
  return lineChart({ title, x: { label: xKey === 'step' ? 'training step' : 'epoch' }, y: { label: yLabel }, series });
}

function gradHistogram(title: string, runs: { name: string; norms: readonly number[] }[]): Chart | undefined {
  const series = runs.filter((r) => r.norms.length > 0).map((r) => ({ name: r.name, values: r.norms }));
  if (series.length === 0) return undefined;
  return histogram({ title, xLabel: 'global gradient norm (log scale)', series, logX: true, bins: 30 });
}

/** Picks the dense run and the best TT run (by a score, higher is better) of one cell kind. */
function pickPair<C extends ModelSpec, O>(
  records: readonly (RunRecord<C, O> & { outcome: O })[],
  model: CellKind,
  score: (o: O) => number,
): (RunRecord<C, O> & { outcome: O })[] {
  const dense = records.find((r) => r.config.cell === model && r.config.tt === null);
  const tts = records.filter(
    (r) =>
      r.config.cell === model &&
      r.config.tt !== null &&
      ((r.config as { trainFraction?: number }).trainFraction ?? 1) === 1,
  );
  const best = tts.reduce<(typeof tts)[number] | undefined>(
    (b, r) => (b === undefined || score(r.outcome) > score(b.outcome) ? r : b),
    undefined,
  );
  return [dense, best].filter((r): r is NonNullable<typeof r> => r !== undefined);
}

export function renderReport(results: ResultsFile): RenderedReport {
  const env = results.environment;
  const images: Record<string, Chart> = {};
  const md: string[] = [];
  const img = (name: string, chart: Chart | undefined, alt: string): void => {
    if (chart === undefined) return;
    images[name] = chart;
    md.push(`![${alt}](${name})`, '');
  };

  md.push(`# A Fully Tensorized Recurrent Neural Network: reproduction report (${env.run})`, '');
  md.push(
    `Profile \`${env.profile}\`, run \`${env.run}\`, ${env.date}. Produced by \`${env.command}\`. ` +
      `Every number below is also in [results.json](results.json). ` +
      `Numbers in the "paper" columns are the authors' logged results (kept in \`src/paper_results.ts\`, with their protocol); the speed of the authors' code was measured by this project; all others were measured by this run.`,
    '',
  );

  // Headline.
  const mnistDone = done(results.mnist);
  const speakerDone = done(results.speaker);
  const headline: string[] = [];
  for (const model of ['lstm', 'gru'] as const) {
    const d = mnistDone.find((r) => r.config.cell === model && r.config.tt === null);
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
  const pmnistRecords = results.pmnist ?? [];
  const pmnistDone = done(pmnistRecords);
  for (const r of pmnistDone)
    headline.push(
      `Permuted pixel MNIST, ${modelLabel(r.config)}: ${pct(r.outcome.testAccuracy)} test accuracy with ${int(r.outcome.params)} parameters.`,
    );
  const spFull = speakerDone.filter((r) => r.config.trainFraction === 1);
  for (const r of spFull)
    headline.push(
      `Speaker verification, ${modelLabel(r.config)}: ${pct(r.outcome.testEer)} test EER with ${int(r.outcome.params)} parameters.`,
    );
  const stability = renderStability(results.stability ?? []);
  headline.push(...stability.headline);
  const failed = [...results.mnist, ...pmnistRecords, ...results.speaker, ...(results.stability ?? [])].filter(
    (r) => r.status !== 'done',
  );
  md.push('## Headline', '');
  if (headline.length) md.push(...headline.map((h) => `- ${h}`));
  else md.push('- No training run finished in this run.');
  if (failed.length)
    md.push(`- ${failed.length} configuration(s) did not finish: see "Runs that did not finish" below.`);
  md.push(
    `- Wall time of this invocation: ${secs(results.wallSeconds)} s (runs read back from earlier invocations cost nothing here).`,
    '',
  );
  md.push(...renderProtocol(results), ...renderDifferences(results));

  // Scale.
  md.push('## What was scaled down', '');
  md.push(...results.scaledDown.map((s) => `- ${s}`), '');
  if (results.expectations.length) {
    md.push('What is plausible at this scale:', '', ...results.expectations.map((s) => `- ${s}`), '');
  }
  if (results.notes.length) md.push('Notes:', '', ...results.notes.map((s) => `- ${s}`), '');

  // Environment.
  md.push('## Environment', '');
  md.push(
    table(
      ['item', 'value'],
      [
        ['backend', `\`${env.backend}\``],
        ['TensorFlow.js', env.tfjsVersion],
        ['CPU', `${env.cpuModel} (${env.cpuCores} cores)`],
        ['load average at start', env.loadAverage === undefined ? '—' : env.loadAverage.toFixed(2)],
        ['Node.js', env.nodeVersion],
        ['platform', env.platform],
        ['profile', env.profile],
        [
          'seeds',
          Object.entries(env.seeds)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || '—',
        ],
        ['date', env.date],
      ],
      ['l', 'l'],
    ),
    '',
  );

  if (results.invocations && results.invocations.length > 0) {
    md.push(
      'Invocations on this run directory (configurations "ran" were trained or measured by that invocation; "read back" were finished earlier):',
      '',
    );
    md.push(
      table(
        ['date', 'command', 'backend', 'load avg.', 'wall time (s)', 'ran', 'read back'],
        results.invocations.map((i) => [
          i.date,
          `\`${i.command}\``,
          i.backend,
          i.loadAverage === undefined ? '—' : i.loadAverage.toFixed(2),
          secs(i.wallSeconds),
          String(i.ran),
          String(i.reused),
        ]),
      ),
      '',
    );
  }

  // Parameter tables.
  md.push('## Parameter counts', '', '### Sequence classifier (input 28, hidden 256, 10 classes)', '');
  if (results.params) {
    const p = results.params;
    md.push(
      `Counts of this implementation beside the original's. "ours" counts both TT biases like the original's code; ` +
        `"paper conv." counts one bias fewer (G·H less), as the authors' notebooks do. A ✓ marks an exact match with the original. ` +
        `Compression = dense parameters / TT parameters (implementation counts). Dense: LSTM ${int(p.dense.lstm)} (original ${int(PAPER_DENSE_PARAMS.lstm)}), ` +
        `GRU ${int(p.dense.gru)} (original ${int(PAPER_DENSE_PARAMS.gru)}).`,
      '',
    );
    for (const model of ['lstm', 'gru'] as const) {
      const rows = p.rows.filter((r) => r.model === model);
      if (!rows.length) continue;
      md.push(`#### TT-${cellName(model)} classifier`, '');
      md.push(
        table(
          ['layout', 'rank', 'params (ours)', 'params (paper conv.)', 'original', 'match', 'compression'],
          rows.flatMap((row) =>
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
          ),
        ),
        '',
      );
    }
  } else {
    md.push(results.paramsNote ?? 'Parameter tables were not computed in this run.', '');
    md.push("The original's counts (for reference):", '');
    md.push(
      table(
        ['layout', ...PAPER_PARAM_RANKS.map((r) => `r=${r}`)],
        PAPER_PARAM_TABLE.map((row) => [layoutName(row), ...PAPER_PARAM_RANKS.map((r) => int(row.params[r]))]),
      ),
      '',
    );
  }
  md.push(...renderSpeakerParams());

  // MNIST.
  md.push('## Row-by-row MNIST: test accuracy against parameters', '');
  if (results.mnist.length === 0) md.push('Not run in this invocation.', '');
  else {
    const s = results.mnist[0]!.config;
    md.push(
      `Settings: hidden ${s.hidden}, ${s.layers} layer(s), ${s.epochs} epoch(s), batch ${s.batch}, Adam lr ${s.lr}` +
        `${s.lrDecayEvery > 0 ? `, ×0.1 every ${s.lrDecayEvery} epochs` : ', no decay'}, ` +
        `${s.trainLimit > 0 ? `${int(s.trainLimit)} training images` : 'all 50,000 training images'}, ` +
        `${s.testLimit > 0 ? `${int(s.testLimit)} validation / test images` : 'full 10,000-image validation and test sets'}, ` +
        `${(s.order ?? 'reshuffle') === 'fixed' ? 'one fixed order every epoch' : 'reshuffled every epoch'}, seed ${s.seed}. ` +
        mnistProvenance() +
        ' "paper params" are the parameters of the authors\' configuration (hidden 256) in both conventions (code / notebook).',
      '',
    );
    const denseParams = (m: CellKind): number | undefined =>
      mnistDone.find((r) => r.config.cell === m && r.config.tt === null)?.outcome.params;
    md.push(
      table(
        [
          'model',
          'cores',
          'rank',
          'params (ours)',
          'params (paper conv.)',
          'compression',
          'val. acc.',
          'test acc.',
          'paper test acc.',
          'paper params',
          'train time (s)',
          'ms / step',
        ],
        results.mnist.map((r) => {
          const c = r.config;
          const o = r.outcome;
          const extra = c.tt !== null && (c.tt.extraCore !== 'none' || c.tt.naive);
          const paper = paperMnistCell(...paperKey(c), extra);
          const paperCount = paper === '—' ? undefined : authorsMnistCount(...paperKey(c));
          const dp = denseParams(c.cell);
          const status = r.status === 'done' ? '' : ` (${r.status})`;
          return [
            `${c.tt === null ? cellName(c.cell) : `TT-${cellName(c.cell)}`}${c.tt && c.tt.extraCore !== 'none' ? ` (extra ${c.tt.extraCore})` : ''}${c.tt?.naive ? ' (naive)' : ''}${status}`,
            c.tt === null ? '—' : String(c.tt.cores),
            c.tt === null ? '—' : String(c.tt.rank),
            int(o?.params),
            int(o?.paramsPaper),
            o && dp !== undefined ? ratio(dp, o.params) : '—',
            pct(o?.validationAccuracy),
            pct(o?.testAccuracy),
            paper,
            paperCount === undefined ? '—' : `${int(paperCount.params)} / ${int(paperCount.paramsPaper)}`,
            secs(o?.trainSeconds),
            o?.stepMs === undefined ? '—' : Math.round(o.stepMs).toString(),
          ];
        }),
      ),
      '',
    );
    const series = ourSeries(
      mnistDone,
      (o) => o.params,
      (o) => 100 * o.testAccuracy,
      shortLabel,
    );
    // The authors' markers, each at its configuration's count (both TT biases, as ours): points only, no lines.
    series.push({
      name: 'paper: TT-LSTM (60k images, best test)',
      points: paperMnistPoints(),
      style: 'scatter',
      marker: 'diamond',
      color: '#777777',
    });
    series.push({
      name: 'paper: LSTM (dense)',
      points: [{ x: PAPER_DENSE_PARAMS.lstm, y: PAPER_MNIST.denseLstmAccuracy }],
      style: 'scatter',
      marker: 'diamond',
      color: '#000000',
    });
    if (mnistDone.length) {
      img(
        'mnist_accuracy_vs_params.svg',
        lineChart({
          title: 'Row MNIST: test accuracy against parameters',
          x: { label: 'parameters, both TT biases counted (log scale)', log: true },
          y: { label: 'test accuracy (%)' },
          series,
        }),
        'Row MNIST test accuracy against parameters',
      );
      const pair = [...pickPair(mnistDone, 'lstm', (o) => o.testAccuracy)];
      const curves = pair.map((r) => ({
        name: r.config.tt === null ? 'LSTM' : `TT c${r.config.tt.cores} r${r.config.tt.rank}`,
        curve: r.outcome.curve,
      }));
      img(
        'mnist_learning_curves.svg',
        curveChart(
          'Row MNIST: accuracy, train vs validation',
          'accuracy (%)',
          curves,
          'trainAccuracy',
          'validationAccuracy',
          100,
        ),
        'Row MNIST learning curves',
      );
      const steps = Math.min(...pair.map((r) => r.outcome.gradNorms.length));
      img(
        'mnist_grad_norms.svg',
        gradHistogram(
          'Row MNIST: global gradient norms after clipping (no clipping here)',
          pair.map((r) => ({
            name: r.config.tt === null ? 'LSTM' : `TT-LSTM c${r.config.tt.cores} r${r.config.tt.rank}`,
            norms: clippedNorms(r.outcome.gradNorms, null),
          })),
        ),
        'Row MNIST gradient norms',
      );
      if (pair.length) md.push(gradNormCaption(steps, null), '');
    }
  }

  // Permuted pixel MNIST.
  md.push('## Permuted pixel-by-pixel MNIST', '');
  if (pmnistRecords.length === 0) md.push('Not run in this invocation (`pnpm run exp all --only pmnist`).', '');
  else {
    const s = pmnistRecords[0]!.config;
    md.push(
      `Each image is read one pixel per time step (784 steps of input size 1) in a fixed random order (seeded), so the model must remember across the whole sequence. ` +
        `Settings: hidden ${s.hidden}, ${s.layers} layer(s), ${s.epochs} epoch(s), batch ${s.batch}, Adam lr ${s.lr}` +
        `${s.lrDecayEvery > 0 ? `, ×0.1 every ${s.lrDecayEvery} epochs` : ', no decay'}, ` +
        `${s.trainLimit > 0 ? `${int(s.trainLimit)} training images (${int(Math.ceil(s.trainLimit / s.batch) * s.epochs)} steps)` : 'all 50,000 training images'}, ` +
        `${s.testLimit > 0 ? `${int(s.testLimit)} validation / test images` : 'full 10,000-image validation and test sets'}, seed ${s.seed}; ` +
        `gradient checkpointing over chunks of 28 time steps (same numbers, less memory). Chance is 10%. ` +
        `The paper's logged results hold no permuted-MNIST numbers to compare with.`,
      '',
    );
    const dense = pmnistDone.find((r) => r.config.tt === null);
    const hasRss = pmnistDone.some((r) => r.outcome.maxRssMiB !== undefined);
    md.push(
      table(
        [
          'model',
          'cores',
          'rank',
          'params (ours)',
          'params (paper conv.)',
          'compression',
          'val. acc.',
          'test acc.',
          'train time (s)',
          'ms / step',
          ...(hasRss ? ['max RSS (MiB)'] : []),
        ],
        pmnistRecords.map((r) => {
          const c = r.config;
          const o = r.outcome;
          return [
            `${c.tt === null ? cellName(c.cell) : `TT-${cellName(c.cell)}`}${c.tt && c.tt.extraCore !== 'none' ? ` (extra ${c.tt.extraCore})` : ''}${c.tt?.naive ? ' (naive)' : ''}${r.status === 'done' ? '' : ` (${r.status})`}`,
            c.tt === null ? '—' : String(c.tt.cores),
            c.tt === null ? '—' : String(c.tt.rank),
            int(o?.params),
            int(o?.paramsPaper),
            o && dense ? ratio(dense.outcome.params, o.params) : '—',
            pct(o?.validationAccuracy),
            pct(o?.testAccuracy),
            secs(o?.trainSeconds),
            o?.stepMs === undefined ? '—' : Math.round(o.stepMs).toString(),
            ...(hasRss ? [int(o?.maxRssMiB)] : []),
          ];
        }),
      ),
      '',
    );
    if (hasRss) {
      md.push(
        "Max RSS is the process's resident-set high-water mark when the run ended (Node's `process.resourceUsage().maxRSS`): it includes every earlier run of the same invocation and the wasm heap, which never shrinks, so it bounds the run's peak memory from above.",
        '',
      );
    }
    if (pmnistDone.length) {
      const pair = [...pickPair(pmnistDone, 'lstm', (o) => o.testAccuracy)];
      const curves = pair.map((r) => ({
        name: r.config.tt === null ? 'LSTM' : `TT c${r.config.tt.cores} r${r.config.tt.rank}`,
        curve: r.outcome.curve,
      }));
      img(
        'pmnist_learning_curves.svg',
        curveChart(
          'Permuted pixel MNIST: accuracy, train vs validation',
          'accuracy (%)',
          curves,
          'trainAccuracy',
          'validationAccuracy',
          100,
        ),
        'Permuted pixel MNIST learning curves',
      );
    }
  }

  // Speaker verification.
  md.push('## Speaker verification: test EER against parameters', '');
  if (results.speaker.length === 0) md.push('Not run in this invocation.', '');
  else {
    const s = results.speaker[0]!.config;
    md.push(
      `Settings: corpus \`${s.corpus}\`, hidden ${s.hidden}, embedding ${s.embedding}, ${s.layers} layer(s), ${s.speakersPerBatch} speakers × ${s.utterancesPerSpeaker} utterances per batch, ` +
        `${s.steps} steps, Adam lr ${s.lr}, gradient clip ${s.clip}, validation every ${s.evalEvery} steps, seed ${s.seed}; ` +
        `${s.evalUtterances === undefined ? 'evaluation on every usable utterance of each speaker' : `evaluation on ${describeEvaluation(s.evalUtterances)}`}. ` +
        `The authors: LibriSpeech, hidden ${PAPER_SPEAKER.hidden}, embedding ${PAPER_SPEAKER.embedding}, ${PAPER_SPEAKER.speakersPerBatch} × ${PAPER_SPEAKER.utterancesPerSpeaker} per batch, ` +
        `their logged sweep (Adam 2e-3, 40,000 steps, seed ${PAPER_SPEAKER.seed}, no TT input bias): one test EER per configuration, with its parameters in both conventions (code / notebook). ` +
        "EERs on a synthetic corpus are not comparable with LibriSpeech EERs; the paper's column is there for the ordering.",
      '',
    );
    const dense = speakerDone.find((r) => r.config.tt === null && r.config.trainFraction === 1);
    const main = results.speaker.filter((r) => r.config.trainFraction === 1);
    md.push(
      table(
        [
          'model',
          'cores',
          'rank',
          'params (ours)',
          'params (paper conv.)',
          'compression',
          'val. EER',
          'test EER',
          'paper test EER',
          'paper params',
          'train time (s)',
          'ms / step',
          'test speakers / utterances',
        ],
        main.map((r) => {
          const c = r.config;
          const o = r.outcome;
          const paper = paperSpeakerCells(...paperKey(c));
          return [
            `${c.tt === null ? cellName(c.cell) : `TT-${cellName(c.cell)}`}${r.status === 'done' ? '' : ` (${r.status})`}`,
            c.tt === null ? '—' : String(c.tt.cores),
            c.tt === null ? '—' : String(c.tt.rank),
            int(o?.params),
            int(o?.paramsPaper),
            o && dense ? ratio(dense.outcome.params, o.params) : '—',
            pct(o?.validationEer),
            pct(o?.testEer),
            paper.eer,
            paper.params,
            secs(o?.trainSeconds),
            o?.stepMs === undefined ? '—' : Math.round(o.stepMs).toString(),
            o?.testSpeakers === undefined || o.testUtterances === undefined
              ? '—'
              : `${o.testSpeakers} / ${o.testUtterances}`,
          ];
        }),
      ),
      '',
    );
    const mainDone = speakerDone.filter((r) => r.config.trainFraction === 1);
    if (mainDone.length) {
      // Both sides in the authors' notebook convention (no TT input bias, no GE2E scalars).
      const series = ourSeries(
        mainDone,
        (o) => o.paramsPaper,
        (o) => 100 * o.testEer,
        shortLabel,
      );
      series.push({
        name: 'paper (LibriSpeech)',
        points: PAPER_SPEAKER.results.map((p) => ({
          x: p.paramsPaper,
          y: p.eer,
          label: p.cores === 0 ? 'LSTM' : `c${p.cores} r${p.rank}`,
        })),
        style: 'scatter',
        marker: 'diamond',
        color: '#777777',
      });
      img(
        'speaker_eer_vs_params.svg',
        lineChart({
          title: 'Speaker verification: test EER against parameters',
          x: { label: "parameters, the authors' notebook convention (log scale)", log: true },
          y: { label: 'test EER (%)' },
          series,
        }),
        'Speaker verification EER against parameters',
      );
      const pair = pickPair(mainDone, 'lstm', (o) => -o.testEer);
      const curves = pair.map((r) => ({
        name: r.config.tt === null ? 'LSTM' : `TT c${r.config.tt.cores} r${r.config.tt.rank}`,
        curve: r.outcome.curve,
      }));
      const hasEer = curves.some((c) => c.curve.some((p) => p.trainEer !== undefined));
      img(
        'speaker_learning_curves.svg',
        hasEer
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
            ),
        'Speaker verification learning curves',
      );
      const steps = Math.min(...pair.map((r) => r.outcome.gradNorms.length));
      img(
        'speaker_grad_norms.svg',
        gradHistogram(
          `Speaker verification: global gradient norms after clipping at ${s.clip}`,
          pair.map((r) => ({
            name: r.config.tt === null ? 'LSTM' : `TT-LSTM c${r.config.tt.cores} r${r.config.tt.rank}`,
            norms: clippedNorms(r.outcome.gradNorms, r.config.clip),
          })),
        ),
        'Speaker verification gradient norms',
      );
      if (pair.length) md.push(gradNormCaption(steps, s.clip), '');
    }
    // Data efficiency.
    const fractions = [...new Set(results.speaker.map((r) => r.config.trainFraction))].sort((a, b) => a - b);
    if (fractions.length > 1) {
      md.push('### Data efficiency: test EER against the training speakers used', '');
      const models = new Map<string, ModelSpec>();
      for (const r of results.speaker) if (r.config.trainFraction < 1) models.set(modelLabel(r.config), r.config);
      const rowFor = (m: ModelSpec) =>
        fractions.map((f) =>
          results.speaker.find((r) => r.config.trainFraction === f && modelLabel(r.config) === modelLabel(m)),
        );
      const paperFor = (m: ModelSpec, f: number): string => {
        const idx = PAPER_SPEAKER.dataEfficiency.fractions.findIndex((x) => Math.abs(x - f) < 1e-9);
        if (idx < 0) return '—';
        if (m.tt === null) return `${PAPER_SPEAKER.dataEfficiency.lstm[idx]!.toFixed(2)}%`;
        if (m.cell === 'lstm' && m.tt.cores === 2 && m.tt.rank === 2)
          return `${PAPER_SPEAKER.dataEfficiency.ttLstm[idx]!.toFixed(2)}%`;
        return '—';
      };
      md.push(
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
        `"spk." is the number of training speakers actually used: a run never uses fewer speakers than one batch holds (${s.speakersPerBatch}), so a small fraction of a small corpus may use more than its share.`,
        '',
      );
      const series: Series[] = [];
      [...models.values()].forEach((m, i) => {
        const color = ['#0072B2', '#D55E00', '#009E73'][i % 3]!;
        const pts = rowFor(m)
          .map((r, k) => (r?.outcome ? { x: 100 * fractions[k]!, y: 100 * r.outcome.testEer } : undefined))
          .filter((p): p is { x: number; y: number } => p !== undefined);
        series.push({ name: `ours: ${modelLabel(m)}`, points: pts, color });
      });
      const pe = PAPER_SPEAKER.dataEfficiency;
      series.push({
        name: 'paper: LSTM',
        points: pe.fractions.map((f, k) => ({ x: 100 * f, y: pe.lstm[k]! })),
        dashed: true,
        color: '#0072B2',
        marker: 'diamond',
      });
      series.push({
        name: 'paper: TT-LSTM c2 r2',
        points: pe.fractions.map((f, k) => ({ x: 100 * f, y: pe.ttLstm[k]! })),
        dashed: true,
        color: '#D55E00',
        marker: 'diamond',
      });
      if (series.some((s) => s.points.length > 0 && !s.name.startsWith('paper'))) {
        img(
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
  }

  md.push(...stability.lines);
  Object.assign(images, stability.images);

  // Timing.
  md.push('## Speed (batch 128, 28 steps, input 28, hidden 256)', '');
  if (results.timing && results.timing.length) {
    md.push(
      `Measured by this run on backend \`${env.backend}\`${env.loadAverage !== undefined ? ` (1-minute load average ${env.loadAverage.toFixed(1)} on ${env.cpuCores} cores when the run started: other processes compete for the CPU when it exceeds the core count)` : ''}. ${results.timingNote ?? ''}`,
      '',
      table(
        ['model', 'params', 'inference (ms)', 'training step (ms)'],
        results.timing.map((t) => [t.model, int(t.params), t.inferenceMs.toFixed(1), t.trainStepMs.toFixed(1)]),
      ),
      '',
    );
  } else {
    md.push(results.timingNote ?? 'The timing command was not run in this invocation (`pnpm run exp timing`).', '');
  }
  md.push(
    "The authors' code (PyTorch 1.13, float32), measured by this project on machines of this kind (2 cores, CPU): not numbers from the paper. " +
      'Medians in ms, inference / training step; the shared machines give figures up to ~1.5× apart between runs, so compare within a column:',
    '',
  );
  md.push(
    table(
      ['model', 'params', '1 thread, quiet', '1 thread, busier', '2 threads, busier'],
      PAPER_TIMING.map((t) => [t.model, int(t.params), t.quiet, t.busier, t.twoThreads]),
    ),
    '',
  );

  if (failed.length) {
    md.push('## Runs that did not finish', '');
    md.push(
      table(
        ['run', 'status', 'error'],
        failed.map((r) => [r.id, r.status, (r.error ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')]),
      ),
      '',
    );
    md.push('Run the same command again: finished runs are read back, interrupted ones resume.', '');
  }
  return { markdown: md.join('\n').replace(/\n{3,}/g, '\n\n'), images };
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
