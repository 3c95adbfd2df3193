import type { Aggregator } from './aggregator.js';
import { childFamily, createFamily, type Family } from './connector-family.js';
import type { DialectRules } from './dialect.js';
import { invalidOption } from './errors.js';
import type { CheckStatus } from './event-format.js';
import { refuseTimestampedDelta, sendCheck, sendEvent, timestampField } from './extension-calls.js';
import {
  rejectLine,
  rejectSampleRate,
  rejectThrown,
  rejectUnsupported,
  rejectValue,
} from './invalid-input.js';
import { Kind, type MetricFormatter } from './metric-formatter.js';
import {
  RATED,
  deltaText,
  isFiniteNumber,
  memberText,
  numericText,
  validDistributionValue,
} from './metric-values.js';
import { formatNumber, millisecondsText } from './number-format.js';
import type { Pipeline } from './pipeline.js';
import { StatsCounter } from './stats.js';
import { Telemetry } from './telemetry.js';
import { Timer, timeCall } from './timer.js';
import type {
  CheckOptions,
  ChildOptions,
  ConnectorOptions,
  ConnectorStats,
  CounterOptions,
  Dialect,
  EventOptions,
  FlushHook,
  GaugeOptions,
  MetricOptions,
  MetricType,
  Tags,
} from './types.js';

/**
 * The family `child()` is building a connector for, handed to the constructor it calls next.
 * Set and cleared around that one synchronous call: the public constructor takes only public
 * options, and nothing outside this module can set it.
 */
let adoptedFamily: Family | undefined;

