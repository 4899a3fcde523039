import { DOMParser } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { chartView, histogram, lineChart, renderSvg } from './svg.js';
import type { TopLevelSpec } from 'vega-lite';

/** Parses an SVG document with a real XML parser; any error or warning fails the test. */
function parseSvg(svg: string): Element {
  const doc = new DOMParser({
    onError: (level, message) => {
      throw new Error(`SVG does not parse (${level}): ${message}`);
    },
  }).parseFromString(svg, 'image/svg+xml');
  const root = doc.documentElement!;
  expect(root.nodeName).toBe('svg');
  return root;
}

/** Elements with a class among their class names, in document order. */
function byClass(root: Element, name: string): Element[] {
  return [...root.getElementsByTagName('*')].filter((e) => (e.getAttribute('class') ?? '').split(/\s+/).includes(name));
}

/** The children drawn by the marks of one type (Vega puts each mark in a `<g class="mark-TYPE role-mark">`). */
function marks(root: Element, type: 'symbol' | 'line' | 'rect' | 'text'): Element[] {
  return byClass(root, `mark-${type}`)
    .filter((g) => byClass(g, 'role-mark').length === 0 && (g.getAttribute('class') ?? '').includes('role-mark'))
    .flatMap((g) => [...g.childNodes].filter((c): c is Element => c.nodeType === 1));
}

/** The translate(x, y) of a marker. */
function position(e: Element): { x: number; y: number } {
  const m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(e.getAttribute('transform') ?? '')!;
  return { x: Number(m[1]), y: Number(m[2]) };
}

const texts = (root: Element): string[] => [...root.getElementsByTagName('text')].map((t) => t.textContent ?? '');

interface SceneItem {
  readonly datum?: Record<string, unknown>;
  readonly items?: readonly SceneItem[];
  readonly marktype?: string;
  readonly role?: string;
}

/** The data of every item a mark of `marktype` drew, from the rendered scenegraph. */
function drawnData(node: SceneItem, marktype: string, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (node.marktype === marktype && node.role === 'mark') for (const it of node.items ?? []) out.push(it.datum ?? {});
  else for (const child of node.items ?? []) drawnData(child, marktype, out);
  return out;
}

async function scene(chart: TopLevelSpec): Promise<{ x: string; y: string; root: SceneItem; xDomain: number[] }> {
  const view = await chartView(chart);
  try {
    const x = view.scale('x') as { type: string; domain(): number[] };
    const y = view.scale('y') as { type: string };
    return {
      x: x.type,
      y: y.type,
      xDomain: x.domain(),
      root: (view.scenegraph() as unknown as { root: SceneItem }).root,
    };
  } finally {
    view.finalize();
  }
}

