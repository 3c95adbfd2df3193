import {
  DEFAULT_DIALECT,
  DIALECTS,
  DIALECT_NAMES,
  type DialectRules,
  type ValuePacking,
} from './dialect.js';
import { ErrorCode, StatsdError, describeValue, invalidOption } from './errors.js';
import { sanitize } from './sanitize.js';
import { telemetryOption } from './telemetry.js';
import type { ConnectorOptions, ErrorHandler, Logger, Protocol, TagFormat, Tags } from './types.js';

/** Options with every default filled in and every value checked. */
export interface ResolvedOptions {
  /** The row of the dialect table the connector follows. */
  readonly dialect: DialectRules;
  readonly host: string;
  readonly port: number;
  readonly path: string | undefined;
  readonly protocol: Protocol;
  /** Empty, or the sanitized prefix followed by one dot. */
  readonly prefix: string;
  readonly enabled: boolean;
  readonly maxQueueSize: number;
  readonly maxQueueBytes: number;
  readonly maxPacketSize: number;
  readonly flushInterval: number;
  readonly reconnectMinDelay: number;
  readonly reconnectMaxDelay: number;
  readonly connectTimeout: number;
  readonly stopTimeout: number;
  readonly tagFormat: TagFormat;
  readonly kindSegments: boolean;
  readonly globalTags: Tags | undefined;
  readonly sampleRate: number;
  readonly aggregate: boolean;
  /** How timer, histogram and distribution values of one series share a line, or `'none'`. */
  readonly valuePacking: ValuePacking | 'none';
  /** Interval of the connector's reports on itself in ms; 0 for none. */
  readonly telemetry: number;
  readonly onError: ErrorHandler | undefined;
  readonly logger: Logger;
}

/** The defaults, in one place; those that depend on the server are in the dialect table. */
export const DEFAULTS = {
  port: 8125,
  maxQueueSize: 100_000,
  maxQueueBytes: 8_388_608,
  maxPacketSize: 1432,
  flushInterval: 0,
  reconnectMinDelay: 100,
  reconnectMaxDelay: 10_000,
  connectTimeout: 5_000,
  stopTimeout: 5_000,
  sampleRate: 1,
} as const;

/** The values of `protocol`, also read from `STATSD_PROTOCOL`. */
export const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'unix', 'unixgram'];

/** Stream transports end every line with `\n` and carry ASCII only; datagrams carry UTF-8. */
export function isStream(protocol: Protocol): boolean {
  return protocol === 'tcp' || protocol === 'unix';
}

/** Protocols that reach the server by a socket path instead of a host and port. */
export function usesPath(protocol: Protocol): boolean {
  return protocol === 'unix' || protocol === 'unixgram';
}

/** What the Datadog agent reads per datagram on its unix socket by default. */
const UNIXGRAM_PACKET_SIZE = 8192;
// One key per field of ConnectorOptions, checked by the compiler both ways: a field added to the
// type without its name here, or a name left here without its field, fails the build.
const CONNECTOR_OPTION_KEYS = {
  host: true,
  port: true,
  path: true,
  protocol: true,
  dialect: true,
  prefix: true,
  enabled: true,
  maxQueueSize: true,
  maxQueueBytes: true,
  maxPacketSize: true,
  flushInterval: true,
  reconnectMinDelay: true,
  reconnectMaxDelay: true,
  connectTimeout: true,
  stopTimeout: true,
  kindSegments: true,
  tagFormat: true,
  globalTags: true,
  sampleRate: true,
  aggregate: true,
  packValues: true,
  telemetry: true,
  onError: true,
  logger: true,
} as const satisfies Record<keyof ConnectorOptions, true>;
/** The names of the options a `Connector` takes. */
export const CONNECTOR_OPTIONS: readonly string[] = Object.keys(CONNECTOR_OPTION_KEYS);
const KNOWN_OPTIONS: ReadonlySet<string> = new Set(CONNECTOR_OPTIONS);
/** Largest UDP payload over IPv4; also a sane ceiling for one stream write. */
const MAX_PACKET_SIZE = 65_507;
/** Node's timers cannot wait longer than this. */
const MAX_DELAY = 2_147_483_647;

/* eslint-disable no-console -- the default logger is the one place console is used */
const consoleLogger: Logger = { warn: (message) => console.warn(message) };
/* eslint-enable no-console */

/**
 * Checks every option and fills in the defaults. Throws a {@link StatsdError} with code
 * `ERR_STATSD_INVALID_OPTION` (or `ERR_STATSD_MISSING_HOST`) naming the option, the value and
 * what is expected.
 */
export function resolveOptions(options: ConnectorOptions = {}): ResolvedOptions {
  checkKnownOptions(options);
  const dialect = DIALECTS[choice(options.dialect, 'dialect', DEFAULT_DIALECT, DIALECT_NAMES)];
  const target = resolveTarget(options, dialect);
  return {
    dialect,
    ...target,
    ...resolveLimits(options, target.protocol),
    ...resolveFormat(options, dialect, target.protocol),
    ...resolveHandlers(options),
    telemetry: telemetryOption(options.telemetry),
  };
}

