import type { StatsdError } from './errors.js';

/**
 * How metrics travel: a TCP stream (default), UDP datagrams, a unix domain stream socket, or a
 * unix domain datagram socket (`'unixgram'`, the Datadog agent's socket; needs the optional
 * package `unix-dgram`).
 */
export type Protocol = 'tcp' | 'udp' | 'unix' | 'unixgram';

/**
 * The kind of server metrics go to; it decides everything that depends on what the server
 * understands (see the table in the README and `dialect.ts`).
 * - `'statsd'`: the reference daemon, collectd, gostatsd and other plain StatsD servers.
 * - `'dogstatsd'`: the Datadog agent.
 * - `'telegraf'`: Telegraf's statsd input.
 */
export type Dialect = 'statsd' | 'dogstatsd' | 'telegraf';

/**
 * How tags are written on the wire. Each dialect has a default; `tagFormat` only picks another
 * syntax the same server reads.
 * - `'graphite'`: Graphite tagged series, `name;env=prod;region=eu:1|c` (`statsd`)
 * - `'dogstatsd'`: `name:1|c|#env:prod,region:eu` (`dogstatsd`; the reference daemon and
 *   Telegraf with `datadog_extensions` read it too)
 * - `'influx'`: Telegraf/InfluxDB, `name,env=prod,region=eu:1|c` (`telegraf`)
 */
export type TagFormat = 'dogstatsd' | 'influx' | 'graphite';

/**
 * A value in a tags object: a string or number is written after the key; `true` (or `''`) writes
 * the bare key (`key=true` in Influx and Graphite, which need a value); `false`, `null` and
 * `undefined` leave the tag out.
 */
export type TagValue = string | number | boolean | null | undefined;

/**
 * Tags as an object (`{ route: 'home' }` → `route:home`) or as ready strings
 * (`['route:home', 'canary']`, split at the first colon). In an object, a `null`, `undefined` or
 * `false` value leaves the tag out and `true` writes the bare key (see {@link TagValue}). Keys and
 * values are sanitized like metric names.
 */
export type Tags = Readonly<Record<string, TagValue>> | readonly string[];

/** The StatsD metric types: counter, gauge, timer, set, histogram and distribution. */
export type MetricType = 'c' | 'g' | 'ms' | 's' | 'h' | 'd';

/** Options every metric call takes. */
export interface MetricOptions {
  /**
   * Send this call with probability `sampleRate` (0 < rate <= 1); the server scales counters and
   * timers back up. An out-of-range rate drops the call and reports it.
   * @default the connector's `sampleRate` (1 unless set)
   */
  sampleRate?: number;
  /**
   * Tags for this call, added to the connector's global and child tags.
   * @default none
   */
  tags?: Tags;
}

/**
 * A point in time: a `Date`, or unix time in seconds (fractions are cut). Written as whole unix
 * seconds; a number of 1e11 or more (the year 5138) is taken for milliseconds by mistake and
 * refused.
 */
export type Timestamp = Date | number;

/** Options of {@link Connector.incr} and {@link Connector.decr}. */
export interface CounterOptions extends MetricOptions {
  /**
   * When the value was measured (DogStatsD protocol v1.3, `|T<unix seconds>`). Only DogStatsD
   * reads it; elsewhere the call is dropped and reported (`unsupported`). A timestamped call
   * skips client-side aggregation.
   * @default none: the server stamps the value when it reads it
   */
  timestamp?: Timestamp;
}

/** Options of {@link Connector.gauge}. */
export interface GaugeOptions extends CounterOptions {
  /**
   * Change the gauge by `value` instead of setting it: written `+3` or `-3`. The `dogstatsd`
   * dialect has no gauge changes: the call is dropped and reported (`unsupported`).
   * @default false
   */
  delta?: boolean;
}

