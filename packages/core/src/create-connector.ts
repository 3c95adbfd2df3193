import { parseAgentUrl } from './agent-url.js';
import { Connector } from './connector.js';
import { ErrorCode, StatsdError, describeValue, invalidOption } from './errors.js';
import { CONNECTOR_OPTIONS, PROTOCOLS, checkOptionNames, listOf, usesPath } from './options.js';
import type { ConnectorOptions, CreateConnectorOptions, Protocol } from './types.js';

/** The environment variables `createConnector` reads. */
export type StatsdEnvironment = Readonly<Record<string, string | undefined>>;

/** The names of the options `createConnector` takes: a connector's, `service` and `environment`. */
export const CREATE_CONNECTOR_OPTIONS: readonly string[] = [
  ...CONNECTOR_OPTIONS,
  'service',
  'environment',
];
const KNOWN_OPTIONS: ReadonlySet<string> = new Set(CREATE_CONNECTOR_OPTIONS);

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/**
 * Resolves the connector's options the way the framework glue does: explicit options, then
 * `STATSD_ENABLED`, `STATSD_HOST`, `STATSD_PORT`, `STATSD_PREFIX` and `STATSD_PROTOCOL`, then
 * `DD_DOGSTATSD_URL` (`udp://host:port` or `unix:///path`, used only when none of `protocol`,
 * `host`, `path`, `STATSD_PROTOCOL` and `STATSD_HOST` is set), then the defaults. With no prefix
 * anywhere, `service` and `environment` give `applications.<service>.<environment>`. An empty
 * prefix means none. With `STATSD_PROTOCOL=unix` or `unixgram`, `STATSD_HOST` holds the socket
 * path.
 */
export function resolveEnvironment(
  options: CreateConnectorOptions = {},
  env: StatsdEnvironment = process.env,
): ConnectorOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', options, 'an object of options, or nothing');
  }
  if (typeof env !== 'object' || env === null) {
    throw invalidOption('env', env, 'an object of environment variables, such as process.env');
  }
  checkOptionNames(options, KNOWN_OPTIONS);
  const { service, environment, ...rest } = options;
  requireName('service', service);
  requireName('environment', environment);
  const resolved: ConnectorOptions = { ...rest };
  const enabled = rest.enabled ?? parseEnabled(env.STATSD_ENABLED);
  if (enabled !== undefined) resolved.enabled = enabled;
  let protocol = rest.protocol ?? parseProtocol(env.STATSD_PROTOCOL);
  let host = rest.host ?? (blank(env.STATSD_HOST) ? undefined : (env.STATSD_HOST as string).trim());
  // DD_DOGSTATSD_URL names the target only where the options and STATSD_* name none.
  const agent =
    protocol === undefined && host === undefined && rest.path === undefined
      ? parseAgentUrl(env.DD_DOGSTATSD_URL)
      : undefined;
  if (agent !== undefined) {
    protocol = agent.protocol;
    if (agent.protocol === 'udp') host = agent.host;
    else resolved.path = agent.path;
  }
  if (protocol !== undefined) resolved.protocol = protocol;
  if (protocol !== undefined && usesPath(protocol)) {
    if (resolved.path === undefined && host !== undefined) resolved.path = host;
    delete resolved.host;
  } else if (host !== undefined) {
    resolved.host = host;
  }
  const port =
    rest.port ?? parsePort(env.STATSD_PORT) ?? (agent?.protocol === 'udp' ? agent.port : undefined);
  if (port !== undefined) resolved.port = port;
  if (!('prefix' in rest) || rest.prefix === undefined) {
    if (env.STATSD_PREFIX !== undefined) resolved.prefix = env.STATSD_PREFIX;
    else if (service && environment) resolved.prefix = `applications.${service}.${environment}`;
  }
  return resolved;
}

/**
 * Creates a connector from options and the environment (see {@link resolveEnvironment}).
 * `STATSD_ENABLED=false` (or `enabled: false`) gives a connector that sends nothing; enabled
 * with no host throws a `StatsdError` (`ERR_STATSD_MISSING_HOST`) naming `STATSD_HOST`.
 */
export function createConnector(
  options: CreateConnectorOptions = {},
  env: StatsdEnvironment = process.env,
): Connector {
  return new Connector(resolveEnvironment(options, env));
}

/** `service` and `environment` name the prefix `applications.<service>.<environment>`. */
function requireName(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') {
    throw invalidOption(option, value, 'a string, such as "checkout"');
  }
}

function parseEnabled(value: string | undefined): boolean | undefined {
  if (blank(value)) return undefined;
  const word = (value as string).trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw environmentError('STATSD_ENABLED', value, 'true, false, 1, 0, yes, no, on or off');
}

function parseProtocol(value: string | undefined): Protocol | undefined {
  if (blank(value)) return undefined;
  const word = (value as string).trim().toLowerCase();
  if ((PROTOCOLS as readonly string[]).includes(word)) return word as Protocol;
  throw environmentError('STATSD_PROTOCOL', value, listOf(PROTOCOLS));
}

function parsePort(value: string | undefined): number | undefined {
  if (blank(value)) return undefined;
  const text = (value as string).trim();
  // Checked here, not left to the connector, so that the error names the variable to fix.
  const port = /^\d{1,5}$/.test(text) ? Number(text) : 0;
  if (port < 1 || port > 65_535) {
    throw environmentError('STATSD_PORT', value, 'an integer from 1 to 65535');
  }
  return port;
}

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function environmentError(name: string, value: unknown, expected: string): StatsdError {
  return new StatsdError(
    ErrorCode.InvalidOption,
    `Invalid environment variable ${name}: received ${describeValue(value)}, expected ${expected}.`,
  );
}