/** Refuses a non-object and any key that is not an option. */
function checkKnownOptions(options: ConnectorOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', options, 'an object');
  }
  checkOptionNames(options, KNOWN_OPTIONS);
}

/**
 * Refuses any key of `options` that is not in `known`, listing `known` in the message. Usually a
 * typo: a silently ignored `hots` would leave the intended setting at its default. Callers that
 * take more options than a `Connector` (`createConnector`, the middlewares) check their own
 * names first, so that the message lists what the caller takes.
 */
export function checkOptionNames(options: object, known: ReadonlySet<string>): void {
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      const value = describeValue((options as Record<string, unknown>)[key]);
      throw new StatsdError(
        ErrorCode.InvalidOption,
        `Unknown option \`${key}\`: received ${value}, expected one of the known options: ` +
          `${[...known].join(', ')}.`,
      );
    }
  }
}

type Target = Pick<ResolvedOptions, 'enabled' | 'protocol' | 'host' | 'port' | 'path'>;

/** Where metrics go: `enabled`, `protocol`, `port`, and `host` or (for unix sockets) `path`. */
function resolveTarget(options: ConnectorOptions, dialect: DialectRules): Target {
  const enabled = optional(options.enabled, 'enabled', true, isBoolean, 'true or false');
  const protocol = choice(options.protocol, 'protocol', dialect.defaultProtocol, PROTOCOLS);
  const port = integerOption(options, 'port', 1, 65_535);
  if (usesPath(protocol)) {
    const path = options.path;
    if (enabled && (typeof path !== 'string' || path === '')) {
      throw invalidOption(
        'path',
        path,
        `the path of the server's unix socket when \`protocol\` is '${protocol}'`,
      );
    }
    return { enabled, protocol, host: '', port, path: typeof path === 'string' ? path : undefined };
  }
  const host = options.host;
  if (host === undefined) {
    if (!enabled) return { enabled, protocol, host: '', port, path: undefined };
    throw new StatsdError(
      ErrorCode.MissingHost,
      'No StatsD host: set the `host` option or the STATSD_HOST environment variable' +
        (dialect.datadogEnvironment ? ' (or DD_AGENT_HOST)' : '') +
        ', or disable the connector with `enabled: false` (STATSD_ENABLED=false).',
    );
  }
  if (typeof host !== 'string' || host.trim() === '') {
    throw invalidOption('host', host, 'a host name or IP address such as "127.0.0.1"');
  }
  const hostName = host.trim().replace(/^\[(.*)\]$/, '$1');
  return { enabled, protocol, host: hostName, port, path: undefined };
}

type Limits = Pick<
  ResolvedOptions,
  | 'maxQueueSize'
  | 'maxQueueBytes'
  | 'maxPacketSize'
  | 'flushInterval'
  | 'aggregate'
  | 'reconnectMinDelay'
  | 'reconnectMaxDelay'
  | 'connectTimeout'
  | 'stopTimeout'
>;

/** Sizes and delays: the queue's bounds, packet size, flushing, reconnecting, timeouts. */
function resolveLimits(options: ConnectorOptions, protocol: Protocol): Limits {
  const flushInterval = integerOption(options, 'flushInterval', 0, MAX_DELAY);
  const aggregate = optional(options.aggregate, 'aggregate', false, isBoolean, 'true or false');
  if (aggregate && flushInterval === 0) {
    throw invalidOption(
      'flushInterval',
      flushInterval,
      'a number of milliseconds above 0 when `aggregate` is true',
    );
  }
  const reconnectMinDelay = integerOption(options, 'reconnectMinDelay', 1, MAX_DELAY);
  const reconnectMaxDelay = integerOption(
    options,
    'reconnectMaxDelay',
    reconnectMinDelay,
    MAX_DELAY,
    Math.max(DEFAULTS.reconnectMaxDelay, reconnectMinDelay),
  );
  const maxPacketSize = integerOption(
    options,
    'maxPacketSize',
    64,
    MAX_PACKET_SIZE,
    protocol === 'unixgram' ? UNIXGRAM_PACKET_SIZE : DEFAULTS.maxPacketSize,
  );
  return {
    maxQueueSize: integerOption(options, 'maxQueueSize', 1, Number.MAX_SAFE_INTEGER),
    maxQueueBytes: integerOption(options, 'maxQueueBytes', maxPacketSize, Number.MAX_SAFE_INTEGER),
    maxPacketSize,
    flushInterval,
    aggregate,
    reconnectMinDelay,
    reconnectMaxDelay,
    connectTimeout: integerOption(options, 'connectTimeout', 1, MAX_DELAY),
    stopTimeout: integerOption(options, 'stopTimeout', 0, MAX_DELAY),
  };
}

type Format = Pick<
  ResolvedOptions,
  'prefix' | 'tagFormat' | 'kindSegments' | 'globalTags' | 'sampleRate' | 'valuePacking'