/** Why a metric that was accepted did not reach the server. */
export type DropReason =
  /** The queue was at its bound (count or bytes) and the newest metric was dropped. */
  | 'queueFull'
  /** The value or name could not be written (NaN, Infinity, a negative timer, an empty name). */
  | 'invalid'
  /** The line alone is larger than `maxPacketSize`. */
  | 'tooLong'
  /** The socket refused the packet (UDP error, or a TCP write failed twice). */
  | 'sendError'
  /** `stop()` reached `stopTimeout` before the queue was delivered. */
  | 'stopTimeout'
  /**
   * The server's dialect cannot express the call: a gauge change to DogStatsD, or an event, a
   * service check or a timestamp to plain StatsD or Telegraf.
   */
  | 'unsupported';

/** A snapshot of the connector's accounting. At any quiet moment `enqueued === sent + dropped + queued`. */
export interface ConnectorStats {
  /**
   * Metrics accepted by metric calls (after sampling), valid or not. With `aggregate: true` it
   * counts lines, not calls: the counter and gauge calls merged into one name's line count once,
   * when that line is queued at the flush (calls waiting for it are not counted anywhere yet);
   * every other call, and every invalid one, still counts one. A middleware's request timers
   * count when the middleware hands them over: in batches, at the latest at the next flush.
   */
  readonly enqueued: number;
  /**
   * Metrics handed to the operating system in a packet it accepted. Not a delivery receipt: no
   * StatsD server acknowledges, and a TCP peer that dies loses what its kernel still held.
   */
  readonly sent: number;
  /** Metrics that will never be sent, the sum of {@link ConnectorStats.dropReasons}. */
  readonly dropped: number;
  /**
   * Metrics waiting in the queue or being written (handed to the socket, not yet accepted by the
   * operating system). `maxQueueSize` bounds this figure: it never exceeds the option.
   */
  readonly queued: number;
  /** Bytes waiting in the queue or being written; `maxQueueBytes` bounds it. */
  readonly queuedBytes: number;
  /** Dropped metrics by reason. */
  readonly dropReasons: Readonly<Record<DropReason, number>>;
  /** Calls skipped by client-side sampling; not part of `enqueued`. */
  readonly sampledOut: number;
  /** Packets (datagrams or stream writes) the operating system accepted. */
  readonly packetsSent: number;
  /** Bytes the operating system accepted. */
  readonly bytesSent: number;
  /** Connections made after the first one. */
  readonly reconnects: number;
  /** Whether the transport is connected right now. */
  readonly connected: boolean;
}

/** Where the connector writes its throttled warnings when no `onError` is given. */
export interface Logger {
  /** Called with one readable line per report. */
  warn(message: string): void;
}

/** Receives every runtime problem (throttled): network errors, drops, invalid metric input. */
export type ErrorHandler = (error: StatsdError) => void;