/** The hook of a disabled connector, which never flushes. */
const DISABLED_HOOK: FlushHook = Object.freeze({ requestFlush: () => {}, remove: () => {} });

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
  readonly #family: Family;
  readonly #pipeline: Pipeline | undefined;
  readonly #formatter: MetricFormatter;
  readonly #sampleRate: number;
  readonly #sampledTypes: ReadonlyMap<string, string>;
  readonly #aggregator: Aggregator | undefined;
  readonly #dialect: DialectRules;
  readonly #histogramType: string;
  readonly #distributionType: string;
  readonly #negativeHistograms: boolean;
  readonly #gaugeDeltas: boolean;
  /** Whether a negative gauge value is written after a `0` line (the dialect's `negativeGauge`). */
  readonly #zeroFirst: boolean;
  readonly #telemetry: Telemetry | undefined;

  /** Checks `options` at once: a bad option throws a `StatsdError` naming it. */
  constructor(options: ConnectorOptions = {}) {
    const inherited = adoptedFamily;
    adoptedFamily = undefined;
    const family = inherited ?? createFamily(options);
    const { pipeline, formatter } = family;
    this.#family = family;
    this.#pipeline = pipeline;
    this.#formatter = formatter;
    this.#sampleRate = family.sampleRate;
    this.#sampledTypes = family.sampledTypes;
    this.#aggregator = family.aggregator;
    // The dialect's rules are copied into fields: the metric calls read one field each.
    const dialect = family.dialect;
    this.#dialect = dialect;
    this.#histogramType = dialect.histogramType;
    this.#distributionType = dialect.distributionType;
    this.#negativeHistograms = dialect.negativeHistograms;
    this.#gaugeDeltas = dialect.gaugeDeltas;
    this.#zeroFirst = dialect.negativeGauge === 'zeroFirst';
    // The family's first connector reports on it; its children share the accounting.
    this.#telemetry =
      inherited === undefined && pipeline !== undefined && pipeline.telemetryInterval > 0
        ? new Telemetry(this, pipeline, pipeline.telemetryInterval)
        : undefined;
  }

  /**
   * The kind of server this connector writes for (`dialect` option): `'statsd'`, `'dogstatsd'`
   * or `'telegraf'`. Read by the framework layer to pick its default naming.
   */
  get dialect(): Dialect {
    return this.#dialect.name;
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
    const starting = this.#pipeline?.start();
    this.#telemetry?.start();
    await starting;
  }

  /**
   * Delivers the queue, closes the connection and stops reconnecting. Resolves within
   * `stopTimeout`; what could not be sent by then is counted as dropped (`stopTimeout`). A server
   * that is down (the last connection attempt failed) is not waited for: the queue is dropped at
   * once. A stopped connector can be started again.
   */
  async stop(): Promise<void> {
    this.#telemetry?.stop();
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

  /**
   * For code that holds metrics outside the queue, such as a batch of request timers: `drain`
   * is called at the start of every flush (each `flushInterval`, `flush()` and `stop()`) and
   * hands what it holds over through the ordinary metric calls (`timing`, `incr`, …), so held
   * metrics are delivered, and counted, like any other, and `stop()` loses none of them. Call
   * the hook's `requestFlush()` when you start holding metrics, so that a flush comes within
   * `flushInterval`; `remove()` stops the calls. A disabled connector never flushes, so its
   * `drain` is never called: hold nothing when `enabled` is `false`. A child and its parent
   * share one queue, and so their hooks. A `drain` that throws is reported
   * (`ERR_STATSD_FLUSH_HOOK`) and the flush goes on.
   */
  beforeFlush(drain: () => void): FlushHook {
    const pipeline = this.#pipeline;
    if (typeof drain !== 'function') throw invalidOption('drain', drain, 'a function');
    if (pipeline === undefined) return DISABLED_HOOK;
    pipeline.addSource(drain);
    return {
      requestFlush: () => pipeline.requestFlush(),
      remove: () => pipeline.removeSource(drain),
    };
  }

  /** Stops the connector: `await using statsd = new Connector(…)`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** Adds `value` (default 1) to a counter: `<prefix>.counters.<path>:<value>|c`. */
  incr(path: string, value: number = 1, options?: CounterOptions): void {
    if (this.#pipeline === undefined) return;
    if (!isFiniteNumber(value)) return rejectValue(this.#pipeline, 'incr', path, value);
    try {
      if (options?.timestamp !== undefined) {
        return this.#emitAt('incr', Kind.counter, path, formatNumber(value), '|c', options);
      }
    } catch (error) {
      // Getters or proxies in an untyped caller's options may throw: see #emit.
      return rejectThrown(this.#pipeline, path, error);
    }
    if (this.#aggregator !== undefined) return this.#aggregate(Kind.counter, path, value, options);
    this.#emit(Kind.counter, path, formatNumber(value), '|c', options);
  }

  /** Subtracts `value` (default 1) from a counter: `<prefix>.counters.<path>:-<value>|c`. */
  decr(path: string, value: number = 1, options?: CounterOptions): void {
    if (this.#pipeline === undefined) return;
    if (!isFiniteNumber(value)) return rejectValue(this.#pipeline, 'decr', path, value);
    try {
      if (options?.timestamp !== undefined) {
        return this.#emitAt('decr', Kind.counter, path, formatNumber(-value), '|c', options);
      }
    } catch (error) {
      // Getters or proxies in an untyped caller's options may throw: see #emit.
      return rejectThrown(this.#pipeline, path, error);
    }
    if (this.#aggregator !== undefined) {
      return this.#aggregate(Kind.counter, path, -value, options);
    }
    this.#emit(Kind.counter, path, formatNumber(-value), '|c', options);
  }

  /**
   * Sets a gauge (`<prefix>.gauges.<path>:<value>|g`), or changes it with `delta: true`
   * (`+3`, `-0.5`). A negative value is sent as `0` then the value, in one packet, where the
   * server reads a lone `-5` as a change (`statsd`, `telegraf`). The `dogstatsd` dialect has no
   * changes: a `delta: true` call is dropped and reported (`unsupported`).
   */
  gauge(path: string, value: number, options?: GaugeOptions): void {
    if (this.#pipeline === undefined) return;
    if (!isFiniteNumber(value)) return rejectValue(this.#pipeline, 'gauge', path, value);
    let delta: boolean;
    // Getters or proxies in an untyped caller's options may throw: an invalid drop (see #emit).
    try {
      if (options?.timestamp !== undefined) {
        if (options.delta === true) return refuseTimestampedDelta(this.#pipeline, path);
        return this.#emitAt('gauge', Kind.gauge, path, formatNumber(value), '|g', options);
      }
      delta = options?.delta === true;
    } catch (error) {
      return rejectThrown(this.#pipeline, path, error);
    }
    if (delta && !this.#gaugeDeltas) return this.#rejectDelta('gauge', path);
    if (this.#aggregator !== undefined) return this.#aggregate(Kind.gauge, path, value, options);
    if (delta) {
      this.#emit(Kind.gauge, path, deltaText(value), '|g', options);
    } else if (value < 0 && this.#zeroFirst) {
      this.#emitAfterZero(Kind.gauge, path, formatNumber(value), options);
    } else {
      this.#emit(Kind.gauge, path, formatNumber(value), '|g', options);
    }
  }

  /**
   * Records a duration given in SECONDS, written in milliseconds:
   * `timing('db', 0.25)` sends `<prefix>.timers.db:250|ms`. Negative or non-finite values are
   * dropped and reported.
   */
  timing(path: string, seconds: number, options?: MetricOptions): void {
    if (this.#pipeline === undefined) return;
    if (!isFiniteNumber(seconds) || seconds < 0) {
      return rejectValue(this.#pipeline, 'timing', path, seconds);
    }
    const milliseconds = millisecondsText(seconds);
    // Seconds beyond ~1.8e305 have no finite number of milliseconds.
    if (milliseconds === undefined) return rejectValue(this.#pipeline, 'timing', path, seconds);
    this.#emit(Kind.timer, path, milliseconds, '|ms', options);
  }

  /** Adds a member to a set, which counts distinct members per flush: `<prefix>.sets.<path>:<value>|s`. */
  set(path: string, value: string | number, options?: MetricOptions): void {
    if (this.#pipeline === undefined) return;
    const text = memberText(value, this.#formatter.settings.ascii);
    if (text === undefined) return rejectValue(this.#pipeline, 'set', path, value);
    this.#emit(Kind.set, path, text, '|s', options);
  }

  /**
   * Records a value in a histogram (`|h`) where the dialect's server has them (DogStatsD,
   * Telegraf); plain StatsD gets a timer (`|ms`) instead, never a counter.
   */
  histogram(path: string, value: number, options?: MetricOptions): void {
    if (this.#pipeline === undefined) return;
    const type = this.#histogramType;
    if (!validDistributionValue(value, this.#negativeHistograms)) {
      return rejectValue(this.#pipeline, 'histogram', path, value);
    }
    this.#emit(Kind.histogram, path, formatNumber(value), type, options);
  }

  /**
   * Records a value in a distribution: `|d` for DogStatsD, `|h` for Telegraf (which drops `d`
   * unless `datadog_distributions` is on), a timer (`|ms`) for plain StatsD.
   */
  distribution(path: string, value: number, options?: MetricOptions): void {
    if (this.#pipeline === undefined) return;
    const type = this.#distributionType;
    if (!validDistributionValue(value, this.#negativeHistograms)) {
      return rejectValue(this.#pipeline, 'distribution', path, value);
    }
    this.#emit(Kind.distribution, path, formatNumber(value), type, options);
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
    const pipeline = this.#pipeline;
    if (!Object.hasOwn(RATED, type)) {
      return rejectValue(pipeline, 'injectMetric', path, type, 'type');
    }
    const histogram = type === 'h' || type === 'd';
    const suffix =
      type === 'h' ? this.#histogramType : type === 'd' ? this.#distributionType : '|' + type;
    // Timers, and histograms where the dialect needs it, must be >= 0 or the server rejects them.
    const text =
      type === 's'
        ? memberText(value, this.#formatter.settings.ascii)
        : numericText(value, type === 'ms' || (histogram && !this.#negativeHistograms));
    if (text === undefined) return rejectValue(pipeline, 'injectMetric', path, value);
    // A gauge written `+3` is a change, which DogStatsD would read as the value 3.
    if (type === 'g' && text.startsWith('+') && !this.#gaugeDeltas) {
      return this.#rejectDelta('injectMetric', path);
    }
    if (type === 'g' && text.startsWith('-') && this.#zeroFirst) {
      return this.#emitAfterZero(Kind.raw, path, text, options);
    }
    this.#emit(Kind.raw, path, text, suffix, options);
  }

  /**
   * Sends a DogStatsD event (`_e{…}:<title>|<text>|…`), not prefixed, with the connector's
   * global and child tags. Only the Datadog agent reads events: elsewhere the call is dropped and
   * reported (`unsupported`). Goes through the queue like a metric and counts as one.
   */
  event(title: string, text: string, options?: EventOptions): void {
    if (this.#pipeline === undefined) return;
    sendEvent(this.#pipeline, this.#dialect, this.#formatter, title, text, options);
  }

  /**
   * Sends a DogStatsD service check (`_sc|<name>|<status>|…`), not prefixed, with the
   * connector's global and child tags. `status` is one of {@link CheckStatus}. Only the Datadog
   * agent reads checks: elsewhere the call is dropped and reported (`unsupported`).
   */
  check(name: string, status: CheckStatus, options?: CheckOptions): void {
    if (this.#pipeline === undefined) return;
    sendCheck(this.#pipeline, this.#dialect, this.#formatter, name, status, options);
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
    return timeCall(this, path, fn, options);
  }

  /**
   * A connector that adds `prefix` after this one's prefix and `tags` to every metric, sharing
   * this connector's queue, connection and accounting. Start and stop the parent.
   */
  child(options: ChildOptions = {}): Connector {
    adoptedFamily = childFamily(this.#family, options);
    try {
      return new Connector();
    } finally {
      adoptedFamily = undefined;
    }
  }

  /** Drops a gauge change the dialect cannot express, and reports it. */
  #rejectDelta(call: string, path: string): void {
    rejectUnsupported(
      this.#pipeline as Pipeline,
      call,
      path,
      this.#dialect.name,
      'gauge changes (its server would set the gauge to the change): send the new value instead',
    );
  }

  /**
   * Samples a call and writes it; `type` is the value's type suffix (`|c`, `|ms` …), to which
   * the rate is added where the server scales the type by it.
   */
  #emit(kind: Kind, path: string, value: string, type: string, options?: MetricOptions): void {
    // An untyped caller's options or tags may hold getters or proxies that throw. One try at
    // this level, around a call that throws nothing else, keeps them out of the application
    // at no measurable cost (no try inside the tag loops).
    try {
      const rate = this.#sample(path, options);
      if (rate === 0) return;
      if (rate < 1 && isRated(type)) {
        const sampled = rate === this.#sampleRate ? this.#sampledTypes.get(type) : undefined;
        type = sampled ?? type + '|@' + formatNumber(rate);
      }
      this.#write(kind, path, value, type, options?.tags);
    } catch (error) {
      rejectThrown(this.#pipeline as Pipeline, path, error);
    }
  }

  /** Samples a negative gauge value and writes it after a `0`, for the `zeroFirst` dialects. */
  #emitAfterZero(kind: Kind, path: string, value: string, options?: MetricOptions): void {
    // Throwing getters or proxies in options or tags, as in #emit.
    try {
      if (this.#sample(path, options) === 0) return;
      this.#writeAfterZero(kind, path, value, options?.tags);
    } catch (error) {
      rejectThrown(this.#pipeline as Pipeline, path, error);
    }
  }

  /**
   * A counter or gauge call with a `timestamp`: written with `|T<seconds>` after its type and
   * rate, and never aggregated (values of different moments must not be merged). Only the
   * DogStatsD agent reads timestamps, and it reads a negative gauge as a value: no `0` first.
   */
  #emitAt(
    call: string,
    kind: Kind,
    path: string,
    value: string,
    type: string,
    options: CounterOptions,
  ): void {
    const pipeline = this.#pipeline as Pipeline;
    const at = timestampField(pipeline, this.#dialect, call, path, options.timestamp);
    if (at === undefined) return;
    const rate = this.#sample(path, options);
    if (rate === 0) return;
    if (kind === Kind.counter && rate < 1) type += '|@' + formatNumber(rate);
    this.#write(kind, path, value, type + at, options.tags);
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
          rejectSampleRate(this.#pipeline as Pipeline, path, given);
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

  /** Formats one metric and queues it. */
  #write(kind: Kind, path: string, value: string, type: string, tags: Tags | undefined): void {
    const pipeline = this.#pipeline as Pipeline;
    const fault = this.#formatter.write(pipeline, kind, path, value, type, tags);
    if (fault !== undefined) rejectLine(pipeline, fault, path, tags);
  }

  /** Queues a negative gauge value after a `0` line, so that the server reads it as absolute. */
  #writeAfterZero(kind: Kind, path: string, value: string, tags: Tags | undefined): void {
    const pipeline = this.#pipeline as Pipeline;
    const fault = this.#formatter.writeAfterZero(pipeline, kind, path, value, '|g', tags);
    if (fault !== undefined) rejectLine(pipeline, fault, path, tags);
  }

  /**
   * `aggregate: true`: counter and gauge calls that pass sampling go to the aggregator, which
   * writes one line per name and tag set at the next flush. Beyond the aggregator's bound the
   * call is written as it is.
   */
  #aggregate(kind: Kind, path: string, value: number, options: GaugeOptions | undefined): void {
    try {
      this.#aggregateUnsafe(kind, path, value, options);
    } catch (error) {
      // Throwing getters or proxies in options or tags, as in #emit.
      rejectThrown(this.#pipeline as Pipeline, path, error);
    }
  }

  #aggregateUnsafe(
    kind: Kind,
    path: string,
    value: number,
    options: GaugeOptions | undefined,
  ): void {
    const rate = this.#sample(path, options);
    if (rate === 0) return;
    const tags = options?.tags;
    const aggregator = this.#aggregator as Aggregator;
    const formatter = this.#formatter;
    if (kind === Kind.counter) {
      // A sampled counter adds `value / rate`, so its line needs no rate.
      if (aggregator.count(formatter, path, value / rate, tags)) return;
      const type = rate < 1 ? '|c|@' + formatNumber(rate) : '|c';
      this.#write(kind, path, formatNumber(value), type, tags);
    } else if (options?.delta === true) {
      if (aggregator.changeGauge(formatter, path, value, tags)) return;
      this.#write(kind, path, deltaText(value), '|g', tags);
    } else {
      if (aggregator.setGauge(formatter, path, value, tags)) return;
      if (value < 0 && this.#zeroFirst) this.#writeAfterZero(kind, path, formatNumber(value), tags);
      else this.#write(kind, path, formatNumber(value), '|g', tags);
    }
  }
}

/**
 * Whether the server scales a type by its sample rate, so that the rate is written: counters,
 * timers, histograms and distributions (`|c`, `|ms`, `|h`, `|d`), not gauges or sets.
 */
function isRated(type: string): boolean {
  const letter = type.charCodeAt(1);
  return letter !== 103 /* g */ && letter !== 115; /* s */
}
