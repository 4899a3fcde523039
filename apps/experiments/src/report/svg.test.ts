import { describe, expect, it } from 'vitest';
import { binEdges, histogram, histogramCounts, lineChart, linearTicks, logTicks, makeScale } from './svg.js';

/** A minimal XML well-formedness check: balanced tags, quoted attributes, escaped text. */
function assertWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = tag.exec(body)) !== null) {
    pos = tag.lastIndex;
    if (m[5] !== undefined) {
      expect(m[5], 'text must not hold a raw & or >').not.toMatch(/&(?!(amp|lt|gt|quot|apos);)|>/);
      continue;
    }
    const [, close, name, , selfClose] = m;
    if (close) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else if (!selfClose) stack.push(name!);
  }
  expect(pos, `unparsable XML near: ${body.slice(pos, pos + 60)}`).toBe(body.length);
  expect(stack).toEqual([]);
}

/** The plot rectangle as drawn in the document. */
function plotArea(svg: string): { x0: number; x1: number; y0: number; y1: number } {
  const m = /<rect class="plot-area" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(svg)!;
  const [x, y, w, h] = m.slice(1).map(Number) as [number, number, number, number];
  return { x0: x, x1: x + w, y0: y, y1: y + h };
}

function points(svg: string): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (const m of svg.matchAll(/<circle class="point" cx="([\d.-]+)" cy="([\d.-]+)"/g)) out.push({ x: Number(m[1]), y: Number(m[2]) });
  for (const m of svg.matchAll(/class="point"[^>]*data-cx="([\d.-]+)" data-cy="([\d.-]+)"/g)) out.push({ x: Number(m[1]), y: Number(m[2]) });
  return out;
}

function ticks(svg: string, axis: 'x' | 'y'): { value: number; pos: number }[] {
  const group = new RegExp(`<g class="${axis}-ticks"[^>]*>([\\s\\S]*?)</g>`).exec(svg)![1]!;
  const attr = axis === 'x' ? 'x' : 'y';
  return [...group.matchAll(new RegExp(`<text ${axis === 'x' ? 'x' : 'x="[\\d.]+" y'}="([\\d.-]+)"${axis === 'x' ? ' y="[\\d.]+"' : ''} data-value="([^"]+)"`, 'g'))].map(
    (m) => ({ value: Number(m[2]), pos: Number(m[1]) - (attr === 'y' ? 4 : 0) }),
  );
}

