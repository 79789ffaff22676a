/**
 * A small aligned, markdown-like table printer for benchmark output: readable in a terminal and
 * pasteable into an issue as a markdown table.
 */
export type Align = 'left' | 'right';

export interface Column {
  title: string;
  align?: Align;
}

export function formatTable(columns: (Column | string)[], rows: string[][]): string {
  const cols = columns.map((c) => (typeof c === 'string' ? { title: c, align: 'left' as const } : { align: 'left' as const, ...c }));
  for (const row of rows) {
    if (row.length !== cols.length) throw new Error(`formatTable: a row has ${row.length} cells, the header ${cols.length}: ${row.join(' | ')}`);
  }
  const widths = cols.map((col, i) => Math.max(col.title.length, 3, ...rows.map((row) => row[i].length)));
  const pad = (text: string, i: number) => (cols[i].align === 'right' ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (cols[i].align === 'right' ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(cols.map((c) => c.title)), rule, ...rows.map(line)].join('\n');
}

/** Fixed decimals, or an en dash for a figure that was not measured. */
export function num(value: number | undefined, decimals = 1): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(decimals);
}
