/**
 * A small dependency-free SVG chart writer for the experiment reports: line/scatter charts with linear or
 * logarithmic axes, and histograms. Output is a standalone SVG 1.1 document (no scripts, no external fonts)
 * that renders the same in browsers, GitHub's markdown viewer and rsvg-convert.
 */

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
  /** Forced range; default: the data range (padded for linear axes). */
  readonly min?: number;
  readonly max?: number;
}

export interface LineChartOptions {
  readonly title: string;
  readonly x: AxisOptions;
  readonly y: AxisOptions;
  readonly series: readonly Series[];
  readonly width?: number;
  readonly height?: number;
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
  readonly bins?: number;
  /** Bins of equal width in log10(x) (values ≤ 0 are dropped and counted in a note). */
  readonly logX?: boolean;
  readonly width?: number;
  readonly height?: number;
}

/** Colour-blind-safe palette (Okabe–Ito). */
export const PALETTE: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

/** Margins of the plot area inside the SVG canvas. */
export const MARGIN = { left: 72, right: 180, top: 40, bottom: 56 } as const;

const DEFAULT_WIDTH = 720;
const DEFAULT_HEIGHT = 420;

/** The rectangle data are drawn in, for a canvas of the given size. */
export function plotArea(width = DEFAULT_WIDTH, height = DEFAULT_HEIGHT, right: number = MARGIN.right): { x0: number; x1: number; y0: number; y1: number } {
  return { x0: MARGIN.left, x1: width - right, y0: MARGIN.top, y1: height - MARGIN.bottom };
}

/** Room for the legend right of the plot: wide enough for the longest entry (about 6.6 px per character). */
export function legendWidth(names: readonly string[]): number {
  return Math.max(MARGIN.right, Math.ceil(40 + 6.6 * Math.max(0, ...names.map((n) => n.length))));
}

/** The canvas width: the given one, or a 540 px plot plus the legend. */
function canvasWidth(given: number | undefined, right: number): number {
  return given ?? DEFAULT_WIDTH - MARGIN.right + right;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A short label for a tick value: 1e3 → "1k", 0.25 → "0.25", 1e-4 → "1e-4". */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e3) return `${trim(v / 1e3)}k`;
  if (a < 1e-3) {
    const e = Math.floor(Math.log10(a));
    const m = v / 10 ** e;
    return `${trim(m)}e${e}`;
  }
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/**
 * Ticks of a log axis over [min, max]: the powers of ten inside it, plus 2× and 5× when fewer than three
 * decades are spanned, plus 1–9× when less than one decade is. Always at least two ticks (the ends).
 */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min)) throw new Error(`'min' and 'max' passed to 'logTicks' must satisfy 0 < min <= max, got ${min}, ${max}`);
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const decades = Math.log10(max) - Math.log10(min);
  const mults = decades < 1 ? [1, 2, 3, 4, 5, 6, 7, 8, 9] : decades < 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) {
    for (const m of mults) {
      const t = Number((m * 10 ** e).toPrecision(12));
      if (t >= min * (1 - 1e-9) && t <= max * (1 + 1e-9)) ticks.push(t);
    }
  }
  if (ticks.length < 2) return [min, max];
  return ticks;
}

/** "Nice" linear ticks (steps of 1, 2 or 5 × 10^k), about `count` of them, inside [min, max]. */
export function linearTicks(min: number, max: number, count = 6): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) {
    throw new Error(`'min' and 'max' passed to 'linearTicks' must be finite with min <= max, got ${min}, ${max}`);
  }
  if (max === min) return [min];
  const raw = (max - min) / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  // The 1-2-5 step whose tick count comes closest to the one asked for.
  const step = [1, 2, 5, 10]
    .map((m) => m * mag)
    .reduce((best, s) => (Math.abs((max - min) / s + 1 - count) < Math.abs((max - min) / best + 1 - count) ? s : best));
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Maps data values to pixels along one axis. */
export interface Scale {
  readonly min: number;
  readonly max: number;
  readonly log: boolean;
  readonly ticks: number[];
  (v: number): number;
}

