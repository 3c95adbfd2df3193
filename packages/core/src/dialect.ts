import type { Dialect, Protocol, TagFormat } from './types.js';

/** How several values of one metric share a line; see {@link DialectRules.valuePacking}. */
export type ValuePacking = 'typed' | 'shared';

/**
 * What one kind of server understands. Everything in the connector that depends on the server
 * (tag syntax, the types of histograms and distributions, gauge changes, negative gauges, kind
 * segments, the environment `createConnector` reads) is read from one row of {@link DIALECTS},
 * never decided by `if` chains over the files.
 */
export interface DialectRules {
  readonly name: Dialect;
  /** The tag syntaxes the server reads: the first is the default, the others `tagFormat` may pick. */
  readonly tagFormats: readonly TagFormat[];
  /** Type suffix written by `histogram()` (and `injectMetric(…, 'h')`). */
  readonly histogramType: '|ms' | '|h';
  /** Type suffix written by `distribution()` (and `injectMetric(…, 'd')`). */
  readonly distributionType: '|ms' | '|h' | '|d';
  /** Whether a histogram or distribution value may be negative. */
  readonly negativeHistograms: boolean;
  /** Whether `+3`/`-3` changes a gauge; without, a change is dropped (`unsupported`). */
  readonly gaugeDeltas: boolean;
  /**
   * How a negative gauge value is set: `'zeroFirst'` writes `0` then `-5` (the server reads a
   * lone `-5` as a change), `'absolute'` writes `-5` alone.
   */
  readonly negativeGauge: 'zeroFirst' | 'absolute';
  /** Whether the server reads `|T<unix seconds>` on counters and gauges. */
  readonly timestamps: boolean;
  /** Whether the server reads events (`_e{…}`). */
  readonly events: boolean;
  /** Whether the server reads service checks (`_sc|…`). */
  readonly serviceChecks: boolean;
  /**
   * How several values of one timer, histogram or distribution share a line (`packValues`):
   * `'typed'` repeats the type and rate after each value (`name:12|ms:7|ms`), `'shared'` writes
   * them once (`name:12:7|ms`).
   */
  readonly valuePacking: ValuePacking;
  /** Whether values are packed when the `packValues` option is not given. */
  readonly packValues: boolean;
  /** Whether paths get `counters.`, `gauges.`, `timers.` … by default (`kindSegments`). */
  readonly kindSegments: boolean;
  /** Protocol when neither `protocol` nor `STATSD_PROTOCOL` is given. */
  readonly defaultProtocol: Protocol;
  /**
   * Whether `createConnector` reads the Datadog agent's environment (`DD_AGENT_HOST`, `DD_ENV`,
   * …) and turns `service` and `environment` into the tags `service` and `env` (unified service
   * tagging) instead of the prefix `applications.<service>.<environment>`.
   */
  readonly datadogEnvironment: boolean;
}

/**
 * The dialects, one frozen row each. Sources:
 * - statsd: the reference daemon 0.9.0 (`stats.js`, `docs/metric_types.md` of the `statsd` npm
 *   package, run by the tests in `tools/daemon`) and collectd 5.12's `statsd` plugin;
 * - dogstatsd: the Datadog agent's parser (DataDog/datadog-agent,
 *   `comp/dogstatsd/server/parse.go` and `parse_metrics.go`) and its datagram format
 *   (docs.datadoghq.com, "DogStatsD Datagram Format");
 * - telegraf: Telegraf's statsd input (influxdata/telegraf, `plugins/inputs/statsd/statsd.go`
 *   `parseStatsdLine`, `parseName`, `aggregate`, and its README).
 */
