import { parseAgentUrl } from './agent-url.js';
import { Connector } from './connector.js';
import { datadogGlobalTags } from './datadog-environment.js';
import { DEFAULT_DIALECT, DIALECTS, DIALECT_NAMES, type DialectRules } from './dialect.js';
import { ErrorCode, StatsdError, describeValue, invalidOption } from './errors.js';
import { CONNECTOR_OPTIONS, PROTOCOLS, checkOptionNames, listOf, usesPath } from './options.js';
import type { ConnectorOptions, CreateConnectorOptions, Dialect, Protocol } from './types.js';

/** The environment variables `createConnector` reads. */
export type StatsdEnvironment = Readonly<Record<string, string | undefined>>;

// The options createConnector adds to a connector's, checked by the compiler against the type.
const OWN_OPTION_KEYS = {
  service: true,
  environment: true,
} as const satisfies Record<Exclude<keyof CreateConnectorOptions, keyof ConnectorOptions>, true>;
/** The names of the options `createConnector` takes: a connector's, `service` and `environment`. */
export const CREATE_CONNECTOR_OPTIONS: readonly string[] = [
  ...CONNECTOR_OPTIONS,
  ...Object.keys(OWN_OPTION_KEYS),
];
const KNOWN_OPTIONS: ReadonlySet<string> = new Set(CREATE_CONNECTOR_OPTIONS);

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/**
 * Resolves the connector's options the way the framework glue does: explicit options, then
 * `STATSD_DIALECT`, `STATSD_ENABLED`, `STATSD_HOST`, `STATSD_PORT`, `STATSD_PREFIX`,
 * `STATSD_PROTOCOL` and `STATSD_PACK_VALUES`, then (in the `dogstatsd` dialect) the Datadog agent's `DD_*` variables
 * (`DD_DOGSTATSD_URL` before `DD_AGENT_HOST` and `DD_DOGSTATSD_PORT`),
 * then the defaults. With no prefix anywhere, `service` and `environment` give
 * `applications.<service>.<environment>`, or in the `dogstatsd` dialect the tags `service` and
 * `env`. An empty prefix means none. With `STATSD_PROTOCOL=unix` or `unixgram`, `STATSD_HOST`
 * holds the socket path. With no dialect given, `DD_AGENT_HOST` or `DD_DOGSTATSD_URL` without
 * `STATSD_HOST` means `dogstatsd`.
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
  const dialect = rest.dialect ?? parseDialect(env);
  if (dialect !== undefined) resolved.dialect = dialect;
  // An unknown `dialect` option is left to the connector, which names it.
  const rules = (DIALECTS as Partial<Record<string, DialectRules>>)[dialect ?? DEFAULT_DIALECT];
  const datadog = rules?.datadogEnvironment === true;
  // Elsewhere the two make one prefix; in the `dogstatsd` dialect they are two separate tags.
  if (!datadog) requireBoth(service, environment);
  const enabled = rest.enabled ?? parseBoolean(env.STATSD_ENABLED, 'STATSD_ENABLED');
  if (enabled !== undefined) resolved.enabled = enabled;
  const packValues = rest.packValues ?? parseBoolean(env.STATSD_PACK_VALUES, 'STATSD_PACK_VALUES');
  if (packValues !== undefined) resolved.packValues = packValues;
  let protocol = rest.protocol ?? parseProtocol(env.STATSD_PROTOCOL);
  let host = rest.host ?? variable(env, 'STATSD_HOST');
  // DD_DOGSTATSD_URL names the target only where the options and STATSD_* name none.
  const agent =
    datadog && protocol === undefined && host === undefined && rest.path === undefined
      ? parseAgentUrl(env.DD_DOGSTATSD_URL)
      : undefined;
  if (agent !== undefined) {
    protocol = agent.protocol;
    if (agent.protocol === 'udp') host = agent.host;
    else resolved.path = agent.path;
  } else if (host === undefined && datadog) {
    host = variable(env, 'DD_AGENT_HOST');
  }
  if (protocol !== undefined) resolved.protocol = protocol;
  if (protocol !== undefined && usesPath(protocol)) {
    if (resolved.path === undefined && host !== undefined) resolved.path = host;
    delete resolved.host;
  } else if (host !== undefined) {
    resolved.host = host;
  }
  const port =
    rest.port ??
    parsePort(env.STATSD_PORT, 'STATSD_PORT') ??
    (agent?.protocol === 'udp' ? agent.port : undefined) ??
    (datadog ? parsePort(env.DD_DOGSTATSD_PORT, 'DD_DOGSTATSD_PORT') : undefined);
  if (port !== undefined) resolved.port = port;
  if (!('prefix' in rest) || rest.prefix === undefined) {
    if (env.STATSD_PREFIX !== undefined) resolved.prefix = env.STATSD_PREFIX;
    else if (service && environment && !datadog) {
      resolved.prefix = `applications.${service}.${environment}`;
    }
  }
  if (datadog) {
    const globalTags = datadogGlobalTags(
      { service, environment, globalTags: rest.globalTags },
      env,
    );
    if (globalTags !== undefined) resolved.globalTags = globalTags;
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
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw invalidOption(option, value, 'a non-empty string, such as "checkout"');
  }
}

/**
 * One without the other would give no prefix at all, silently: every service so configured
 * would write to the same names at the root of the server's tree.
 */
