import type { StatsdDaemon } from '@statsd-internal/daemon';
import type { DaemonSnapshot, TimerSummary } from './types.js';

/** Reads counters, gauges and timers from the daemon's management port. */
export async function readSnapshot(daemon: StatsdDaemon): Promise<DaemonSnapshot> {
  const [counters, gauges, timers] = await Promise.all([
    daemon.counters(),
    daemon.gauges(),
    daemon.timers(),
  ]);
  return { counters, gauges, timers, badLines: counters['statsd.bad_lines_seen'] ?? 0 };
}

/** Count, min, median and max of a timer's values. */
export function summarizeTimer(values: readonly number[]): TimerSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const count = sorted.length;
  if (count === 0) return { count, min: 0, median: 0, max: 0 };
  const middle = Math.floor(count / 2);
  const median =
    count % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { count, min: sorted[0] as number, median, max: sorted[count - 1] as number };
}

// `<route>.<METHOD>.<status>` as the middlewares name request timers (status `aborted` for
// requests the client left), as opposed to the timers handlers record themselves.
const REQUEST_TIMER = /\.[A-Z]+\.(?:\d{3}|aborted)$/;

/** How many requests under `prefix` the daemon has timed so far. */
export function requestsTimed(
  timers: Readonly<Record<string, readonly number[]>>,
  prefix: string,
): number {
  const start = `${prefix}.timers.`;
  let total = 0;
  for (const [name, values] of Object.entries(timers)) {
    if (name.startsWith(start) && REQUEST_TIMER.test(name)) total += values.length;
  }
  return total;
}

/** The metrics under `prefix`, with the prefix taken off: `counters.jobs.done` and so on. */
export function metricsUnder<T>(
  table: Readonly<Record<string, T>>,
  prefix: string,
): [name: string, value: T][] {
  const start = `${prefix}.`;
  return Object.entries(table)
    .filter(([name]) => name.startsWith(start))
    .map(([name, value]): [string, T] => [name.slice(start.length), value])
    .sort(([a], [b]) => a.localeCompare(b));
}