/** Options of {@link Connector}. */
export interface ConnectorOptions {
  /**
   * Host name or IP address (v4 or v6) of the StatsD server. Resolved again on every reconnect.
   * **Required** unless `protocol` is `'unix'` or `'unixgram'`, or `enabled` is false: without it the constructor
   * throws `ERR_STATSD_MISSING_HOST` (`createConnector` also reads `STATSD_HOST`).
   * @default none (required)
   */
  host?: string;
  /** Port of the StatsD server, an integer from 1 to 65535. @default 8125 */
  port?: number;
  /**
   * Path of the server's unix domain socket. **Required** when `protocol` is `'unix'` or
   * `'unixgram'` (unless `enabled` is false); ignored otherwise. The Datadog agent's datagram
   * socket is `/var/run/datadog/dsd.socket` by default.
   * @default none (required with `protocol: 'unix'` or `'unixgram'`)
   */
  path?: string;
  /**
   * Transport: a TCP stream, UDP datagrams, a unix domain stream socket, or a unix domain
   * datagram socket (`'unixgram'`, which needs the optional package `unix-dgram`); set `path`
   * for the last two. Over `'unixgram'` a congested or restarting server costs no metric: they
   * wait in the queue.
   * @default 'tcp'; 'udp' with `dialect: 'dogstatsd'` or `'telegraf'`
   */
  protocol?: Protocol;
  /**
   * Text put before every metric path, followed by a dot (a trailing dot is not doubled).
   * An empty string or `null` means no prefix.
   * @default no prefix
   */
  prefix?: string | null;
  /** When false, the connector keeps its interface but records and sends nothing. @default true */
  enabled?: boolean;
  /**
   * Most metrics held in the queue, packets being written included (`stats().queued`); newer
   * ones are dropped and counted when it is full.
   * @default 100_000
   */
  maxQueueSize?: number;
  /**
   * Most bytes held in the queue, at least `maxPacketSize`; newer metrics are dropped and counted
   * when it is full.
   * @default 8_388_608 (8 MiB)
   */
  maxQueueBytes?: number;
  /**
   * Most bytes in one UDP datagram or TCP write, from 64 to 65507. Use 512 across the internet, 1432 on fast
   * ethernet, 8932 with jumbo frames, 8192 for a DogStatsD agent.
   * @default 1432 (8192 with `protocol: 'unixgram'`)
   */
  maxPacketSize?: number;
  /**
   * Milliseconds a partly filled packet may wait for more metrics. `0` sends at the end of the
   * current event-loop turn; full packets always leave at once.
   * @default 0
   */
  flushInterval?: number;
  /** First reconnect delay in milliseconds; doubled on each failure, with jitter. @default 100 */
  reconnectMinDelay?: number;
  /** Longest reconnect delay in milliseconds. @default 10_000 */
  reconnectMaxDelay?: number;
  /** Milliseconds a connection attempt may take before it is abandoned. @default 5_000 */
  connectTimeout?: number;
  /** Milliseconds `stop()` may spend delivering the queue before dropping the rest. @default 5_000 */
  stopTimeout?: number;
  /**
   * The kind of server: decides the tag syntax, the types of histograms and distributions, gauge
   * changes, negative gauges, kind segments and the default protocol (`createConnector` also
   * reads `STATSD_DIALECT`).
   * @default 'statsd'
   */
  dialect?: Dialect;
  /**
   * Whether paths get a segment naming their type: `counters.`, `gauges.`, `timers.`, `sets.`,
   * `histograms.`, `distributions.`.
   * @default true, false with `dialect: 'dogstatsd'`
   */
  kindSegments?: boolean;
  /**
   * Another tag syntax the dialect's server reads: `'dogstatsd'` with `dialect: 'statsd'` (the
   * reference daemon folds `|#k:v` into `;k=v`) or `dialect: 'telegraf'` (with Telegraf's
   * `datadog_extensions`).
   * @default 'graphite' for `statsd`, 'dogstatsd' for `dogstatsd`, 'influx' for `telegraf`
   */
  tagFormat?: TagFormat;
  /** Tags added to every metric, before child and call tags. @default none */
  globalTags?: Tags;
  /** Sample rate for calls that give none, 0 < rate <= 1. @default 1 */
  sampleRate?: number;
  /**
   * Sum counters and keep the last gauge value on the client, sending one line per name and tag
   * set every `flushInterval` (which must then be above 0). Gauge changes (`delta: true`) after a
   * value are applied to it; changes with no value in the interval are summed into one change.
   * A sampled counter adds `value / sampleRate` and is written without a rate. Timers, sets,
   * histograms, distributions and `injectMetric` are sent as usual. At most 10 000 names and tag
   * sets are held per interval; calls for new ones beyond that are sent as they are. Cuts traffic
   * at very high rates; costs the order between aggregated and other metrics, and delays every
   * aggregated value by up to `flushInterval`. `stats().enqueued` then counts lines, not calls.
   * @default false
   */
  aggregate?: boolean;
  /**
   * Put several values of one timer, histogram or distribution (same name, type, sample rate
   * and tags) that wait in the same packet on one line: `name:12|ms:7|ms` for the reference
   * daemon and Telegraf, `name:12:7|ms` for DogStatsD (protocol v1.1: agent 6.25 or 7.25 and
   * later). The server aggregates them exactly as separate lines, in fewer bytes: a timer
   * repeated in a packet costs its value and type instead of a whole line. Never across packets,
   * never for counters, gauges or sets; `stats()` still counts every value. Off for `statsd`,
   * whose other common server, collectd, rejects packed lines: turn it on for the reference
   * daemon or another server that reads them. Turn it off for a Datadog agent before 7.25 (6.25 on
   * the 6.x line).
   * `createConnector` also reads `STATSD_PACK_VALUES`.
   * @default true for `dogstatsd` and `telegraf`, false for `statsd`
   */
  packValues?: boolean;
  /**
   * Every this many milliseconds (10 or more), send the connector's own figures through itself,
   * under `<prefix>.statsd.client.`: the counters `sent`, `packets_sent`, `bytes_sent`,
   * `reconnects` and `dropped.<reason>` as changes since the last report (only when not zero),
   * and the gauges `queued`, `queued_bytes` and `connected` (1 or 0). They are ordinary metrics:
   * queued, counted and dropped like any other, never sampled; one last report goes out on
   * `stop()`. `0` sends none.
   * @default 0 (off)
   */
  telemetry?: number;
  /** Receives runtime problems. @default warnings to `logger` */
  onError?: ErrorHandler;
  /** Where warnings go when there is no `onError`. @default console (`console.warn`) */
  logger?: Logger;
}

