import { readFile } from 'node:fs/promises';

/** What the daemon computed at one flush, as its backends receive it. */
export interface DaemonFlush {
  /** The flush time the daemon gave its backends, in seconds since the epoch. */
  readonly timestamp: number;
  /** Counter values summed since the previous flush (rates already applied). */
  readonly counters: Readonly<Record<string, number>>;
  /** Counters per second over the flush interval. */
  readonly counterRates: Readonly<Record<string, number>>;
  /** Gauge values at the flush. */
  readonly gauges: Readonly<Record<string, number>>;
  /** Per timer, the values received since the previous flush, in ascending order. */
  readonly timers: Readonly<Record<string, readonly number[]>>;
  /** Per timer, how many values the daemon counts: each value counts `1 / sampleRate`. */
  readonly timerCounters: Readonly<Record<string, number>>;
  /**
   * Per timer, the statistics the daemon sends on (`lib/process_metrics.js`): `count`,
   * `count_ps`, `sum`, `sum_squares`, `mean`, `median`, `upper`, `lower`, `std`, and per
   * percentile threshold `count_90`, `mean_90`, `upper_90`, `sum_90`, `sum_squares_90`.
   */
  readonly timerData: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** The recorder's file name in the daemon's temp folder, and the log it appends to. */
export const FLUSH_RECORDER_FILE = 'flush-recorder.cjs';
export const FLUSH_LOG_FILE = 'flushes.jsonl';

// A backend the daemon loads by path (`backends: [path]`): at each flush it appends one JSON line
// with what the daemon computed, before the daemon clears its state (its own clearing listener is
// added after the backends'). Synchronous on purpose: the line is in the file before the next
// flush can start. JSON turns the daemon's NaN and Infinity into null.
export const FLUSH_RECORDER: string = `'use strict';
const { appendFileSync } = require('node:fs');
const { join } = require('node:path');
const log = join(__dirname, ${JSON.stringify(FLUSH_LOG_FILE)});
exports.init = function init(startupTime, config, events) {
  events.on('flush', (timestamp, metrics) => {
    appendFileSync(log, JSON.stringify({
      timestamp,
      counters: metrics.counters,
      counterRates: metrics.counter_rates,
      gauges: metrics.gauges,
      timers: metrics.timers,
      timerCounters: metrics.timer_counters,
      timerData: metrics.timer_data,
    }) + '\\n');
  });
  return true;
};
`;

/** Every flush recorded in `path` so far, oldest first; none while the file does not exist. */
export async function readFlushLog(path: string): Promise<DaemonFlush[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // Text after the last newline is a line still being written: the next read gets it whole.
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as DaemonFlush);
}