describe('logTicks', () => {
  it('puts powers of ten inside the range, adding 2× and 5× over few decades', () => {
    expect(logTicks(1000, 1e6)).toEqual([1e3, 1e4, 1e5, 1e6]);
    expect(logTicks(1000, 50000)).toEqual([1000, 2000, 5000, 10000, 20000, 50000]);
    expect(logTicks(2, 9)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(() => logTicks(0, 10)).toThrow(/logTicks/);
  });
});

describe('linearTicks', () => {
  it('uses steps of 1, 2 or 5 × 10^k inside the range', () => {
    expect(linearTicks(0, 100, 6)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(linearTicks(0.13, 0.87, 5)).toEqual([0.2, 0.4, 0.6, 0.8]);
    // Just over a 1-2-5 boundary still gets about the number asked for, not half of it.
    expect(linearTicks(4.5, 104.8, 6)).toEqual([20, 40, 60, 80, 100]);
    const t = linearTicks(91.3, 99.2, 6);
    for (const v of t) expect(v).toBeGreaterThanOrEqual(91.3);
    expect(t[t.length - 1]).toBeLessThanOrEqual(99.2);
  });
});

describe('makeScale', () => {
  it('maps a log axis so that each decade has the same length', () => {
    const s = makeScale(100, 100_000, 0, 300, true);
    expect(s(100)).toBeCloseTo(0);
    expect(s(1000)).toBeCloseTo(100);
    expect(s(10_000)).toBeCloseTo(200);
    expect(s(100_000)).toBeCloseTo(300);
  });
});

describe('lineChart', () => {
  const svg = lineChart({
    title: 'Accuracy <vs> parameters & more',
    x: { label: 'parameters', log: true },
    y: { label: 'accuracy (%)' },
    series: [
      { name: 'ours', points: [{ x: 2500, y: 91 }, { x: 5000, y: 94 }, { x: 294_410, y: 98.2 }] },
      { name: 'paper', style: 'scatter', marker: 'diamond', points: [{ x: 3546, y: 97.3, label: 'c2 r1' }, { x: 0, y: 50 }] },
    ],
  });

  it('is well-formed XML with escaped text', () => {
    expect(svg.startsWith('<?xml')).toBe(true);
    assertWellFormed(svg);
    expect(svg).toContain('Accuracy &lt;vs&gt; parameters &amp; more');
  });

  it('draws every usable point inside the plot area and drops x ≤ 0 on a log axis', () => {
    const a = plotArea(svg);
    const pts = points(svg);
    expect(pts.length).toBe(4);
    for (const p of pts) {
      expect(p.x).toBeGreaterThanOrEqual(a.x0);
      expect(p.x).toBeLessThanOrEqual(a.x1);
      expect(p.y).toBeGreaterThanOrEqual(a.y0);
      expect(p.y).toBeLessThanOrEqual(a.y1);
    }
  });

  it('places log-axis ticks at equal spacing per decade, increasing left to right', () => {
    const xt = ticks(svg, 'x');
    expect(xt.map((t) => t.value)).toEqual([2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5]);
    // Pixels per decade are the same between any two ticks.
    const perDecade = xt.slice(1).map((t, i) => (t.pos - xt[i]!.pos) / Math.log10(t.value / xt[i]!.value));
    for (const d of perDecade) expect(Math.abs(d - perDecade[0]!)).toBeLessThan(0.5);
    for (let i = 1; i < xt.length; i++) expect(xt[i]!.pos).toBeGreaterThan(xt[i - 1]!.pos);
    // The smallest point lies between the ticks around it.
    const p2500 = Math.min(...points(svg).map((p) => p.x));
    const t2000 = xt.find((t) => t.value === 2000)!.pos;
    const t5000 = xt.find((t) => t.value === 5000)!.pos;
    expect(p2500).toBeGreaterThan(t2000);
    expect(p2500).toBeLessThan(t5000);
  });

  it('has axis labels, a legend entry per series and y ticks decreasing upwards', () => {
    expect(svg).toContain('>parameters</text>');
    expect(svg).toContain('>accuracy (%)</text>');
    expect(svg).toMatch(/<g class="legend">[\s\S]*>ours<[\s\S]*>paper</);
    const yt = ticks(svg, 'y');
    expect(yt.length).toBeGreaterThan(2);
    for (let i = 1; i < yt.length; i++) expect(yt[i]!.pos).toBeLessThan(yt[i - 1]!.pos);
  });
});

describe('histogram', () => {
  it('counts every value once in equal-width bins (last bin closed)', () => {
    const edges = binEdges(0, 10, 5, false);
    expect(edges).toEqual([0, 2, 4, 6, 8, 10]);
    expect(histogramCounts([0, 1.9, 2, 5, 10, 11, -1], edges)).toEqual([2, 1, 1, 0, 1]);
    const logEdges = binEdges(0.001, 10, 4, true);
    expect(logEdges.map((e) => Number(e.toPrecision(6)))).toEqual([0.001, 0.01, 0.1, 1, 10]);
  });

  it('draws bars whose counts add up to the number of values, inside the plot area', () => {
    const dense = Array.from({ length: 40 }, (_, i) => 1e-3 * (1 + i / 10));
    const ttNorms = Array.from({ length: 25 }, (_, i) => 0.5 + i / 20);
    const svg = histogram({ title: 'gradient norms', xLabel: 'norm', logX: true, series: [{ name: 'LSTM', values: dense }, { name: 'TT', values: [...ttNorms, 0] }] });
    assertWellFormed(svg);
    const a = plotArea(svg);
    const bars = [...svg.matchAll(/<rect class="bar" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"[^>]*data-count="(\d+)"/g)];
    const total = bars.reduce((n, b) => n + Number(b[5]), 0);
    expect(total).toBe(65);
    for (const b of bars) {
      expect(Number(b[1])).toBeGreaterThanOrEqual(a.x0 - 0.1);
      expect(Number(b[1]) + Number(b[3])).toBeLessThanOrEqual(a.x1 + 0.1);
      expect(Number(b[2])).toBeGreaterThanOrEqual(a.y0);
      expect(Number(b[2]) + Number(b[4])).toBeCloseTo(a.y1, 0);
    }
    expect(svg).toContain('1 value(s) ≤ 0 not shown');
    expect(svg).toContain('LSTM (n=40)');
  });
});