/** Options of {@link Connector.child}. */
export interface ChildOptions {
  /**
   * Prefix added after the parent's prefix, followed by a dot (a trailing dot is not doubled).
   * @default none: the child writes under the parent's prefix
   */
  prefix?: string;
  /**
   * Tags added after the parent's global and child tags for every metric of the child.
   * @default none
   */
  tags?: Tags;
}

/** Options of {@link createConnector}: the connector's options plus the naming inputs of the framework glue. */
export interface CreateConnectorOptions extends ConnectorOptions {
  /**
   * Service name. With `environment`, gives the prefix `applications.<service>.<environment>`
   * when neither `prefix` nor `STATSD_PREFIX` is set. With `dialect: 'dogstatsd'` it is the tag
   * `service` instead (unified service tagging), and wins over `DD_SERVICE`.
   * @default none (`DD_SERVICE` with `dialect: 'dogstatsd'`)
   */
  service?: string;
  /**
   * Environment name (`production`, `staging`, …); see `service`. With `dialect: 'dogstatsd'`
   * it is the tag `env`, and wins over `DD_ENV`.
   * @default none (`DD_ENV` with `dialect: 'dogstatsd'`)
   */
  environment?: string;
}

/** How an event is shown: the agent's `t:` field. */
export type EventAlertType = 'error' | 'warning' | 'info' | 'success';

/** Options of {@link Connector.event}. Only DogStatsD has events. */
export interface EventOptions {
  /** How the event is shown. @default 'info' (the agent's default; nothing is written) */
  alertType?: EventAlertType;
  /** `'low'` keeps the event out of the default event stream. @default 'normal' (not written) */
  priority?: 'normal' | 'low';
  /** Groups events with the same key into one in the event stream. @default none */
  aggregationKey?: string;
  /** What kind of source sent the event (`'jenkins'`, `'my_apps'`). @default none */
  sourceType?: string;
  /** The host the event is about. @default the agent's host */
  hostname?: string;
  /** When the event happened. @default when the agent reads it */
  date?: Timestamp;
  /** Tags for this event, after the connector's global and child tags. @default none */
  tags?: Tags;
}

/** Options of {@link Connector.check}. Only DogStatsD has service checks. */
export interface CheckOptions {
  /** The host the check is about. @default the agent's host */
  hostname?: string;
  /** When the status was observed. @default when the agent reads it */
  timestamp?: Timestamp;
  /** A description of the status, shown with it; written last on the line. @default none */
  message?: string;
  /** Tags for this check, after the connector's global and child tags. @default none */
  tags?: Tags;
}

/** What `connector.beforeFlush(drain)` returns. */
export interface FlushHook {
  /** Makes sure a flush, and so a call of `drain`, comes within `flushInterval`. */
  requestFlush(): void;
  /** Stops calling `drain`; what it still holds is no longer delivered by the connector. */
  remove(): void;
}
