import { describeValue } from './errors.js';
import { formatNumber } from './number-format.js';

/** Where {@link Aggregator.drain} puts its lines: the pipeline that owns the queue. */
export interface AggregateSink {
  /** Queues one unit of `metrics` metrics taking `bytes` bytes. */
  accept(unit: string, bytes: number, metrics: number): void;
  /** Counts a metric that cannot be written, and reports why. */
  reject(describe: () => string): void;
}

/** Names and tag sets summed per flush interval; calls for new ones beyond it are sent as they are. */
export const MAX_AGGREGATE_KEYS = 10_000;

interface Entry {
  /** Everything up to and including the colon: `name:` (Influx and Graphite tags included). */
  readonly head: string;
  /** Everything after the value: `|c` or `|g`, then DogStatsD tags. */
  readonly tail: string;
  /** UTF-8 bytes of `head` and `tail` beyond their length. */
  readonly extraBytes: number;
  readonly gauge: boolean;
  value: number;
  /** Gauges: an absolute value was set this interval, so later deltas change it, not the server's. */
  absolute: boolean;
}

/**
 * Client-side aggregation (`aggregate: true`): per name and tag set, counters are summed and
 * gauges keep the last value set (plus any deltas after it, or the sum of the deltas when no value
 * was set) until the next flush, when each becomes one line. The result on the server is the same
 * as if every call had been sent (sampled counters are scaled up by `1 / rate` here instead).
 * Keys are the finished line with an empty value (`name:|c|#tags`), so the formatter's name cache
 * and tag rendering are reused as they are.
 */
export class Aggregator {
  readonly #entries = new Map<string, Entry>();
  readonly #zeroFirst: boolean;
  readonly #maxKeys: number;

  /**
   * `zeroFirst`: a negative gauge value is written after a `0` line, for servers that read a
   * lone `-5` as a change (the dialect's `negativeGauge`).
   */
  constructor(zeroFirst: boolean, maxKeys: number = MAX_AGGREGATE_KEYS) {
    this.#zeroFirst = zeroFirst;
    this.#maxKeys = maxKeys;
  }

  /** Distinct names and tag sets waiting for the next flush. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Adds `value` to the counter `template` (a line with an empty value). Returns false, changing
   * nothing, when the counter is new and the bound is reached: the caller sends the call as is.
   */
  count(template: string, extraBytes: number, value: number): boolean {
    const entry = this.#entries.get(template);
    if (entry !== undefined) {
      entry.value += value;
      return true;
    }
    return this.#add(template, extraBytes, false, value, false);
  }

  /**
   * Sets the gauge `template` to `value`, or changes it by `value` when `delta` is true. Returns
   * false, changing nothing, when the gauge is new and the bound is reached.
   */
  gauge(template: string, extraBytes: number, value: number, delta: boolean): boolean {
    const entry = this.#entries.get(template);
    if (entry === undefined) return this.#add(template, extraBytes, true, value, !delta);
    if (delta) {
      entry.value += value;
    } else {
      entry.value = value;
      entry.absolute = true;
    }
    return true;
  }

  /** Writes one line per name and tag set (two for a negative gauge value) to `sink`, and forgets them. */
  drain(sink: AggregateSink): void {
    if (this.#entries.size === 0) return;
    for (const entry of this.#entries.values()) writeEntry(entry, sink, this.#zeroFirst);
    this.#entries.clear();
  }

  #add(
    template: string,
    extraBytes: number,
    gauge: boolean,
    value: number,
    absolute: boolean,
  ): boolean {
    if (this.#entries.size >= this.#maxKeys) return false;
    // Sanitized names hold no colon: the first one is where the value goes (a DogStatsD tag
    // value may hold colons, but its tags come after the value).
    const colon = template.indexOf(':') + 1;
    this.#entries.set(template, {
      head: template.slice(0, colon),
      tail: template.slice(colon),
      extraBytes,
      gauge,
      value,
      absolute,
    });
    return true;
  }
}

function writeEntry(entry: Entry, sink: AggregateSink, zeroFirst: boolean): void {
  const { head, tail, value } = entry;
  // Sums of finite numbers can still overflow.
  if (!Number.isFinite(value)) {
    const name = head.slice(0, -1);
    sink.reject(
      () => `aggregated value ${describeValue(value)} of "${name}" cannot be sent; metric dropped`,
    );
    return;
  }
  let text = formatNumber(value);
  if (entry.gauge && !entry.absolute && value >= 0) text = '+' + text;
  const line = head + text + tail;
  const bytes = line.length + entry.extraBytes;
  if (zeroFirst && entry.gauge && entry.absolute && value < 0) {
    // As for a direct call: a lone negative value would be read as a change, so set 0 first.
    const zero = head + '0' + tail;
    sink.accept(zero + '\n' + line, bytes + zero.length + entry.extraBytes + 1, 1);
    return;
  }
  sink.accept(line, bytes, 1);
}
