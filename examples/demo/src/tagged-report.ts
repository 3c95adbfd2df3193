import type { TaggedReport } from './types.js';

const HEADER = ['route', 'method', 'status', 'timers'] as const;
const STATUS_NAMES = ['ok', 'warning', 'critical', 'unknown'];

/**
 * The tagged app's section of the report: the `http.request` timers the sink received by their
 * `route`, `method` and `status` tags, then the event and the service check as received.
 */
export function formatTagged(report: TaggedReport): string[] {
  const { name, dialect, stats, requests, events, checks, received } = report;
  const rows = requests.map((row) => [row.route, row.method, row.status, String(row.count)]);
  const widths = HEADER.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (row: readonly string[]): string =>
    `  ${row
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        // Route, method and status read left to right; the count lines up on the right.
        return column === HEADER.length - 1 ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')}`.trimEnd();
  const lines = [
    `What a recording loopback sink received from a ${dialect} connector, by tag:`,
    '',
    `${name} (naming: 'tags', over UDP): connector sent ${stats.sent}, dropped ${stats.dropped}; ` +
      `the sink read ${received} in ${report.lines.length} lines (values of one series share a line)`,
    format(HEADER),
  ];
  if (rows.length === 0) lines.push('  (nothing arrived)');
  for (const row of rows) lines.push(format(row));
  for (const event of events) {
    const alert = event.alertType === undefined ? '' : ` (${event.alertType})`;
    lines.push(`  event ${JSON.stringify(event.title)}${alert}: ${event.text}`);
  }
  for (const check of checks) {
    const status = `${check.status} ${STATUS_NAMES[check.status] ?? ''}`.trimEnd();
    const message = check.message === undefined ? '' : `: ${check.message}`;
    lines.push(`  service check ${check.name}, status ${status}${message}`);
  }
  const tags = events[0]?.tags ?? [];
  if (tags.length > 0) lines.push(`  (every line carries the tags ${tags.join(', ')})`);
  return lines;
}