>;

/**
 * What goes on each line besides the value: prefix, kind segments, tags, the default sample
 * rate, and whether values of one series share a line.
 */
function resolveFormat(
  options: ConnectorOptions,
  dialect: DialectRules,
  protocol: Protocol,
): Format {
  return {
    prefix: normalizePrefix(options.prefix, isStream(protocol)),
    tagFormat: resolveTagFormat(options.tagFormat, dialect),
    kindSegments: optional(
      options.kindSegments,
      'kindSegments',
      dialect.kindSegments,
      isBoolean,
      'true or false',
    ),
    globalTags:
      options.globalTags === undefined ? undefined : tagsOption('globalTags', options.globalTags),
    sampleRate: sampleRate(options.sampleRate, 'sampleRate') ?? DEFAULTS.sampleRate,
    valuePacking: optional(
      options.packValues,
      'packValues',
      dialect.packValues,
      isBoolean,
      'true or false',
    )
      ? dialect.valuePacking
      : 'none',
  };
}

/**
 * The dialect's tag syntax, or another one its server reads. `'none'` is refused with the fix:
 * tags are always written, and a connector that should send none is simply given none.
 */
function resolveTagFormat(value: unknown, dialect: DialectRules): TagFormat {
  const formats = dialect.tagFormats;
  if (value === undefined) return formats[0] as TagFormat;
  if (formats.includes(value as TagFormat)) return value as TagFormat;
  const why =
    value === 'none'
      ? 'tags are always written now: to send none, give none (no globalTags, no tags)'
      : `${quotedList(formats)}, the tag syntaxes the '${dialect.name}' server reads (or leave ` +
        'it out: `dialect` picks the syntax)';
  throw invalidOption('tagFormat', value, why);
}

/** Where runtime problems go: `onError`, else the `logger`. */
function resolveHandlers(options: ConnectorOptions): Pick<ResolvedOptions, 'onError' | 'logger'> {
  return {
    onError: optional(options.onError, 'onError', undefined, isFunction, 'a function'),
    logger: optional(
      options.logger,
      'logger',
      consoleLogger,
      (v) =>
        typeof v === 'object' && v !== null && typeof (v as Partial<Logger>).warn === 'function',
      'an object with a warn(message) method',
    ),
  };
}

/** Empty or `null` means no prefix; a trailing dot is not doubled. */
export function normalizePrefix(prefix: unknown, ascii: boolean): string {
  if (prefix === undefined || prefix === null || prefix === '') return '';
  if (typeof prefix !== 'string')
    throw invalidOption('prefix', prefix, 'a string, or null for none');
  const trimmed = prefix.trim().replace(/\.+$/, '');
  return trimmed === '' ? '' : sanitize(trimmed, ascii) + '.';
}

/** Checks a sample rate: `undefined` when absent. */
export function sampleRate(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw invalidOption(option, value, 'a number above 0 and at most 1');
  }
  return value;
}

/**
 * Checks tags given as an option (`globalTags`, a child's `tags`): an object or a list. Whether
 * each value can be written is checked when the tags are rendered.
 */
export function tagsOption(option: string, tags: unknown): Tags {
  if (typeof tags !== 'object' || tags === null) {
    throw invalidOption(option, tags, 'an object of tag names to values, or an array of strings');
  }
  return tags as Tags;
}

/** The options that take an integer, each with its default in {@link DEFAULTS}. */
type IntegerOption = Exclude<
  {
    [K in keyof typeof DEFAULTS]: (typeof DEFAULTS)[K] extends number ? K : never;
  }[keyof typeof DEFAULTS],
  'sampleRate'
>;

/** Checks an integer option against `[min, max]`; `fallback` when absent. */
function integerOption(
  options: ConnectorOptions,
  option: IntegerOption,
  min: number,
  max: number,
  fallback: number = DEFAULTS[option],
): number {
  const value: unknown = options[option];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(option, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

function optional<T>(
  value: unknown,
  option: string,
  fallback: T,
  valid: (v: unknown) => boolean,
  expected: string,
): T {
  if (value === undefined) return fallback;
  if (!valid(value)) throw invalidOption(option, value, expected);
  return value as T;
}

/** An option that takes one of `choices`; its error lists them: `'tcp', 'udp' or 'unix'`. */
function choice<T extends string>(
  value: unknown,
  option: string,
  fallback: T,
  choices: readonly T[],
): T {
  return optional(value, option, fallback, (v) => choices.includes(v as T), quotedList(choices));
}

/** `'a', 'b' or 'c'`, for error messages. */
function quotedList(words: readonly string[]): string {
  return listOf(words.map((word) => `'${word}'`));
}

/** `a, b or c`, for error messages. */
export function listOf(words: readonly string[]): string {
  return words.length < 2
    ? (words[0] ?? '')
    : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function isBoolean(value: unknown): boolean {
  return typeof value === 'boolean';
}

function isFunction(value: unknown): boolean {
  return typeof value === 'function';
}