export const DIALECTS: Readonly<Record<Dialect, DialectRules>> = Object.freeze({
  statsd: Object.freeze({
    name: 'statsd',
    // The daemon keeps `;` and `=` in keys (sanitizeKeyName), so `name;k=v` reaches a Graphite
    // backend as a tagged series; collectd keeps it in the name. The daemon also reads `|#k:v`
    // and folds it into `;k=v` (stats.js, before it splits the line at `:`); collectd rejects it.
    tagFormats: Object.freeze(['graphite', 'dogstatsd'] as const),
    // No `h` or `d` type in the daemon's stats.js: it would count them. Timers are the nearest
    // type, and a timer must be >= 0 (helpers.is_valid_packet).
    histogramType: '|ms',
    distributionType: '|ms',
    negativeHistograms: false,
    // docs/metric_types.md, "Gauges": `gaugor:-10|g` and `gaugor:+4|g` change the value, so "you
    // can't explicitly set a gauge to a negative number without first setting it to zero".
    gaugeDeltas: true,
    negativeGauge: 'zeroFirst',
    // The daemon folds `|T…` into the key as text; collectd rejects it; no events or checks.
    timestamps: false,
    events: false,
    serviceChecks: false,
    // The daemon reads `key:12|ms:7|ms` (stats.js splits the line at `:` after taking `|#` tags
    // off), but collectd does not: packed lines are opt-in for this row.
    valuePacking: 'typed',
    packValues: false,
    // sprockets-statsd's naming: `<prefix>.counters.<path>`, `timers.`, `gauges.`.
    kindSegments: true,
    // This project's default since its first release (one resilient stream, no silent loss).
    defaultProtocol: 'tcp',
    datadogEnvironment: false,
  }),
  dogstatsd: Object.freeze({
    name: 'dogstatsd',
    // parse.go `parseTags` splits the `#` field at commas only; the backend splits each tag at
    // its first colon, so `url:http://x:8080` is the tag `url` with the value `http://x:8080`.
    tagFormats: Object.freeze(['dogstatsd'] as const),
    // parse_metrics.go `parseMetricSampleMetricType`: `g c h d s ms`.
    histogramType: '|h',
    distributionType: '|d',
    negativeHistograms: true,
    // parse.go reads the value with strconv.ParseFloat: `+3` is the value 3 and `-5` the value -5.
    // The agent has no gauge changes, and a lone negative value is absolute.
    gaugeDeltas: false,
    negativeGauge: 'absolute',
    // parse.go: the `T` field (protocol v1.3); `_e{` events and `_sc` service checks.
    timestamps: true,
    events: true,
    serviceChecks: true,
    // parse.go `parseFloat64List`: `name:1:2:3|h` (protocol v1.1, agent 6.25 and 7.25 on).
    valuePacking: 'shared',
    packValues: true,
    // The type travels on the wire; Datadog names carry no type segment.
    kindSegments: false,
    // The agent listens on UDP 8125 and on a unix datagram socket, never on TCP.
    defaultProtocol: 'udp',
    datadogEnvironment: true,
  }),
  telegraf: Object.freeze({
    name: 'telegraf',
    // statsd.go `parseName` splits the bucket at `,` and each tag at `=`; with
    // `datadog_extensions = true` it also reads `|#k:v` (`parseDataDogTags`).
    tagFormats: Object.freeze(['influx', 'dogstatsd'] as const),
    // statsd.go `aggregate`: `h` is kept like `ms` (timing statistics, tag
    // metric_type=histogram); `d` is kept only with `datadog_distributions = true` and silently
    // dropped otherwise, so distributions are sent as `h` too.
    histogramType: '|h',
    distributionType: '|h',
    // statsd.go `parseStatsdLine`: "+- values are only supported for gauges & counters".
    negativeHistograms: false,
    // statsd.go: a leading `+` or `-` makes a gauge value additive (README: `:+10|g`, `:-10|g`),
    // so a negative value needs `0` first, as for the reference daemon.
    gaugeDeltas: true,
    negativeGauge: 'zeroFirst',
    // No `T` field; `_e`/`_sc` only with `datadog_extensions`, which is off by default.
    timestamps: false,
    events: false,
    serviceChecks: false,
    // README: "multiple values in a single line … `users.unique:101|s:101|s:102|s`"; statsd.go
    // takes `|#` tags off the whole line before it splits it at `:`.
    valuePacking: 'typed',
    packValues: true,
    kindSegments: true,
    // statsd.go `defaultProtocol = "udp"`: TCP only with `protocol = "tcp"`.
    defaultProtocol: 'udp',
    datadogEnvironment: false,
  }),
});

/** The dialect names, in the order error messages list them. */
export const DIALECT_NAMES: readonly Dialect[] = Object.freeze(['statsd', 'dogstatsd', 'telegraf']);

/** The default of the `dialect` option. */
export const DEFAULT_DIALECT: Dialect = 'statsd';