/** A scale from [min, max] (data) to [p0, p1] (pixels); log axes map log10 linearly. */
export function makeScale(min: number, max: number, p0: number, p1: number, log: boolean): Scale {
  const f = log ? Math.log10 : (v: number) => v;
  const a = f(min);
  const b = f(max);
  const span = b - a || 1;
  const s = ((v: number) => p0 + ((f(v) - a) / span) * (p1 - p0)) as Scale;
  return Object.assign(s, { min, max, log, ticks: log ? logTicks(min, max) : linearTicks(min, max) });
}

/** The axis range for data values: log ranges snap outwards to 1/2/5 steps, linear ranges get 5% padding. */
export function axisRange(values: readonly number[], axis: AxisOptions): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v) && (!axis.log || v > 0));
  let lo = axis.min ?? (finite.length ? Math.min(...finite) : axis.log ? 1 : 0);
  let hi = axis.max ?? (finite.length ? Math.max(...finite) : axis.log ? 10 : 1);
  if (axis.log) {
    if (!(lo > 0)) throw new Error(`a log axis '${axis.label}' needs a positive minimum, got ${lo}`);
    if (axis.min === undefined) lo = snapDown(lo);
    if (axis.max === undefined) hi = snapUp(hi);
    if (hi <= lo) hi = lo * 10;
    return [lo, hi];
  }
  if (hi === lo) {
    const d = Math.abs(lo) * 0.1 || 1;
    return [axis.min ?? lo - d, axis.max ?? hi + d];
  }
  const pad = (hi - lo) * 0.05;
  return [axis.min ?? lo - pad, axis.max ?? hi + pad];
}

function snapDown(v: number): number {
  const e = 10 ** Math.floor(Math.log10(v));
  const m = v / e;
  return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * e;
}

