import { Aggregator } from './aggregator.js';
import { ErrorCode, describeValue, invalidOption } from './errors.js';
import { kTransportFactory, type InternalOptions } from './internal.js';
import { Kind, MetricFormatter } from './metric-formatter.js';
import { formatNumber, secondsToMilliseconds } from './number-format.js';
import { normalizePrefix, resolveOptions, type ResolvedOptions } from './options.js';
import { Pipeline } from './pipeline.js';
import { sanitize } from './sanitize.js';
import { StatsCounter } from './stats.js';
import { joinTags, renderTags } from './tags.js';
import { Timer } from './timer.js';
import { transportFor } from './transports/index.js';
import type {
  ChildOptions,
  ConnectorOptions,
  ConnectorStats,
  GaugeOptions,
  MetricOptions,
  MetricType,
  TagFormat,
  Tags,
} from './types.js';

/** Types whose sample rate the server uses to scale counts back up. */
const RATED: Readonly<Record<MetricType, boolean>> = {
  c: true,
  ms: true,
  h: true,
  d: true,
  g: false,
  s: false,
};
const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;

/** What a child shares with its parent; handed to the constructor through `pendingChild`. */
interface Family {
  readonly pipeline: Pipeline | undefined;
  readonly formatter: MetricFormatter;
  readonly sampleRate: number;
}
let pendingChild: Family | undefined;

/**
 * The StatsD connector. Metric calls (`incr`, `gauge`, `timing`, …) only format and enqueue:
 * they never wait and never throw, whatever the network does or the input holds. A background
 * sender owns the connection, delivers the queue in order, and reconnects when it is lost.
 *
 * ```ts
 * const statsd = new Connector({ host: '127.0.0.1', prefix: 'my-app' });
 * await statsd.start();
 * statsd.incr('jobs.done');           // my-app.counters.jobs.done:1|c
 * statsd.timing('db.query', 0.25);    // my-app.timers.db.query:250|ms
 * await statsd.stop();
 * ```
 */
export class Connector implements AsyncDisposable {
  readonly #pipeline: Pipeline | undefined;
  readonly #formatter: MetricFormatter;
  readonly #sampleRate: number;
  readonly #aggregator: Aggregator | undefined;
  readonly #histogramType: string;
  readonly #distributionType: string;

  /** Checks `options` at once: a bad option throws a `StatsdError` naming it. */
  constructor(options: ConnectorOptions = {}) {
    const family = pendingChild ?? createFamily(options);
    pendingChild = undefined;
    this.#pipeline = family.pipeline;
    this.#formatter = family.formatter;
    this.#sampleRate = family.sampleRate;
    this.#aggregator = family.pipeline?.aggregator;
    const keepsHistograms = hasHistograms(family.formatter.settings.tagFormat);
    this.#histogramType = keepsHistograms ? '|h' : '|ms';
    this.#distributionType = keepsHistograms ? '|d' : '|ms';
  }

  /** False for a disabled connector, which accepts every call and sends nothing. */
  get enabled(): boolean {
    return this.#pipeline !== undefined;
  }

  /** The prefix in front of every metric path, without its trailing dot (`''` for none). */
  get prefix(): string {
    return this.#formatter.settings.prefix.slice(0, -1);
  }

  /** Starts the background sender. Resolves at once: it does not wait for a connection. */
  async start(): Promise<void> {
    await this.#pipeline?.start();
  }

  /**
   * Delivers the queue, closes the connection and stops reconnecting. Resolves within
   * `stopTimeout`; what could not be sent by then is counted as dropped (`stopTimeout`).
   * A stopped connector can be started again.
   */
  async stop(): Promise<void> {
    await this.#pipeline?.stop();
  }

  /**
   * Sends the partly filled packet now. Resolves `true` once everything accepted so far was
   * handed to the operating system, `false` if that took longer than `timeout` milliseconds.
   * @param timeout defaults to `stopTimeout`
   */
  async flush(timeout?: number): Promise<boolean> {
    return this.#pipeline === undefined ? true : this.#pipeline.flush(timeout);
  }

  /** The accounting: `enqueued === sent + dropped + queued` at any quiet moment. */
  stats(): ConnectorStats {
    return this.#pipeline?.snapshot() ?? new StatsCounter().snapshot(0, 0, false);
  }

