/** Number and table formatting shared by the report's section renderers and the commands' text output. */

export const pct = (v: number | undefined, digits = 2): string =>
  v === undefined || !Number.isFinite(v) ? '—' : `${(100 * v).toFixed(digits)}%`;
export const int = (v: number | undefined): string =>
  v === undefined || !Number.isFinite(v) ? '—' : Math.round(v).toLocaleString('en-US');
export const secs = (v: number | undefined): string =>
  v === undefined || !Number.isFinite(v) ? '—' : v < 10 ? v.toFixed(1) : Math.round(v).toString();
export const ratio = (dense: number, p: number): string =>
  p > 0 ? `${(dense / p).toFixed(dense / p >= 100 ? 0 : 1)}×` : '—';

/** A markdown table; the first column left-aligned and the others right-aligned unless `align` says otherwise. */
export function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ('l' | 'r')[],
): string {
  const sep = head.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '---:' : '---'));
  return [`| ${head.join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Plain-text table lines: the first `left` columns left-aligned, the others right-aligned. */
export function textTable(header: readonly string[], body: readonly (readonly string[])[], left: number): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: readonly string[]) =>
    cells.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(header), ...body.map(fmt)];
}