function snapUp(v: number): number {
  const e = 10 ** Math.floor(Math.log10(v));
  const m = v / e;
  return (m <= 1 + 1e-12 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * e;
}

const f1 = (v: number): string => (Math.round(v * 10) / 10).toString();

function header(width: number, height: number, title: string, area: ReturnType<typeof plotArea>): string[] {
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${f1((area.x0 + area.x1) / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ];
}

function axes(out: string[], xs: Scale, ys: Scale, xLabel: string, yLabel: string, area: ReturnType<typeof plotArea>): void {
  const { x0, x1, y0, y1 } = area;
  out.push(`<g class="grid" stroke="#e5e5e5" stroke-width="1">`);
  for (const t of xs.ticks) out.push(`<line x1="${f1(xs(t))}" y1="${y0}" x2="${f1(xs(t))}" y2="${y1}"/>`);
  for (const t of ys.ticks) out.push(`<line x1="${x0}" y1="${f1(ys(t))}" x2="${x1}" y2="${f1(ys(t))}"/>`);
  out.push(`</g>`);
  out.push(`<rect class="plot-area" x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="#333333"/>`);
  out.push(`<g class="x-ticks" text-anchor="middle">`);
  for (const t of xs.ticks) {
    const x = f1(xs(t));
    out.push(`<line x1="${x}" y1="${y1}" x2="${x}" y2="${y1 + 5}" stroke="#333333"/>`);
    out.push(`<text x="${x}" y="${y1 + 18}" data-value="${t}">${escapeXml(formatTick(t))}</text>`);
  }
  out.push(`</g>`);
  out.push(`<g class="y-ticks" text-anchor="end">`);
  for (const t of ys.ticks) {
    const y = f1(ys(t));
    out.push(`<line x1="${x0 - 5}" y1="${y}" x2="${x0}" y2="${y}" stroke="#333333"/>`);
    out.push(`<text x="${x0 - 8}" y="${f1(ys(t) + 4)}" data-value="${t}">${escapeXml(formatTick(t))}</text>`);
  }
  out.push(`</g>`);
  out.push(`<text class="x-label" x="${f1((x0 + x1) / 2)}" y="${y1 + 40}" text-anchor="middle" font-size="13">${escapeXml(xLabel)}</text>`);
  out.push(
    `<text class="y-label" x="${f1(18)}" y="${f1((y0 + y1) / 2)}" text-anchor="middle" font-size="13" transform="rotate(-90 18 ${f1((y0 + y1) / 2)})">${escapeXml(yLabel)}</text>`,
  );
}

function marker(shape: Series['marker'], x: number, y: number, color: string): string {
  if (shape === 'square') return `<rect class="point" x="${f1(x - 3.5)}" y="${f1(y - 3.5)}" width="7" height="7" fill="${color}" data-cx="${f1(x)}" data-cy="${f1(y)}"/>`;
  if (shape === 'diamond') {
    return `<polygon class="point" points="${f1(x)},${f1(y - 5)} ${f1(x + 5)},${f1(y)} ${f1(x)},${f1(y + 5)} ${f1(x - 5)},${f1(y)}" fill="${color}" data-cx="${f1(x)}" data-cy="${f1(y)}"/>`;
  }
  return `<circle class="point" cx="${f1(x)}" cy="${f1(y)}" r="3.5" fill="${color}"/>`;
}

function legend(out: string[], entries: { name: string; color: string; dashed?: boolean; box?: boolean; noLine?: boolean; marker?: Series['marker'] }[], area: ReturnType<typeof plotArea>): void {
  const x = area.x1 + 14;
  out.push(`<g class="legend">`);
  entries.forEach((e, i) => {
    const y = area.y0 + 8 + i * 20;
    if (e.box) out.push(`<rect x="${x}" y="${y - 6}" width="18" height="12" fill="${e.color}" fill-opacity="0.5" stroke="${e.color}"/>`);
    else {
      if (!e.noLine) out.push(`<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${e.color}" stroke-width="2"${e.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
      out.push(marker(e.marker, x + 9, y, e.color).replace('class="point"', 'class="legend-marker"'));
    }
    out.push(`<text x="${x + 24}" y="${y + 4}">${escapeXml(e.name)}</text>`);
  });
  out.push(`</g>`);
}

/** A line and/or scatter chart; either axis may be logarithmic. Returns the SVG document. */
export function lineChart(options: LineChartOptions): string {
  const right = legendWidth(options.series.map((s) => s.name));
  const width = canvasWidth(options.width, right);
  const height = options.height ?? DEFAULT_HEIGHT;
  const area = plotArea(width, height, right);
  const usable = (p: { x: number; y: number }): boolean =>
    Number.isFinite(p.x) && Number.isFinite(p.y) && (!options.x.log || p.x > 0) && (!options.y.log || p.y > 0);
  const all = options.series.flatMap((s) => s.points.filter(usable));
  const [xmin, xmax] = axisRange(all.map((p) => p.x), options.x);
  const [ymin, ymax] = axisRange(all.map((p) => p.y), options.y);
  const xs = makeScale(xmin, xmax, area.x0, area.x1, options.x.log ?? false);
  const ys = makeScale(ymin, ymax, area.y1, area.y0, options.y.log ?? false);
  const out = header(width, height, options.title, area);
  axes(out, xs, ys, options.x.label, options.y.label, area);
  const clip = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
  options.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const style = s.style ?? 'both';
    const pts = s.points.filter(usable).map((p) => ({ x: clip(xs(p.x), area.x0, area.x1), y: clip(ys(p.y), area.y0, area.y1), label: p.label }));
    out.push(`<g class="series" data-name="${escapeXml(s.name)}">`);
    if (style !== 'scatter' && pts.length > 1) {
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,3"' : ''} points="${pts.map((p) => `${f1(p.x)},${f1(p.y)}`).join(' ')}"/>`,
      );
    }
    if (style !== 'line' || pts.length === 1) for (const p of pts) out.push(marker(s.marker, p.x, p.y, color));
    for (const p of pts) if (p.label) out.push(`<text class="point-label" x="${f1(p.x + 5)}" y="${f1(p.y - 6)}" font-size="10" fill="${color}">${escapeXml(p.label)}</text>`);
    out.push(`</g>`);
  });
  legend(
    out,
    options.series.map((s, i) => {
      const e: { name: string; color: string; dashed?: boolean; noLine?: boolean; marker?: Series['marker'] } = { name: s.name, color: s.color ?? PALETTE[i % PALETTE.length]! };
      if (s.dashed) e.dashed = true;
      if (s.style === 'scatter') e.noLine = true;
      if (s.marker) e.marker = s.marker;
      return e;
    }),
    area,
  );
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}

/** Bin edges: `bins` equal-width bins over [min, max] (in log10 space for log histograms). */
export function binEdges(min: number, max: number, bins: number, log: boolean): number[] {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`'bins' passed to 'binEdges' must be a positive integer, got ${bins}`);
  const a = log ? Math.log10(min) : min;
  let b = log ? Math.log10(max) : max;
  if (b <= a) b = a + 1;
  return Array.from({ length: bins + 1 }, (_, i) => {
    const t = a + ((b - a) * i) / bins;
    return log ? 10 ** t : t;
  });
}

/** Counts of values per bin; the last bin is closed on the right. Values outside are ignored. */
export function histogramCounts(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  const lo = edges[0]!;
  const hi = edges[edges.length - 1]!;
  for (const v of values) {
    if (!(v >= lo && v <= hi)) continue;
    let k = edges.findIndex((e, i) => i > 0 && v < e) - 1;
    if (k < 0) k = counts.length - 1;
    counts[k]! += 1;
  }
  return counts;
}

/** Overlaid histograms (semi-transparent bars), one per series, on shared bins. */
export function histogram(options: HistogramOptions): string {
  const right = legendWidth(options.series.map((s) => `${s.name} (n=${s.values.length})`));
  const width = canvasWidth(options.width, right);
  const height = options.height ?? DEFAULT_HEIGHT;
  const area = plotArea(width, height, right);
  const log = options.logX ?? false;
  const bins = options.bins ?? 30;
  const usable = (v: number): boolean => Number.isFinite(v) && (!log || v > 0);
  const all = options.series.flatMap((s) => s.values.filter(usable));
  const dropped = options.series.reduce((n, s) => n + s.values.filter((v) => !usable(v)).length, 0);
  let [lo, hi] = all.length ? [Math.min(...all), Math.max(...all)] : log ? [1, 10] : [0, 1];
  if (hi <= lo) {
    if (log) [lo, hi] = [lo / 2, hi * 2];
    else [lo, hi] = [lo - 0.5, hi + 0.5];
  }
  if (log) [lo, hi] = [snapDown(lo), snapUp(hi)];
  const edges = binEdges(lo, hi, bins, log);
  const counts = options.series.map((s) => histogramCounts(s.values.filter(usable), edges));
  const cmax = Math.max(1, ...counts.flat());
  const xs = makeScale(lo, hi, area.x0, area.x1, log);
  const ys = makeScale(0, cmax * 1.05, area.y1, area.y0, false);
  const out = header(width, height, options.title, area);
  axes(out, xs, ys, options.xLabel, options.yLabel ?? 'count', area);
  options.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    out.push(`<g class="series" data-name="${escapeXml(s.name)}">`);
    counts[i]!.forEach((c, k) => {
      if (c === 0) return;
      const xa = xs(edges[k]!);
      const xb = xs(edges[k + 1]!);
      const y = ys(c);
      out.push(
        `<rect class="bar" x="${f1(xa)}" y="${f1(y)}" width="${f1(Math.max(0.5, xb - xa))}" height="${f1(area.y1 - y)}" fill="${color}" fill-opacity="0.45" stroke="${color}" data-count="${c}"/>`,
      );
    });
    out.push(`</g>`);
  });
  legend(out, options.series.map((s, i) => ({ name: `${s.name} (n=${s.values.filter(usable).length})`, color: s.color ?? PALETTE[i % PALETTE.length]!, box: true })), area);
  if (dropped > 0) out.push(`<text x="${area.x1 + 14}" y="${area.y1}" font-size="10">${dropped} value(s) ≤ 0 not shown</text>`);
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}