describe('lineChart', () => {
  const chart = lineChart({
    title: 'Accuracy <vs> parameters & more',
    x: { label: 'parameters', log: true },
    y: { label: 'accuracy (%)' },
    series: [
      {
        name: 'ours',
        points: [
          { x: 1_000, y: 91 },
          { x: 10_000, y: 94 },
          { x: 100_000, y: 98.2 },
        ],
      },
      {
        name: 'paper',
        style: 'scatter',
        marker: 'diamond',
        points: [
          { x: 3546, y: 97.3, label: 'c2 r1' },
          { x: 0, y: 50 },
        ],
      },
    ],
  });

  it('renders an SVG document that an XML parser reads, with the title text intact', async () => {
    const root = parseSvg(await renderSvg(chart));
    expect(texts(root)).toContain('Accuracy <vs> parameters & more');
    expect(texts(root)).toEqual(expect.arrayContaining(['parameters', 'accuracy (%)', 'ours', 'paper', 'c2 r1']));
  });

  it('draws a marker per drawable point, a line only for the line series, and drops x ≤ 0 on a log axis', async () => {
    const root = parseSvg(await renderSvg(chart));
    expect(marks(root, 'symbol').length).toBe(4);
    expect(marks(root, 'line').length).toBe(1);
  });

  it('puts a log axis where asked: each decade has the same length', async () => {
    const s = await scene(chart);
    expect([s.x, s.y]).toEqual(['log', 'linear']);
    const ours = marks(parseSvg(await renderSvg(chart)), 'symbol')
      .map(position)
      .sort((a, b) => a.x - b.x)
      .filter((_, i) => i !== 1); // the paper point at 3546 sits between 1e3 and 1e4
    const [a, b, c] = ours.map((p) => p.x) as [number, number, number];
    expect(b - a).toBeGreaterThan(50);
    expect(Math.abs(c - b - (b - a))).toBeLessThan(1);
  });

  it('keeps forced axis ends, and a linear axis spaces values evenly', async () => {
    const linear = lineChart({
      title: 't',
      x: { label: 'x', min: 0, max: 100 },
      y: { label: 'y' },
      series: [{ name: 's', points: [20, 40, 80].map((x) => ({ x, y: 1 })) }],
    });
    const s = await scene(linear);
    expect(s.x).toBe('linear');
    expect(s.xDomain).toEqual([0, 100]);
    const [a, b, c] = marks(parseSvg(await renderSvg(linear)), 'symbol').map((p) => position(p).x) as [
      number,
      number,
      number,
    ];
    expect(Math.abs(c - b - 2 * (b - a))).toBeLessThan(1);
  });

  it('is plain data: the spec after a JSON round trip (as a browser would load it) renders the same SVG', async () => {
    // Vega numbers clip paths with a process-wide counter; nothing else may differ.
    const unnumbered = async (c: TopLevelSpec): Promise<string> => (await renderSvg(c)).replace(/clip\d+/g, 'clip');
    const same = (await unnumbered(JSON.parse(JSON.stringify(chart)) as TopLevelSpec)) === (await unnumbered(chart));
    expect(same).toBe(true);
  });
});

describe('histogram', () => {
  const dense = Array.from({ length: 40 }, (_, i) => 1e-3 * (1 + i / 10));
  const tt = Array.from({ length: 25 }, (_, i) => 0.5 + i / 20);
  const chart = histogram({
    title: 'gradient norms',
    xLabel: 'norm',
    logX: true,
    series: [
      { name: 'LSTM', values: dense },
      { name: 'TT', values: [...tt, 0, Number.NaN] },
    ],
  });

  it('counts every drawable value once, on a log axis, and says how many were left out', async () => {
    const s = await scene(chart);
    expect(s.x).toBe('log');
    const bars = drawnData(s.root, 'rect');
    const total = (name: string): number =>
      bars.filter((d) => d['series'] === name).reduce((n, d) => n + Number(d['count']), 0);
    expect(total('LSTM (n=40)')).toBe(40);
    expect(total('TT (n=25)')).toBe(25);
    // Shared bins of equal width in log10: every bar spans the same ratio.
    const ratios = bars.map((d) => Number(d['x1']) / Number(d['x0']));
    for (const r of ratios) expect(r).toBeCloseTo(ratios[0]!, 6);
    const root = parseSvg(await renderSvg(chart));
    expect(texts(root)).toEqual(
      expect.arrayContaining(['LSTM (n=40)', 'TT (n=25)', '2 value(s) not shown (≤ 0 or not finite)']),
    );
    expect(marks(root, 'rect').length).toBe(bars.length);
  });

  it('bins linearly when not asked for a log axis', async () => {
    const s = await scene(
      histogram({ title: 'h', xLabel: 'v', series: [{ name: 'a', values: [0, 1, 1, 2, 3, 5, 8] }] }),
    );
    expect(s.x).toBe('linear');
    const bars = drawnData(s.root, 'rect');
    expect(bars.reduce((n, d) => n + Number(d['count']), 0)).toBe(7);
    const widths = bars.map((d) => Number(d['x1']) - Number(d['x0']));
    for (const w of widths) expect(w).toBeCloseTo(widths[0]!, 9);
  });
});
