/**
 * The report section of the stability experiment: per model and learning rate, final and best validation
 * accuracy as mean ± standard deviation over seeds and the number of diverged runs; one figure per cell kind
 * (dense vs TT) of accuracy against learning rate with a band of ± one standard deviation.
 */
import type { TopLevelSpec } from 'vega-lite';
import { modelId, modelLabel } from '../profiles.js';
import type { ModelSpec, StabilityConfig } from '../profiles.js';
import type { RunRecord, StabilityOutcome } from './results.js';
import { int, table } from './format.js';
import { COMMON, paletteAt } from './svg.js';

type Done = RunRecord<StabilityConfig, StabilityOutcome> & { outcome: StabilityOutcome };

/** Mean and sample standard deviation (0 for a single value). */
function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd };
}

/**
 * One row per model and learning rate over its seeds (models in first-seen order, learning rates ascending):
 * final and best accuracy, runs that diverged to NaN or ended at chance; unfinished runs are left out.
 */
export function stabilityRows(records: readonly RunRecord<StabilityConfig, StabilityOutcome>[]) {
  const done = records.filter((r): r is Done => r.status === 'done' && r.outcome !== undefined);
  const groups = new Map<string, Done[]>();
  for (const r of done) {
    const k = `${modelId(r.config)}@${r.config.lr}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const order = [...new Set(done.map((r) => modelId(r.config)))];
  return [...groups.values()]
    .map((rs) => ({
      model: rs[0]!.config as ModelSpec,
      lr: rs[0]!.config.lr,
      runs: rs.length,
      final: meanSd(rs.map((r) => r.outcome.finalAccuracy)),
      best: meanSd(rs.map((r) => r.outcome.bestAccuracy)),
      nan: rs.filter((r) => r.outcome.diverged === 'nan').length,
      chance: rs.filter((r) => r.outcome.diverged === 'chance').length,
      params: rs[0]!.outcome.params,
    }))
    .sort((a, b) => order.indexOf(modelId(a.model)) - order.indexOf(modelId(b.model)) || a.lr - b.lr);
}

const pct = (v: number): string => (Number.isFinite(v) ? (100 * v).toFixed(1) : '—');
const pm = (s: { mean: number; sd: number }): string => `${pct(s.mean)} ± ${pct(s.sd)}%`;

/** Accuracy against learning rate for the models of one cell kind: a ±1 sd band and the mean of final accuracy, the mean best dashed. */
function stabilityChart(rows: ReturnType<typeof stabilityRows>, title: string): TopLevelSpec {
  const names = [...new Set(rows.map((r) => modelLabel(r.model)))];
  const values = rows.flatMap(({ model, lr, final, best }) => {
    const label = modelLabel(model);
    const at = (what: string, mean: number, lo = mean, hi = mean) => ({ model: label, lr, what, mean, lo, hi });
    return [
      at('final', final.mean, Math.max(0, final.mean - final.sd), Math.min(1, final.mean + final.sd)),
      at('best', best.mean),
    ];
  });
  const x = { field: 'lr', type: 'quantitative', title: 'learning rate (Adam, log scale)', scale: { type: 'log' } };
  const y = {
    field: 'mean',
    type: 'quantitative',
    title: 'validation accuracy',
    scale: { domainMin: 0, domainMax: 1 },
  };
  const range = names.map(paletteAt);
  const color = { field: 'model', type: 'nominal', title: null, sort: names, scale: { domain: names, range } };
  const layer = (what: string, mark: object, encoding: object = {}) => ({
    transform: [{ filter: `datum.what === '${what}'` }],
    mark,
    encoding: { x, y, ...encoding, color },
  });
  return {
    ...COMMON,
    title: { text: title, subtitle: 'final accuracy: mean over seeds (line) ± 1 sd (band); best epoch: mean (dashed)' },
    data: { values },
    layer: [
      layer('final', { type: 'area', opacity: 0.2 }, { y: { ...y, field: 'lo' }, y2: { field: 'hi' } }),
      layer('final', { type: 'line', point: true, strokeWidth: 2 }),
      layer('best', { type: 'line', strokeDash: [5, 3], strokeWidth: 1.5 }),
    ],
  } as TopLevelSpec;
}

/** The section's markdown lines, its figures (file name → chart) and its lines of the report's headline. */
export function renderStability(records: readonly RunRecord<StabilityConfig, StabilityOutcome>[]) {
  const lines: string[] = ['## Stability over learning rates and seeds', ''];
  const images: Record<string, TopLevelSpec> = {};
  const headline: string[] = [];
  if (records.length === 0) return { lines: [...lines, 'Not run in this invocation.', ''], images, headline };
  const s = records[0]!.config;
  const rows = stabilityRows(records);
  const seeds = [...new Set(records.map((r) => r.config.seed))].sort((a, b) => a - b);
  lines.push(
    `The paper's third claim is that TT cells train more stably, which makes the learning rate easier to choose. ` +
      `Each model trains on row MNIST at every learning rate with seeds ${seeds.join(', ')} (seed = initialisation and data order), ` +
      `hidden ${s.hidden}, ${s.epochs} epoch(s) of ${s.trainLimit > 0 ? s.trainLimit.toLocaleString('en-US') : 'all 50,000'} images, batch ${s.batch}, Adam, no clipping, no decay; ` +
      `accuracy on ${s.testLimit > 0 ? s.testLimit.toLocaleString('en-US') : 'all 10,000'} validation images after each epoch. ` +
      `"final" is after the last epoch, "best" the best epoch's, both mean ± sample standard deviation over seeds. ` +
      `Diverged: the loss became non-finite (NaN: training stops, final accuracy counted as chance, 10%) or the run ended at chance ` +
      `after blowing up (validation accuracy ≤ 15% at the end, and a training loss above ln 10 + 0.5, worse than a uniform guess, at some step). ` +
      `A run that only learns slowly is not counted as diverged.`,
    '',
  );
  const head = ['model', 'learning rate', 'final acc.', 'best acc.', 'diverged (NaN + at chance) / runs', 'params'];
  const cells = rows.map((r) => [
    modelLabel(r.model),
    r.lr.toExponential(),
    pm(r.final),
    pm(r.best),
    `${r.nan + r.chance} (${r.nan} + ${r.chance}) / ${r.runs}`,
    int(r.params),
  ]);
  lines.push(table(head, cells), '');
  for (const cell of ['lstm', 'gru'] as const) {
    const cellRows = rows.filter((r) => r.model.cell === cell);
    if (cellRows.length === 0) continue;
    const name = `stability_${cell}.svg`;
    images[name] = stabilityChart(cellRows, `Row MNIST, ${cell.toUpperCase()}: accuracy against learning rate`);
    lines.push(`![${cell.toUpperCase()} accuracy against learning rate, dense and TT](${name})`, '');
  }
  for (const key of [...new Set(rows.map((r) => modelId(r.model)))]) {
    const mine = rows.filter((r) => modelId(r.model) === key);
    const stable = mine.filter((r) => r.nan + r.chance === 0).map((r) => r.lr.toExponential());
    const top = mine.reduce((b, r) => (r.final.mean > b.final.mean ? r : b));
    headline.push(
      `Stability, ${modelLabel(mine[0]!.model)}: no diverged run at ${stable.length ? stable.join(', ') : 'no learning rate'}; ` +
        `best mean final accuracy ${pm(top.final)} at ${top.lr.toExponential()}.`,
    );
  }
  return { lines, images, headline };
}
