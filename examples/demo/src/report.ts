import { metricsUnder, summarizeTimer } from './snapshot.js';
import { formatTagged } from './tagged-report.js';
import type { DemoResult, SourceReport, TrafficReport } from './types.js';

type Row = readonly [
  metric: string,
  value: string,
  count: string,
  min: string,
  median: string,
  max: string,
];

const HEADER: Row = ['metric', 'value', 'count', 'min ms', 'median ms', 'max ms'];

/**
 * The demo's result as text: one table per source, by metric name, then the tagged app's
 * requests, event and service check, then the traffic and totals.
 */
export function formatReport(result: DemoResult): string {
  const sections = result.sources.map((source) => ({ source, rows: rowsFor(result, source) }));
  const widths = columnWidths([HEADER, ...sections.flatMap((section) => section.rows)]);
  const lines: string[] = ['What the StatsD daemon aggregated, by metric name:', ''];
  for (const { source, rows } of sections) {
    lines.push(sourceTitle(source));
    lines.push(formatRow(HEADER, widths));
    if (rows.length === 0) lines.push('  (nothing arrived)');
    for (const row of rows) lines.push(formatRow(row, widths));
    if (source.name === 'worker') {
      lines.push(
        '  (sets.jobs.customers was sent too: the daemon keeps sets but does not list them)',
      );
    }
    lines.push('');
  }
  lines.push(...formatTagged(result.tagged), '');
  lines.push('Requests sent, as the client saw them:');
  for (const traffic of [...result.traffic, result.tagged.traffic]) {
    lines.push(`  ${trafficLine(traffic)}`);
  }
  lines.push('');
  const { counters, badLines } = result.snapshot;
  lines.push(
    `Daemon: ${counters['statsd.metrics_received'] ?? 0} metrics in ` +
      `${counters['statsd.packets_received'] ?? 0} packets, ${badLines} bad lines.`,
  );
  lines.push(
    result.problems.length === 0
      ? 'Everything arrived.'
      : `Problems:\n${result.problems.map((problem) => `  - ${problem}`).join('\n')}`,
  );
  return lines.join('\n');
}

function rowsFor(result: DemoResult, source: SourceReport): Row[] {
  const { counters, gauges, timers } = result.snapshot;
  const rows: Row[] = [];
  for (const [name, value] of metricsUnder(counters, source.prefix)) {
    rows.push([name, formatNumber(value), '', '', '', '']);
  }
  for (const [name, value] of metricsUnder(gauges, source.prefix)) {
    rows.push([name, formatNumber(value), '', '', '', '']);
  }
  for (const [name, values] of metricsUnder(timers, source.prefix)) {
    const { count, min, median, max } = summarizeTimer(values);
    rows.push([name, '', String(count), formatMs(min), formatMs(median), formatMs(max)]);
  }
  return rows;
}

function sourceTitle(source: SourceReport): string {
  const { sent, dropped } = source.stats;
  return (
    `${source.name} (${source.prefix}, over ${source.protocol.toUpperCase()}): ` +
    `connector sent ${sent}, dropped ${dropped}`
  );
}

function trafficLine(traffic: TrafficReport): string {
  const outcomes = Object.entries(traffic.outcomes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([outcome, count]) => `${outcome} ×${count}`)
    .join(', ');
  return (
    `${traffic.app}: ${traffic.sent} requests (${traffic.skipped} to /health, not timed): ` +
    outcomes
  );
}

function columnWidths(rows: readonly Row[]): number[] {
  return HEADER.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
}

function formatRow(row: Row, widths: readonly number[]): string {
  const cells = row.map((cell, column) => {
    const width = widths[column] ?? 0;
    // The metric name reads left to right; numbers line up on the right.
    return column === 0 ? cell.padEnd(width) : cell.padStart(width);
  });
  return `  ${cells.join('  ')}`.trimEnd();
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function formatMs(value: number): string {
  return value.toFixed(2);
}
