import type { Connector } from '../connector.js';
import { CREATE_CONNECTOR_OPTIONS, type StatsdEnvironment } from '../create-connector.js';
import { ErrorCode, StatsdError, invalidOption } from '../errors.js';
import { checkOptionNames } from '../options.js';
import type { CreateConnectorOptions } from '../types.js';
import type { StatusSegment } from './request-metric.js';
import { REQUEST_NAMINGS, type RequestNaming } from './request-naming.js';

/** The options every framework middleware shares. */
export interface RequestMetricsOptions extends CreateConnectorOptions {
  /**
   * Use this connector (shared with workers and other code) instead of creating one from the
   * options and the environment. The middleware then never stops it by itself.
   */
  connector?: Connector;
  /**
   * Where the route, method and status go: into the timer's path
   * (`timers.<route>.<METHOD>.<status>`), or into the tags `route`, `method` and `status` of one
   * timer, `timers.http.request`. See `RequestNaming`.
   * @default 'path'
   */
  naming?: RequestNaming;
  /** How the status is written: `200`, `2xx` or `2xx.200`. @default 'code' */
  status?: StatusSegment;
  /** The environment read by `createConnector`. @default process.env */
  env?: StatsdEnvironment;
}

/**
 * The application's hooks into a middleware, called with the framework's own request objects:
 * `(req, res)` for Express, `(ctx)` for Koa.
 */
export interface RequestHooks<Args extends unknown[]> {
  /**
   * Names a request's route: a template, turned into a metric path by `routeMetricName`, or
   * `undefined` for the framework's default. If it throws, the default is used and the error
   * reported (`ERR_STATSD_REQUEST_HOOK`).
   * @default undefined
   */
  routeName?: ((...args: Args) => string | undefined) | undefined;
  /**
   * Returns `true` to leave a request untimed. Its errors are the application's.
   * @default undefined
   */
  skip?: ((...args: Args) => boolean) | undefined;
}

/** A framework middleware's options: the connector's settings, the status format and the hooks. */
export type MiddlewareOptions<Args extends unknown[]> = RequestMetricsOptions & RequestHooks<Args>;

/** A middleware's options once validated, sorted by who uses them. */
export interface MiddlewareSettings<Args extends unknown[]> extends RequestHooks<Args> {
  /** `undefined`: the connector's default (see `defaultNaming`). */
  readonly naming: RequestNaming | undefined;
  readonly status: StatusSegment;
  /** The shared connector; when there is none, one is made from `connectorOptions` and `env`. */
  readonly connector: Connector | undefined;
  readonly connectorOptions: CreateConnectorOptions;
  readonly env: StatsdEnvironment | undefined;
}

const STATUS_SEGMENTS: readonly string[] = ['code', 'class', 'both'];

// A middleware's own options, checked by the compiler against the type both ways: an option added
// to RequestMetricsOptions or RequestHooks without its name here fails the build.
const OWN_OPTION_KEYS = {
  connector: true,
  status: true,
  env: true,
  naming: true,
  routeName: true,
  skip: true,
} as const satisfies Record<
  Exclude<keyof MiddlewareOptions<unknown[]>, keyof CreateConnectorOptions>,
  true
>;
/** The names of the options a middleware takes: its own, then `createConnector`'s. */
const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  ...Object.keys(OWN_OPTION_KEYS),
  ...CREATE_CONNECTOR_OPTIONS,
]);

/**
 * The `flushInterval` of a connector a middleware creates, when the application sets none.
 * Every request adds a timer: sending at the end of each event-loop turn, as the core does by
 * default, costs a datagram (a system call of several microseconds) per turn under load, more
 * than the rest of the middleware together. Packets that fill up still leave at once; this
 * only bounds how long a partly filled packet waits. StatsD aggregates timers over its own
 * flush (10 s by default), so the delay changes no aggregate.
 */
export const REQUEST_FLUSH_INTERVAL = 100;

/**
 * Validates a middleware's options eagerly, so bad configuration fails when the application
 * builds the middleware, never per request. `parameters` is how the hooks' parameters read in
 * the error messages: `'(req, res)'`, `'(ctx)'`. Connector settings are validated later, by
 * `createConnector`.
 */
export function readMiddlewareOptions<Args extends unknown[]>(
  options: MiddlewareOptions<Args>,
  parameters: string,
): MiddlewareSettings<Args> {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', options, 'an object of options, or nothing');
  }
  checkOptionNames(options, KNOWN_OPTIONS);
  const { routeName, skip, connector, naming, status = 'code', env, ...connectorOptions } = options;
  requireFunction('routeName', routeName, `a function ${parameters} => string | undefined`);
  requireFunction('skip', skip, `a function ${parameters} => boolean`);
  requireConnector(connector);
  if (!STATUS_SEGMENTS.includes(status)) {
    throw invalidOption('status', status, "'code', 'class' or 'both'");
  }
  if (naming !== undefined && !REQUEST_NAMINGS.includes(naming)) {
    throw invalidOption('naming', naming, "'path' or 'tags'");
  }
  if (connector !== undefined) refuseConnectorSettings(connectorOptions, env);
  // Only a missing setting takes the default: a wrong one (`null`) is refused by the connector.
  else if (connectorOptions.flushInterval === undefined) {
    connectorOptions.flushInterval = REQUEST_FLUSH_INTERVAL;
  }
  return { routeName, skip, naming, status, connector, connectorOptions, env };
}

function requireFunction(option: string, value: unknown, expected: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw invalidOption(option, value, expected);
  }
}

/** The methods a middleware calls on its connector. */
const CONNECTOR_METHODS = ['timing', 'start', 'stop'] as const;

/**
 * Duck-typed, so that a connector from a second copy of @statsd/core in node_modules (which
 * fails `instanceof`) works: anything with the methods a middleware calls is accepted, and
 * `beforeFlush`, when it has one, batches the request timers (see `requestTimerSink`).
 */
function requireConnector(value: Connector | undefined): void {
  if (value === undefined) return;
  const candidate = value as unknown as Record<string, unknown> | null;
  const missing = CONNECTOR_METHODS.filter((name) => typeof candidate?.[name] !== 'function');
  if (typeof candidate === 'object' && candidate !== null && missing.length === 0) return;
  const expected = `a Connector from @statsd/core (with ${CONNECTOR_METHODS.join(', ')} methods)`;
  if (typeof candidate !== 'object' || candidate === null) {
    throw invalidOption('connector', value, expected);
  }
  // An object's contents may hold secrets: name what it lacks, never what it holds.
  throw new StatsdError(
    ErrorCode.InvalidOption,
    `Invalid option \`connector\`: received an object without ${missing.join(', ')}, ` +
      `expected ${expected}.`,
  );
}

/** Settings beside a shared connector would be silently ignored: refuse them instead. */
function refuseConnectorSettings(
  connectorOptions: CreateConnectorOptions,
  env: StatsdEnvironment | undefined,
): void {
  const ignored = Object.keys(connectorOptions).filter(
    (key) => connectorOptions[key as keyof CreateConnectorOptions] !== undefined,
  );
  if (env !== undefined) ignored.push('env');
  if (ignored.length > 0) {
    throw invalidOption(
      'connector',
      `a connector with ${ignored.join(', ')}`,
      'either `connector` or connector settings, not both: configure the shared connector itself',
    );
  }
}
