/**
 * The report's figures as Vega-Lite specs, rendered to standalone SVG by Vega in Node (no browser, no
 * canvas). A spec carries its data, so the same object renders in a browser (vega-embed, the Vega editor);
 * `writeReport` saves each one beside its SVG as `<name>.vl.json`.
 */
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** A figure: a Vega-Lite spec with its data inline. */
export type Chart = TopLevelSpec;

/** One data series of a line/scatter chart. */
export interface Series {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number; readonly label?: string }[];
  /** `line` joins points in order; `scatter` draws markers only; `both` (default) does both. */
  readonly style?: 'line' | 'scatter' | 'both';
  /** CSS colour; default from the palette by series index. */
  readonly color?: string;
  readonly dashed?: boolean;
  /** Marker shape; default circle. */
  readonly marker?: 'circle' | 'square' | 'diamond';
}

export interface AxisOptions {
  readonly label: string;
  readonly log?: boolean;
  /** Forced ends of the axis; default: the data range. */
  readonly min?: number;
  readonly max?: number;
}

export interface LineChartOptions {
  readonly title: string;
  readonly x: AxisOptions;
  readonly y: AxisOptions;
  readonly series: readonly Series[];
}

export interface HistogramSeries {
  readonly name: string;
  readonly values: readonly number[];
  readonly color?: string;
}

export interface HistogramOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel?: string;
  readonly series: readonly HistogramSeries[];
  /** The most bins; Vega picks a round bin width at or under this count. Default 30. */
  readonly bins?: number;
  /** Bins of equal width in log10(x) on a log axis (values ≤ 0 are dropped and counted in a subtitle). */
  readonly logX?: boolean;
}

/** Colour-blind-safe palette (Okabe–Ito). */
export const PALETTE: readonly string[] = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#F0E442',
];

/** Plot size and settings shared by every figure (legend labels are never cut short). */
const COMMON = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: 480,
  height: 320,
  config: { legend: { labelLimit: 0 } },
} as const;

const colorOf = (s: { color?: string }, i: number): string => s.color ?? PALETTE[i % PALETTE.length]!;

/** A Vega-Lite scale for an axis: log or linear (not forced to include zero), with any forced ends. */
function scaleOf(axis: { log?: boolean; min?: number; max?: number }): {
  type?: 'log';
  zero?: boolean;
  domainMin?: number;
  domainMax?: number;
} {
  return {
    ...(axis.log ? { type: 'log' as const } : { zero: false }),
    ...(axis.min !== undefined ? { domainMin: axis.min } : {}),
    ...(axis.max !== undefined ? { domainMax: axis.max } : {}),
  };
}

/**
 * A line and/or scatter chart; either axis may be logarithmic. Points that cannot be drawn (not finite, or
 * ≤ 0 on a log axis) are left out; a series with one point is drawn as a marker whatever its style.
 */
export function lineChart(options: LineChartOptions): Chart {
  const { x, y, series } = options;
  const drawable = (p: { x: number; y: number }): boolean =>
    Number.isFinite(p.x) && Number.isFinite(p.y) && (!x.log || p.x > 0) && (!y.log || p.y > 0);
  const values = series.flatMap((s) => {
    const pts = s.points.filter(drawable);
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
  const byName = { field: 'series', type: 'nominal', sort: names, title: null } as const;
  const xy = {
    x: { field: 'x', type: 'quantitative', title: x.label, scale: scaleOf(x) },
    y: { field: 'y', type: 'quantitative', title: y.label, scale: scaleOf(y) },
    color: { ...byName, scale: { domain: names, range: series.map(colorOf) } },
  } as const;
  return {
    ...COMMON,
    title: options.title,
    data: { values },
    layer: [
      {
        transform: [{ filter: 'datum.line' }],
        mark: { type: 'line', strokeWidth: 2, clip: true },
        encoding: {
          ...xy,
          order: { field: 'order', type: 'quantitative' },
          strokeDash: { ...byName, scale: { domain: names, range: series.map((s) => (s.dashed ? [5, 3] : [1, 0])) } },
        },
      },
      {
        transform: [{ filter: 'datum.point' }],
        mark: { type: 'point', filled: true, size: 50, opacity: 1, clip: true },
        encoding: {
          ...xy,
          shape: { ...byName, scale: { domain: names, range: series.map((s) => s.marker ?? 'circle') } },
        },
      },
      {
        transform: [{ filter: "datum.label !== ''" }],
        mark: { type: 'text', align: 'left', dx: 5, dy: -6, fontSize: 10, clip: true },
        encoding: { ...xy, text: { field: 'label', type: 'nominal' } },
      },
    ],
  };
}

/** Overlaid histograms (semi-transparent bars), one per series, on shared bins. */
export function histogram(options: HistogramOptions): Chart {
  const log = options.logX ?? false;
  const usable = (v: number): boolean => Number.isFinite(v) && (!log || v > 0);
  const named = options.series.map((s) => ({ ...s, name: `${s.name} (n=${s.values.filter(usable).length})` }));
  const values = named.flatMap((s, i) =>
    options.series[i]!.values.filter(usable).map((value) => ({ series: s.name, value })),
  );
  const dropped = options.series.reduce((n, s) => n + s.values.filter((v) => !usable(v)).length, 0);
  const names = named.map((s) => s.name);
  return {
    ...COMMON,
    title:
      dropped > 0
        ? { text: options.title, subtitle: `${dropped} value(s) not shown (${log ? '≤ 0 or ' : ''}not finite)` }
        : options.title,
    data: { values },
    transform: [
      // Log histograms bin log10(value) in equal widths and draw the bins back on a log axis.
      { calculate: log ? 'log(datum.value) / LN10' : 'datum.value', as: 't' },
      { bin: { maxbins: options.bins ?? 30 }, field: 't', as: ['t0', 't1'] },
      { aggregate: [{ op: 'count', as: 'count' }], groupby: ['series', 't0', 't1'] },
      { calculate: log ? 'pow(10, datum.t0)' : 'datum.t0', as: 'x0' },
      { calculate: log ? 'pow(10, datum.t1)' : 'datum.t1', as: 'x1' },
    ],
    mark: { type: 'rect', fillOpacity: 0.45, strokeWidth: 1 },
    encoding: {
      x: { field: 'x0', type: 'quantitative', title: options.xLabel, scale: scaleOf({ log }) },
      x2: { field: 'x1' },
      y: { field: 'count', type: 'quantitative', title: options.yLabel ?? 'count', stack: null },
      color: {
        field: 'series',
        type: 'nominal',
        sort: names,
        title: null,
        scale: { domain: names, range: named.map(colorOf) },
      },
      stroke: {
        field: 'series',
        type: 'nominal',
        sort: names,
        title: null,
        scale: { domain: names, range: named.map(colorOf) },
      },
    },
  };
}

/** Runs a chart's dataflow headlessly; the caller finalizes the view. Tests read scales and marks from it. */
export async function chartView(chart: Chart): Promise<View> {
  const view = new View(parse(compile(chart).spec), { renderer: 'none' });
  await view.runAsync();
  return view;
}

/** The chart as a standalone SVG document. */
export async function renderSvg(chart: Chart): Promise<string> {
  const view = await chartView(chart);
  try {
    return `<?xml version="1.0" encoding="UTF-8"?>\n${await view.toSVG()}\n`;
  } finally {
    view.finalize();
  }
}
