import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAPER_MNIST, PAPER_SPEAKER } from '../paper_results.js';
import { clippedNorms, gradNormCaption } from './authors.js';
import { fixtureResults } from './fixture.js';
import { renderReport, writeReport } from './report.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ttrnn-report-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The rows of the markdown table that follows a line containing `heading`. */
function tableAfter(md: string, heading: string): string[][] {
  const lines = md.split('\n');
  let i = lines.findIndex((l) => l.includes(heading));
  expect(i, `heading ${heading}`).toBeGreaterThanOrEqual(0);
  while (i < lines.length && !lines[i]!.startsWith('|')) i++;
  const rows: string[][] = [];
  for (; i < lines.length && lines[i]!.startsWith('|'); i++)
    rows.push(
      lines[i]!.slice(1, -1)
        .split(' | ')
        .map((c) => c.trim()),
    );
  return rows;
}

/** The first columns of every run table (MNIST, permuted MNIST, speaker). */
const RUN_COLUMNS = ['model', 'cores', 'rank', 'params (ours)', 'params (paper conv.)', 'compression'];

describe('renderReport', () => {
  const results = fixtureResults();
  const { markdown, images } = renderReport(results);

  it('puts our MNIST numbers beside the paper numbers in the table', () => {
    const rows = tableAfter(markdown, '## Row-by-row MNIST');
    expect(rows[0]).toEqual([
      ...RUN_COLUMNS,
      ...['val. acc.', 'test acc.', 'paper test acc.', 'paper params', 'train time (s)', 'ms / step'],
    ]);
    const lstm = rows.find((r) => r[0] === 'LSTM')!;
    const denseRun = results.mnist.find((r) => r.id === 'mnist-lstm')!;
    expect(lstm[3]).toBe(denseRun.outcome!.params.toLocaleString('en-US'));
    expect(lstm[7]).toBe(`${(100 * denseRun.outcome!.testAccuracy).toFixed(2)}%`);
    expect(lstm[8]).toBe(`${PAPER_MNIST.denseLstmAccuracy.toFixed(2)}%`);
    const tt = rows.find((r) => r[0] === 'TT-LSTM' && r[1] === '2' && r[2] === '4')!;
    const ttRun = results.mnist.find((r) => r.id === 'mnist-ttlstm-c2-r4')!;
    expect(tt[4]).toBe(ttRun.outcome!.paramsPaper.toLocaleString('en-US'));
    // Per configuration, as the authors logged it (read from their plot), with their configuration's counts.
    expect(tt[8]).toBe('≈98.2%');
    expect(tt[9]).toBe('8,010 / 6,986');
    const r2 = rows.find((r) => r[0] === 'TT-LSTM' && r[1] === '2' && r[2] === '2')!;
    expect([r2[8], r2[9]]).toEqual(['98.05%', '5,034 / 4,010']);
    expect(rows.find((r) => r[0] === 'TT-LSTM' && r[1] === '2' && r[2] === '1')![8]).toBe(
      '97.7–98.0% (plot: no single value)',
    );
    expect(rows.find((r) => r[0] === 'GRU')![8]).toBe('—');
    expect(rows.some((r) => r[0] === 'TT-LSTM (failed)')).toBe(true);
    // No row shows the headline range any more.
    expect(rows.filter((r) => r[8]!.includes('97.3'))).toEqual([]);
  });

  it("plots the authors' MNIST markers as points at their configurations' counts, never a line", () => {
    const values = (
      images['mnist_accuracy_vs_params.svg'] as unknown as {
        data: { values: { series: string; x: number; y: number; line: boolean }[] };
      }
    ).data.values;
    const paper = values.filter((v) => v.series.startsWith('paper'));
    expect(paper.every((v) => !v.line)).toBe(true);
    // 17 of the 18 logged TT-LSTM markers have a value (2 cores rank 1 is only a range), plus the dense LSTM.
    expect(paper).toHaveLength(18);
    expect(paper).toContainEqual(expect.objectContaining({ x: 5_034, y: 98.05 }));
    expect(paper).toContainEqual(expect.objectContaining({ x: 294_410, y: 99.07 }));
  });

  it("names the protocol and lists every difference from the authors' runs with both values", () => {
    expect(markdown).toMatch(/## Protocol\n\nProtocol `authors`, the authors' protocol: MNIST in one fixed order/);
    const rows = tableAfter(markdown, "## Differences from the authors' runs");
    expect(rows[0]).toEqual(['experiment', 'what', 'this run', "the authors' runs"]);
    expect(rows.length - 2).toBe(results.differences!.length);
    expect(rows).toContainEqual([
      'speaker verification',
      'Adam learning rate (constant)',
      '3e-3',
      '2e-3 in the logged sweep (1e-3 at HEAD)',
    ]);
    expect(rows).toContainEqual(['row MNIST', 'epochs', '3', '20']);
    const { differences: _, ...old } = results;
    expect(renderReport(old).markdown).toMatch(/## Differences from the authors' runs\n\nNot recorded/);
  });

  it("draws gradient norms after clipping, over the authors' 1000 steps or says how many there were", () => {
    expect(clippedNorms([1, 5, 2.5], 3)).toEqual([1, 3, 2.5]);
    expect(clippedNorms([1, 5], null)).toEqual([1, 5]);
    expect(clippedNorms(new Array<number>(1500).fill(1), 3)).toHaveLength(1000);
    expect(gradNormCaption(1000, 3)).toBe(
      "Global gradient norms of the first 1,000 training steps, after clipping at 3, as the authors' histogram.",
    );
    // The fixture's runs logged 10 (speaker) and 20 (MNIST) steps.
    expect(markdown).toContain(
      "Global gradient norms of the first 10 training steps, after clipping at 3: the run has only 10 steps, the authors' histogram covers the first 1,000.",
    );
    expect(markdown).toContain(
      'Global gradient norms of the first 20 training steps, after clipping (these runs do not clip): the run has only 20 steps',
    );
  });

  it('names tables and figures by their content, never by a guessed paper number', () => {
    expect(markdown).not.toMatch(/Table \d|Figure \d/);
    expect(markdown).toContain('measured by this project');
    expect(markdown).not.toMatch(/logged by the original authors/);
  });

  it('gives permuted pixel MNIST its own table, learning curves and headline lines', () => {
    const rows = tableAfter(markdown, '## Permuted pixel-by-pixel MNIST');
    expect(rows[0]).toEqual([
      ...RUN_COLUMNS,
      ...['val. acc.', 'test acc.', 'train time (s)', 'ms / step', 'max RSS (MiB)'],
    ]);
    const dense = results.pmnist!.find((r) => r.id === 'pmnist-lstm')!;
    const tt = results.pmnist!.find((r) => r.id === 'pmnist-ttlstm-c2-r4')!;
    const ttRow = rows.find((r) => r[0] === 'TT-LSTM' && r[1] === '2' && r[2] === '4')!;
    expect(ttRow[3]).toBe(tt.outcome!.params.toLocaleString('en-US'));
    expect(ttRow[4]).toBe(tt.outcome!.paramsPaper.toLocaleString('en-US'));
    expect(ttRow[5]).toBe(`${(dense.outcome!.params / tt.outcome!.params).toFixed(1)}×`);
    expect(ttRow[7]).toBe(`${(100 * tt.outcome!.testAccuracy).toFixed(2)}%`);
    expect(ttRow[10]).toBe(String(tt.outcome!.maxRssMiB));
    expect(JSON.stringify(images['pmnist_learning_curves.svg'])).toContain('"series":"TT c2 r4 validation"');
    expect(markdown).toContain(
      `Permuted pixel MNIST, TT-LSTM 2 cores rank 4: ${(100 * tt.outcome!.testAccuracy).toFixed(2)}% test accuracy`,
    );
    // Row MNIST numbers never leak into the permuted section.
    expect(rows.length).toBe(1 + 1 + results.pmnist!.length);
  });

  it('says when permuted MNIST was not run (results written before it existed)', () => {
    const { pmnist: _, ...old } = fixtureResults();
    expect(renderReport(old).markdown).toMatch(/## Permuted pixel-by-pixel MNIST\n\nNot run in this invocation/);
  });

  it('compares parameter counts with the original and marks matches and mismatches', () => {
    const rows = tableAfter(markdown, '### TT-LSTM');
    expect(rows[0]!.join(' | ')).toBe(
      'layout | rank | params (ours) | params (paper conv.) | original | match | compression',
    );
    expect(rows[2]).toEqual(['TT-LSTM 2 cores', '1', '3,546', '2,522', '3,546', '✓', '83.0×']);
    const gru = tableAfter(markdown, '### TT-GRU');
    expect(gru[2]).toEqual(['TT-GRU 4 cores', '1', '1,751', '983', '1,750', '✗', '127×']);
  });

  it('tabulates the speaker encoder in both conventions against the logged counts', () => {
    const rows = tableAfter(markdown, '### Speaker encoder: parameters and compression');
    expect(rows[0]!.join(' | ')).toBe(
      'model | params (code) | params (notebook) | logged (notebook) | match | compression (code) | compression (notebook)',
    );
    expect(rows).toHaveLength(2 + 13);
    expect(rows.every((r, i) => i < 2 || r[4] === '✓')).toBe(true);
    const lines = rows.map((r) => r.join(' | '));
    expect(lines).toContain('LSTM | 2,682,114 | 2,682,112 | 2,682,112 | ✓ | 1.0× | 1.0×');
    expect(lines).toContain('TT-LSTM 2 cores rank 2 | 16,098 | 13,024 | 13,024 | ✓ | 167× | 206×');
  });

  it('shows speaker EERs with the paper numbers and the data-efficiency table', () => {
    const rows = tableAfter(markdown, '## Speaker verification');
    expect(rows.slice(2).map((r) => r[8])).toEqual(['7.33%', '4.34%', '4.28%']);
    // The authors' parameters in both conventions: their code's count equals ours, the notebook's is logged.
    expect(rows.find((r) => r[1] === '2' && r[2] === '2')![9]).toBe('16,098 / 13,024');
    expect(rows.find((r) => r[1] === '2' && r[2] === '2')![12]).toBe('8 / 96');
    const lstm = rows.find((r) => r[0] === 'LSTM')!;
    expect(lstm[8]).toBe(`${PAPER_SPEAKER.results[0]!.eer.toFixed(2)}%`);
    const tt22 = rows.find((r) => r[0] === 'TT-LSTM' && r[1] === '2' && r[2] === '2')!;
    expect(tt22[8]).toBe('4.34%');
    const eff = tableAfter(markdown, '### Data efficiency');
    expect(eff[0]).toEqual([
      'model',
      '20% speakers: ours / paper',
      '60% speakers: ours / paper',
      '100% speakers: ours / paper',
    ]);
    const effTt = eff.find((r) => r[0] === 'TT-LSTM 2 cores rank 2')!;
    expect(effTt[1]).toMatch(/ \/ 10\.47%$/);
    expect(effTt[3]).toMatch(/ \/ 4\.34%$/);
  });

  it('references every image it renders, and renders every image it references', () => {
    const refs = [...markdown.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(refs.sort()).toEqual(Object.keys(images).sort());
    expect(refs).toEqual(
      expect.arrayContaining([
        'pmnist_learning_curves.svg',
        'mnist_accuracy_vs_params.svg',
        'mnist_learning_curves.svg',
        'mnist_grad_norms.svg',
        'speaker_eer_vs_params.svg',
        'speaker_learning_curves.svg',
        'speaker_grad_norms.svg',
        'speaker_data_efficiency.svg',
      ]),
    );
  });

  it('states the environment, what was scaled down, the failed run and the timing', () => {
    expect(markdown).toContain('| backend | `wasm` |');
    expect(markdown).toContain('Test CPU (2 cores)');
    expect(markdown).toContain('2026-01-02T03:04:05.000Z');
    expect(markdown).toContain(results.scaledDown[0]!);
    expect(markdown).toContain('Dense LSTM: about 95% at this scale.');
    expect(markdown).toMatch(/\| mnist-ttlstm-c3-r4 \| failed \| out of \\\| memory \|/);
    expect(markdown).toContain('| LSTM | 294,410 | 30.5 | 410.2 |');
    expect(markdown).toContain('| load average at start | 0.50 |');
    expect(markdown).not.toMatch(/undefined|NaN/);
  });

  it('copes with an empty run', () => {
    const empty = { ...results, mnist: [], pmnist: [], speaker: [], params: null, timing: null };
    const r = renderReport(empty);
    expect(Object.keys(r.images)).toEqual([]);
    expect(r.markdown).toContain('No training run finished');
    expect(r.markdown).toContain('| TT-LSTM 2 cores | 3,546 |');
  });
});

describe('writeReport', () => {
  it('writes REPORT.md, every referenced SVG and its Vega-Lite spec next to it', async () => {
    const { reportPath } = await writeReport(dir, fixtureResults());
    const md = await readFile(reportPath, 'utf8');
    const files = await readdir(dir);
    const refs = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(refs.length).toBe(8);
    for (const name of refs) {
      expect(files).toContain(name);
      const svg = new DOMParser({ onError: (level, msg) => expect.fail(`${name} (${level}): ${msg}`) }).parseFromString(
        await readFile(join(dir, name), 'utf8'),
        'image/svg+xml',
      );
      expect(svg.documentElement!.nodeName).toBe('svg');
      const spec = JSON.parse(await readFile(join(dir, name.replace(/\.svg$/, '.vl.json')), 'utf8')) as {
        $schema: string;
        data: { values: unknown[] };
      };
      expect(spec.$schema).toMatch(/vega-lite/);
      expect(spec.data.values.length).toBeGreaterThan(0);
    }
  });
});