function requireBoth(service: string | undefined, environment: string | undefined): void {
  if ((service === undefined) === (environment === undefined)) return;
  const [given, missing] =
    service === undefined ? ['environment', 'service'] : ['service', 'environment'];
  throw invalidOption(
    missing,
    undefined,
    `a string beside \`${given}\`: the two name the prefix applications.<service>.<environment> ` +
      `together (or set \`prefix\` and leave both out)`,
  );
}

function parseBoolean(value: string | undefined, name: string): boolean | undefined {
  if (blank(value)) return undefined;
  const word = (value as string).trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw environmentError(name, value, 'true, false, 1, 0, yes, no, on or off');
}

function parseProtocol(value: string | undefined): Protocol | undefined {
  if (blank(value)) return undefined;
  const word = (value as string).trim().toLowerCase();
  if ((PROTOCOLS as readonly string[]).includes(word)) return word as Protocol;
  throw environmentError('STATSD_PROTOCOL', value, listOf(PROTOCOLS));
}

function parsePort(value: string | undefined, name: string): number | undefined {
  if (blank(value)) return undefined;
  const text = (value as string).trim();
  // Checked here, not left to the connector, so that the error names the variable to fix.
  const port = /^\d{1,5}$/.test(text) ? Number(text) : 0;
  if (port < 1 || port > 65_535) {
    throw environmentError(name, value, 'an integer from 1 to 65535');
  }
  return port;
}

/**
 * `STATSD_DIALECT`, else `dogstatsd` when the Datadog agent's address is in the environment
 * (`DD_AGENT_HOST` or `DD_DOGSTATSD_URL`, as the agent's admission controller injects them on
 * Kubernetes) and `STATSD_HOST` is not, else `undefined` (the connector's default).
 */
function parseDialect(env: StatsdEnvironment): Dialect | undefined {
  const value = env.STATSD_DIALECT;
  if (!blank(value)) {
    const word = (value as string).trim().toLowerCase();
    if ((DIALECT_NAMES as readonly string[]).includes(word)) return word as Dialect;
    throw environmentError('STATSD_DIALECT', value, listOf(DIALECT_NAMES));
  }
  const agent = !blank(env.DD_AGENT_HOST) || !blank(env.DD_DOGSTATSD_URL);
  return agent && blank(env.STATSD_HOST) ? 'dogstatsd' : undefined;
}

/** A variable's trimmed value; `undefined` when it is unset or blank. */
function variable(env: StatsdEnvironment, name: string): string | undefined {
  const value = env[name];
  return blank(value) ? undefined : (value as string).trim();
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
