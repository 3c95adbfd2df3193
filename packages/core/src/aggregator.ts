import { describeValue } from './errors.js';
import { rejectLine } from './invalid-input.js';
import { Kind, type LineFault, type MetricFormatter } from './metric-formatter.js';
import { formatNumber } from './number-format.js';
import type { Pipeline } from './pipeline.js';
import { utf8Extra } from './sanitize.js';
import type { Tags } from './types.js';

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
 * as if every call had been sent (sampled counters are scaled up by `1 / rate` by the caller).
 * One per connector family, shared by a connector and its children: each call brings the
 * calling connector's formatter, whose line with an empty value (`name:|c|#tags`) is the key, so
 * the formatter's name cache and tag rendering are reused as they are. The family has it drained
 * into the pipeline at every flush.
 */
export class Aggregator {
  readonly #entries = new Map<string, Entry>();
  readonly #pipeline: Pipeline;
  readonly #zeroFirst: boolean;
  readonly #maxKeys: number;

  /**
   * `zeroFirst`: a negative gauge value is written after a `0` line, for servers that read a
   * lone `-5` as a change (the dialect's `negativeGauge`).
   */
  constructor(pipeline: Pipeline, zeroFirst: boolean, maxKeys: number = MAX_AGGREGATE_KEYS) {
    this.#pipeline = pipeline;
    this.#zeroFirst = zeroFirst;
    this.#maxKeys = maxKeys;
  }

  /** Distinct names and tag sets waiting for the next flush. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Adds `value` to a counter (already negated for `decr`, already divided by its sample rate).
   * Returns false, changing nothing, when the counter is new and the bound is reached: the
   * caller then sends the call as it is. An invalid path or tag set is rejected here.
   */
  count(formatter: MetricFormatter, path: string, value: number, tags: Tags | undefined): boolean {
    const template = formatter.template(Kind.counter, path, '|c', tags);
    if (typeof template !== 'string') return this.#reject(template, path, tags);
    const entry = this.#entries.get(template);
    if (entry !== undefined) {
      entry.value += value;
      return true;
    }
    return this.#add(template, false, value, false);
  }

  /** Sets a gauge to `value`; returns false as {@link Aggregator.count} does. */
  setGauge(
    formatter: MetricFormatter,
    path: string,
    value: number,
    tags: Tags | undefined,
  ): boolean {
    const template = formatter.template(Kind.gauge, path, '|g', tags);
    if (typeof template !== 'string') return this.#reject(template, path, tags);
    const entry = this.#entries.get(template);
    if (entry === undefined) return this.#add(template, true, value, true);
    entry.value = value;
    entry.absolute = true;
    return true;
  }

  /** Changes a gauge by `value`; returns false as {@link Aggregator.count} does. */
  changeGauge(
    formatter: MetricFormatter,
    path: string,
    value: number,
    tags: Tags | undefined,
  ): boolean {
    const template = formatter.template(Kind.gauge, path, '|g', tags);
    if (typeof template !== 'string') return this.#reject(template, path, tags);
    const entry = this.#entries.get(template);
    if (entry === undefined) return this.#add(template, true, value, false);
    entry.value += value;
    return true;
  }

  /** Writes one line per name and tag set (two for a negative gauge value), and forgets them. */
  drain(): void {
    if (this.#entries.size === 0) return;
    for (const entry of this.#entries.values()) {
      writeEntry(entry, this.#pipeline, this.#zeroFirst);
    }
    this.#entries.clear();
  }

  /** A call that cannot be written is counted and reported: it is handled. */
  #reject(fault: LineFault, path: string, tags: Tags | undefined): true {
    rejectLine(this.#pipeline, fault, path, tags);
    return true;
  }

  #add(template: string, gauge: boolean, value: number, absolute: boolean): boolean {
    if (this.#entries.size >= this.#maxKeys) return false;
    // Sanitized names hold no colon: the first one is where the value goes (a DogStatsD tag
    // value may hold colons, but its tags come after the value).
    const colon = template.indexOf(':') + 1;
    this.#entries.set(template, {
      head: template.slice(0, colon),
      tail: template.slice(colon),
      // Only for a new key: sums of repeated calls never count bytes.
      extraBytes: utf8Extra(template),
      gauge,
      value,
      absolute,
    });
    // The first value of a name and tag set: make sure a flush comes to deliver it.
    this.#pipeline.requestFlush();
    return true;
  }
}

function writeEntry(entry: Entry, pipeline: Pipeline, zeroFirst: boolean): void {
  const { head, tail, value } = entry;
  // Sums of finite numbers can still overflow.
  if (!Number.isFinite(value)) {
    const name = head.slice(0, -1);
    pipeline.reject(
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
    pipeline.accept(zero + '\n' + line, bytes + zero.length + entry.extraBytes + 1, 1);
    return;
  }
  pipeline.accept(line, bytes, 1);
}
