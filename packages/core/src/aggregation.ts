import type { Aggregator } from './aggregator.js';
import { rejectLine } from './invalid-input.js';
import { Kind, type MetricFormatter } from './metric-formatter.js';
import type { Pipeline } from './pipeline.js';
import type { Tags } from './types.js';

/**
 * A connector's side of client-side aggregation (`aggregate: true`): a counter or gauge call
 * becomes an entry of the shared {@link Aggregator}, keyed by the line this connector would write
 * (its own prefix and tags) with an empty value, and a flush is scheduled to drain it. One per
 * connector, because a child formats differently; the aggregator and pipeline are the family's.
 */
export class Aggregation {
  readonly #pipeline: Pipeline;
  readonly #aggregator: Aggregator;
  readonly #formatter: MetricFormatter;

  constructor(pipeline: Pipeline, aggregator: Aggregator, formatter: MetricFormatter) {
    this.#pipeline = pipeline;
    this.#aggregator = aggregator;
    this.#formatter = formatter;
  }

  /**
   * Adds a counter call (`value` already negated for `decr`) or a gauge call that passed
   * sampling at `rate`. A sampled counter adds `value / rate`, so its line needs no rate.
   * Returns false, changing nothing, when the name and tag set are new and the aggregator is at
   * its bound: the caller then writes the call as it is. An invalid path or tag set is rejected
   * here.
   */
  add(
    kind: Kind,
    path: string,
    value: number,
    rate: number,
    tags: Tags | undefined,
    delta: boolean,
  ): boolean {
    const counter = kind === Kind.counter;
    const formatter = this.#formatter;
    const template = formatter.line(kind, path, '', counter ? '|c' : '|g', tags);
    if (template === undefined) {
      rejectLine(this.#pipeline, formatter, path, tags);
      return true;
    }
    const aggregator = this.#aggregator;
    const merged = counter
      ? aggregator.count(template, formatter.extraBytes, value / rate)
      : aggregator.gauge(template, formatter.extraBytes, value, delta);
    if (!merged) return false;
    this.#pipeline.requestFlush();
    return true;
  }
}
