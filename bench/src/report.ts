/** The results table: one row per figure, printed as text and written as Markdown. */

export interface Row {
  /** The figure's number in issue 5, with a letter where a figure has several rows. */
  readonly figure: string;
  readonly metric: string;
  readonly ours: string;
  /** What ours is compared with: hot-shots, the bare loop or app, or a bound. */
  readonly rival: string;
  readonly ratio: string;
  readonly target: string;
  /** `undefined` for an informative row without a target. */
  readonly met: boolean | undefined;
  readonly note?: string;
}

const HEADERS = ['#', 'Metric', 'Ours', 'Compared with', 'Ratio', 'Target', 'Met'];

function cells(row: Row): string[] {
  const met = row.met === undefined ? '—' : row.met ? 'yes' : 'NO';
  return [row.figure, row.metric, row.ours, row.rival, row.ratio, row.target, met];
}

/** A plain-text table for the terminal. */
export function textTable(rows: readonly Row[]): string {
  const table = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, column) =>
    Math.max(...table.map((line) => (line[column] ?? '').length)),
  );
  const render = (line: string[]): string =>
    line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  const lines = [render(HEADERS), widths.map((width) => '-'.repeat(width)).join('  ')];
  for (const row of rows) lines.push(render(cells(row)));
  return lines.join('\n');
}

/** The same table in Markdown, padded the way Prettier formats it; notes listed under it. */
export function markdownTable(rows: readonly Row[]): string {
  const table = [HEADERS, ...rows.map(cells)].map((line) =>
    line.map((cell) => cell.replace(/\|/g, '\\|')),
  );
  const widths = HEADERS.map((_, column) =>
    Math.max(3, ...table.map((line) => (line[column] ?? '').length)),
  );
  const render = (line: string[]): string =>
    `| ${line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const [header, ...body] = table;
  const lines = [
    render(header ?? HEADERS),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...body.map(render),
  ];
  const notes = rows.filter((row) => row.note !== undefined);
  if (notes.length > 0) {
    lines.push('');
    for (const row of notes) lines.push(`- ${row.figure}: ${row.note ?? ''}`);
  }
  return lines.join('\n');
}