  /** Stops the connector: `await using statsd = new Connector(…)`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** Adds `value` (default 1) to a counter: `<prefix>.counters.<path>:<value>|c`. */
  incr(path: string, value: number = 1, options?: MetricOptions): void {
    if (this.#pipeline === undefined) return;
    if (!isFiniteNumber(value)) return this.#invalidValue('incr', path, value);
    if (this.#aggregator !== undefined) return this.#aggregate(Kind.counter, path, value, options);
    this.#emit(Kind.counter, path, formatNumber(value), '|c', true, options, false);
  }

  /** Subtracts `value` (default 1) from a counter: `<prefix>.counters.<path>:-<value>|c`. */
  decr(path: string, value: number = 1, options?: MetricOptions): void {
    if (this.#pipeline === undefined) return;
    if (!isFiniteNumber(value)) return this.#invalidValue('decr', path, value);
    if (this.#aggregator !== undefined) return this.#aggregate(Kind.counter, path, -value, options);
    this.#emit(Kind.counter, path, formatNumber(-value), '|c', true, options, false);
  }

  /**
   * Sets a gauge (`<prefix>.gauges.<path>:<value>|g`), or changes it with `delta: true`
   * (`+3`, `-0.5`). A negative value is sent as `0` then the value, in one packet, because the
   * server reads a lone `-5` as a change.
   */
  gauge(path: string, value: number, options?: GaugeOptions): void {
    if (this.#pipeline === undefined) return;
    if (!isFiniteNumber(value)) return this.#invalidValue('gauge', path, value);
    if (this.#aggregator !== undefined) return this.#aggregate(Kind.gauge, path, value, options);
    if (options?.delta === true) {
      this.#emit(Kind.gauge, path, deltaText(value), '|g', false, options, false);
    } else {
      this.#emit(Kind.gauge, path, formatNumber(value), '|g', false, options, value < 0);
    }
  }

  /**
   * Records a duration given in SECONDS, written in milliseconds:
   * `timing('db', 0.25)` sends `<prefix>.timers.db:250|ms`. Negative or non-finite values are
   * dropped and reported.
   */
  timing(path: string, seconds: number, options?: MetricOptions): void {
    if (this.#pipeline === undefined) return;
    if (!isFiniteNumber(seconds) || seconds < 0) return this.#invalidValue('timing', path, seconds);
    const milliseconds = secondsToMilliseconds(seconds);
    // Seconds beyond ~1.8e305 have no finite number of milliseconds.
    if (milliseconds === Infinity) return this.#invalidValue('timing', path, seconds);
    this.#emit(Kind.timer, path, formatNumber(milliseconds), '|ms', true, options, false);
  }

  /** Adds a member to a set, which counts distinct members per flush: `<prefix>.sets.<path>:<value>|s`. */
  set(path: string, value: string | number, options?: MetricOptions): void {
    if (this.#pipeline === undefined) return;
    const text = this.#memberText(value);
    if (text === undefined) return this.#invalidValue('set', path, value);
    this.#emit(Kind.set, path, text, '|s', false, options, false);
  }

  /**
   * Records a value in a histogram (`|h`) where the tag format's server has them (DogStatsD,
   * Telegraf); plain StatsD and Graphite get a timer (`|ms`) instead, never a counter.
   */
  histogram(path: string, value: number, options?: MetricOptions): void {
    if (this.#pipeline === undefined) return;
    if (!this.#validDistributionValue(value)) return this.#invalidValue('histogram', path, value);
    this.#emit(
      Kind.histogram,
      path,
      formatNumber(value),
      this.#histogramType,
      true,
      options,
      false,
    );
  }

  /** Records a value in a distribution (`|d`); mapped like {@link Connector.histogram}. */
  distribution(path: string, value: number, options?: MetricOptions): void {
    if (this.#pipeline === undefined) return;
    if (!this.#validDistributionValue(value))
      return this.#invalidValue('distribution', path, value);
    this.#emit(
      Kind.distribution,
      path,
      formatNumber(value),
      this.#distributionType,
      true,
      options,
      false,
    );
  }

  /**
   * The escape hatch: `<prefix>.<path>:<value>|<type>` with no kind segment. The value is still
   * checked against the type and sanitized, so it cannot break the wire.
   */
  injectMetric(
    path: string,
    value: string | number,
    type: MetricType,
    options?: MetricOptions,
  ): void {
    if (this.#pipeline === undefined) return;
    if (!Object.hasOwn(RATED, type)) return this.#invalidValue('injectMetric', path, type, 'type');
    const suffix =
      type === 'h' ? this.#histogramType : type === 'd' ? this.#distributionType : '|' + type;
    // A histogram mapped to a timer must be >= 0 like any timer, or the server rejects the line.
    const text = type === 's' ? this.#memberText(value) : numericText(value, suffix === '|ms');
    if (text === undefined) return this.#invalidValue('injectMetric', path, value);
    this.#emit(
      Kind.raw,
      path,
      text,
      suffix,
      RATED[type],
      options,
      type === 'g' && text.startsWith('-'),
    );
  }

  /** A timer for `path`: `statsd.timer('render').start()`, then `stop()`. */
  timer(path: string, options?: MetricOptions): Timer {
    return new Timer(this, path, options);
  }

  /**
   * Times `fn` (sync or async) and records the duration as a timer, also when it throws or
   * rejects. Returns what `fn` returns.
   */
  time<T>(path: string, fn: () => T, options?: MetricOptions): T {
    const timer = new Timer(this, path, options).start();
    let result: T;
    try {
      result = fn();
    } catch (error) {
      timer.stop();
      throw error;
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).finally(() => timer.stop()) as T;
    }
    timer.stop();
    return result;
  }

  /**
   * A connector that adds `prefix` after this one's prefix and `tags` to every metric, sharing
   * this connector's queue, connection and accounting. Start and stop the parent.
   */
  child(options: ChildOptions = {}): Connector {
    const settings = this.#formatter.settings;
    let fixedTags = settings.fixedTags;
    if (options.tags !== undefined) {
      if (typeof options.tags !== 'object' || options.tags === null) {
        throw invalidOption(
          'tags',
          options.tags,
          'an object of tag names to values, or an array of strings',
        );
      }
      if (settings.tagFormat === 'none' && Object.keys(options.tags).length > 0) {
        throw invalidOption(
          'tags',
          options.tags,
          "no tags while the parent's `tagFormat` is 'none'",
        );
      }
      fixedTags = joinTags(
        fixedTags,
        renderTags(options.tags, settings.tagFormat, settings.ascii),
        settings.tagFormat,
      );
    }
    pendingChild = {
      pipeline: this.#pipeline,
      formatter: new MetricFormatter({
        ...settings,
        prefix: settings.prefix + normalizePrefix(options.prefix, settings.ascii),
        fixedTags,
      }),
      sampleRate: this.#sampleRate,
    };
    return new Connector();
  }

  #emit(
    kind: Kind,
    path: string,
    value: string,
    type: string,
    rated: boolean,
    options: MetricOptions | undefined,
    negativeGauge: boolean,
  ): void {
    const rate = this.#sample(path, options);
    if (rate === 0) return;
    if (rated && rate < 1) type = type + '|@' + formatNumber(rate);
    this.#write(kind, path, value, type, options?.tags, negativeGauge);
  }

  /**
   * The call's sample rate once it passed sampling; 0 when the call ends here (its rate is
   * invalid, which is counted and reported, or it was sampled out, which is counted).
   */
  #sample(path: string, options: MetricOptions | undefined): number {
    let rate = this.#sampleRate;
    // `!= null`: untyped callers pass `null` for "no options", which must not throw.
    if (options != null) {
      const given = options.sampleRate;
      if (given !== undefined) {
        if (typeof given !== 'number' || !(given > 0 && given <= 1)) {
          (this.#pipeline as Pipeline).reject(
            () =>
              `sampleRate ${describeValue(given)} for ${describeValue(path)} is not above 0 and at most 1; metric dropped`,
          );
          return 0;
        }
        rate = given;
      }
    }
    if (rate < 1 && Math.random() >= rate) {
      (this.#pipeline as Pipeline).stats.sampledOut++;
      return 0;
    }
    return rate;
  }

  /** Formats one metric (two lines for a negative gauge value) and queues it. */
  #write(
    kind: Kind,
    path: string,
    value: string,
    type: string,
    tags: Tags | undefined,
    negativeGauge: boolean,
  ): void {
    const pipeline = this.#pipeline as Pipeline;
    const formatter = this.#formatter;
    let line = formatter.line(kind, path, value, type, tags);
    if (line === undefined) return this.#invalidPath(path);
    let bytes = line.length + formatter.extraBytes;
    if (negativeGauge) {
      // Setting a negative gauge: first 0, so that the server reads the value as absolute.
      const zero = formatter.line(kind, path, '0', type, tags) as string;
      bytes += zero.length + formatter.extraBytes + 1;
      line = zero + '\n' + line;
    }
    if (tags !== undefined && formatter.dropsTags) this.#tagsIgnored(path);
    pipeline.accept(line, bytes, 1);
  }

  /**
   * `aggregate: true`: adds a counter (`value` already negated for `decr`) or a gauge call to the
   * aggregator, which writes one line per name and tag set at the next flush. A sampled counter
   * adds `value / rate`, so its line needs no rate. Beyond the aggregator's bound the call is
   * written as it is.
   */
  #aggregate(kind: Kind, path: string, value: number, options: GaugeOptions | undefined): void {
    const rate = this.#sample(path, options);
    if (rate === 0) return;
    const counter = kind === Kind.counter;
    const tags = options?.tags;
    const formatter = this.#formatter;
    const template = formatter.line(kind, path, '', counter ? '|c' : '|g', tags);
    if (template === undefined) return this.#invalidPath(path);
    const aggregator = this.#aggregator as Aggregator;
    const delta = options?.delta === true;
    const merged = counter
      ? aggregator.count(template, formatter.extraBytes, value / rate)
      : aggregator.gauge(template, formatter.extraBytes, value, delta);
    if (merged) {
      if (tags !== undefined && formatter.dropsTags) this.#tagsIgnored(path);
      (this.#pipeline as Pipeline).requestFlush();
    } else if (counter) {
      const type = rate < 1 ? '|c|@' + formatNumber(rate) : '|c';
      this.#write(kind, path, formatNumber(value), type, tags, false);
    } else if (delta) {
      this.#write(kind, path, deltaText(value), '|g', tags, false);
    } else {
      this.#write(kind, path, formatNumber(value), '|g', tags, value < 0);
    }
  }

  #invalidPath(path: unknown): void {
    (this.#pipeline as Pipeline).reject(
      () => `metric path ${describeValue(path)} is empty or not a string; metric dropped`,
    );
  }

  #tagsIgnored(path: string): void {
    (this.#pipeline as Pipeline).reporter.report(
      ErrorCode.TagsIgnored,
      () =>
        `tags given to ${describeValue(path)} were left out: tagFormat is 'none' (plain StatsD has no tags)`,
    );
  }

  #memberText(value: unknown): string | undefined {
    if (typeof value === 'number') return Number.isFinite(value) ? formatNumber(value) : undefined;
    if (typeof value !== 'string') return undefined;
    const text = sanitize(value, this.#formatter.settings.ascii);
    return text === '' ? undefined : text;
  }

  #validDistributionValue(value: unknown): boolean {
    return isFiniteNumber(value) && (value >= 0 || this.#histogramType !== '|ms');
  }

  #invalidValue(call: string, path: unknown, value: unknown, what: string = 'value'): void {
    (this.#pipeline as Pipeline).reject(
      () =>
        `${call}(${describeValue(path)}): ${what} ${describeValue(value)} cannot be sent; metric dropped`,
    );
  }
}

function createFamily(options: ConnectorOptions): Family {
  const resolved = resolveOptions(options);
  const ascii = resolved.protocol !== 'udp';
  const formatter = new MetricFormatter({
    prefix: resolved.prefix,
    tagFormat: resolved.tagFormat,
    ascii,
    fixedTags:
      resolved.globalTags === undefined
        ? ''
        : renderTags(resolved.globalTags, resolved.tagFormat, ascii),
  });
  const pipeline = resolved.enabled ? createPipeline(resolved, options) : undefined;
  return { pipeline, formatter, sampleRate: resolved.sampleRate };
}

function createPipeline(resolved: ResolvedOptions, options: ConnectorOptions): Pipeline {
  const factory =
    (options as InternalOptions)[kTransportFactory] ?? transportFor(resolved.protocol);
  const pipeline = new Pipeline(resolved, factory);
  if (resolved.aggregate) pipeline.aggregator = new Aggregator();
  return pipeline;
}

/** A gauge change always carries its sign: `+3`, `-0.5`; a bare `3` would set the gauge. */
function deltaText(value: number): string {
  return value < 0 ? formatNumber(value) : '+' + formatNumber(value);
}

function hasHistograms(tagFormat: TagFormat): boolean {
  return tagFormat === 'dogstatsd' || tagFormat === 'influx';
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function numericText(value: unknown, nonNegative: boolean): string | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && (!nonNegative || value >= 0) ? formatNumber(value) : undefined;
  }
  if (typeof value !== 'string' || !NUMERIC.test(value)) return undefined;
  return nonNegative && value.startsWith('-') ? undefined : value;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}
