/**
 * The report's figures as Vega-Lite specs, rendered to standalone SVG by Vega in Node (no browser, no
 * canvas). A spec carries its data, so the same object renders in a browser (vega-embed, the Vega editor);
 * `writeReport` saves each one beside its SVG as `<name>.vl.json`.
 */
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** One data series of a line/scatter chart. */
export interface Series {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number; readonly label?: string }[];
  /** `line` joins points in order; `scatter` draws markers only; `both` (default) does both. */
  readonly style?: 'line' | 'scatter' | 'both';
  /** CSS colour; default from the palette by series index. */
  readonly color?: string;
  readonly dashed?: boolean;
  readonly marker?: 'circle' | 'square' | 'diamond';
}

/** An axis: its title, a log scale, forced ends (default: the data range). */
type Axis = { readonly label: string; readonly log?: boolean; readonly min?: number; readonly max?: number };

/** Colour-blind-safe palette (Okabe–Ito). */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

/** Plot size and settings shared by every figure (legend labels are never cut short). */
export const COMMON = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: 480,
  height: 320,
  config: { legend: { labelLimit: 0 } },
} as const;

/** A channel (colour, dash, shape) keyed by the field `series`, whose values `names` map to `range` in order. */
const bySeries = (names: readonly string[], range: readonly unknown[]) =>
  ({ field: 'series', type: 'nominal', sort: names, title: null, scale: { domain: names, range } }) as const;

/** The palette's colour for the `i`th series. */
export const paletteAt = (_: unknown, i: number): string => PALETTE[i % PALETTE.length]!;

/** A Vega-Lite scale for an axis: log or linear (not forced to include zero), with any forced ends. */
const scaleOf = (axis: Partial<Axis>) => ({
  ...(axis.log ? { type: 'log' as const } : { zero: false }),
  ...(axis.min !== undefined ? { domainMin: axis.min } : {}),
  ...(axis.max !== undefined ? { domainMax: axis.max } : {}),
});

/**
 * A line and/or scatter chart; either axis may be logarithmic. Points that cannot be drawn (not finite, or
 * ≤ 0 on a log axis) are left out; a series with one point is drawn as a marker whatever its style.
 */
export function lineChart(o: { title: string; x: Axis; y: Axis; series: readonly Series[] }): TopLevelSpec {
  const { x, y, series } = o;
  const values = series.flatMap((s) => {
    const pts = s.points.filter(
      (p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!x.log || p.x > 0) && (!y.log || p.y > 0),
    );
    const style = s.style ?? 'both';
    return pts.map((p, order) => ({
      series: s.name,
      x: p.x,
      y: p.y,
      order,
      label: p.label ?? '',
      line: style !== 'scatter' && pts.length > 1,
      point: style !== 'line' || pts.length === 1,
    }));
  });
  const names = series.map((s) => s.name);
  const channel = (f: (s: Series, i: number) => unknown) => bySeries(names, series.map(f));
  const xy = {
    x: { field: 'x', type: 'quantitative', title: x.label, scale: scaleOf(x) },
    y: { field: 'y', type: 'quantitative', title: y.label, scale: scaleOf(y) },
    color: channel((s, i) => s.color ?? paletteAt(s, i)),
  } as const;
  return {
    ...COMMON,
    title: o.title,
    data: { values },
    layer: [
      {
        transform: [{ filter: 'datum.line' }],
        mark: { type: 'line', strokeWidth: 2, clip: true },
        encoding: {
          ...xy,
          order: { field: 'order', type: 'quantitative' },
          strokeDash: channel((s) => (s.dashed ? [5, 3] : [1, 0])),
        },
      },
      {
        transform: [{ filter: 'datum.point' }],
        mark: { type: 'point', filled: true, size: 50, opacity: 1, clip: true },
        encoding: { ...xy, shape: channel((s) => s.marker ?? 'circle') },
      },
      {
        transform: [{ filter: "datum.label !== ''" }],
        mark: { type: 'text', align: 'left', dx: 5, dy: -6, fontSize: 10, clip: true },
        encoding: { ...xy, text: { field: 'label', type: 'nominal' } },
      },
    ],
  };
}

/**
 * Overlaid histograms (semi-transparent bars), one per series, on shared bins (at most 30, of a round width
 * Vega picks). `logX`: bins of equal width in log10(x) on a log axis (values ≤ 0 are dropped and counted in
 * a subtitle).
 */
export function histogram(o: {
  title: string;
  xLabel: string;
  series: readonly { name: string; values: readonly number[] }[];
  logX?: boolean;
}): TopLevelSpec {
  const log = o.logX ?? false;
  const usable = (v: number): boolean => Number.isFinite(v) && (!log || v > 0);
  const names = o.series.map((s) => `${s.name} (n=${s.values.filter(usable).length})`);
  const values = o.series.flatMap((s, i) => s.values.filter(usable).map((value) => ({ series: names[i]!, value })));
  const dropped = o.series.reduce((n, s) => n + s.values.filter((v) => !usable(v)).length, 0);
  const byName = bySeries(names, names.map(paletteAt));
  return {
    ...COMMON,
    title:
      dropped > 0
        ? { text: o.title, subtitle: `${dropped} value(s) not shown (${log ? '≤ 0 or ' : ''}not finite)` }
        : o.title,
    data: { values },
    transform: [
      // Log histograms bin log10(value) in equal widths and draw the bins back on a log axis.
      { calculate: log ? 'log(datum.value) / LN10' : 'datum.value', as: 't' },
      { bin: { maxbins: 30 }, field: 't', as: ['t0', 't1'] },
      { aggregate: [{ op: 'count', as: 'count' }], groupby: ['series', 't0', 't1'] },
      { calculate: log ? 'pow(10, datum.t0)' : 'datum.t0', as: 'x0' },
      { calculate: log ? 'pow(10, datum.t1)' : 'datum.t1', as: 'x1' },
    ],
    mark: { type: 'rect', fillOpacity: 0.45, strokeWidth: 1 },
    encoding: {
      x: { field: 'x0', type: 'quantitative', title: o.xLabel, scale: scaleOf({ log }) },
      x2: { field: 'x1' },
      y: { field: 'count', type: 'quantitative', title: 'count', stack: null },
      color: byName,
      stroke: byName,
    },
  };
}

/** Runs a chart's dataflow headlessly; the caller finalizes the view. Tests read scales and marks from it. */
export async function chartView(chart: TopLevelSpec): Promise<View> {
  const view = new View(parse(compile(chart).spec), { renderer: 'none' });
  await view.runAsync();
  return view;
}

/** The chart as a standalone SVG document. */
export async function renderSvg(chart: TopLevelSpec): Promise<string> {
  const view = await chartView(chart);
  try {
    return `<?xml version="1.0" encoding="UTF-8"?>\n${await view.toSVG()}\n`;
  } finally {
    view.finalize();
  }
}
