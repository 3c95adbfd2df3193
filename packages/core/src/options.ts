import { ErrorCode, StatsdError, describeValue, invalidOption } from './errors.js';
import { sanitize } from './sanitize.js';
import type { ConnectorOptions, ErrorHandler, Logger, Protocol, TagFormat, Tags } from './types.js';

/** Options with every default filled in and every value checked. */
export interface ResolvedOptions {
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
  readonly globalTags: Tags | undefined;
  readonly sampleRate: number;
  readonly aggregate: boolean;
  readonly onError: ErrorHandler | undefined;
  readonly logger: Logger;
}

/** The defaults, in one place. */
export const DEFAULTS = {
  port: 8125,
  protocol: 'tcp',
  maxQueueSize: 100_000,
  maxQueueBytes: 8_388_608,
  maxPacketSize: 1432,
  flushInterval: 0,
  reconnectMinDelay: 100,
  reconnectMaxDelay: 10_000,
  connectTimeout: 5_000,
  stopTimeout: 5_000,
  tagFormat: 'none',
  sampleRate: 1,
} as const;

const PROTOCOLS: readonly string[] = ['tcp', 'udp', 'unix'];
const TAG_FORMATS: readonly string[] = ['none', 'dogstatsd', 'influx', 'graphite'];
const KNOWN_OPTIONS = new Set([
  'host',
  'port',
  'path',
  'protocol',
  'prefix',
  'enabled',
  'maxQueueSize',
  'maxQueueBytes',
  'maxPacketSize',
  'flushInterval',
  'reconnectMinDelay',
  'reconnectMaxDelay',
  'connectTimeout',
  'stopTimeout',
  'tagFormat',
  'globalTags',
  'sampleRate',
  'aggregate',
  'onError',
  'logger',
]);
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
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', options, 'an object');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      // Usually a typo: a silently ignored `hots` would leave the intended setting at its default.
      const value = describeValue((options as Record<string, unknown>)[key]);
      throw new StatsdError(
        ErrorCode.InvalidOption,
        `Unknown option \`${key}\`: received ${value}, expected one of the known options: ` +
          `${[...KNOWN_OPTIONS].join(', ')}.`,
      );
    }
  }
  const enabled = optional(options.enabled, 'enabled', true, isBoolean, 'true or false');
  const protocol = optional(
    options.protocol,
    'protocol',
    DEFAULTS.protocol,
    (v) => PROTOCOLS.includes(v as string),
    "'tcp', 'udp' or 'unix'",
  ) as Protocol;
  const tagFormat = optional(
    options.tagFormat,
    'tagFormat',
    DEFAULTS.tagFormat,
    (v) => TAG_FORMATS.includes(v as string),
    "'none', 'dogstatsd', 'influx' or 'graphite'",
  ) as TagFormat;
  const flushInterval = integer(
    options.flushInterval,
    'flushInterval',
    DEFAULTS.flushInterval,
    0,
    MAX_DELAY,
  );
  const aggregate = optional(options.aggregate, 'aggregate', false, isBoolean, 'true or false');
  if (aggregate && flushInterval === 0) {
    throw invalidOption(
      'flushInterval',
      flushInterval,
      'a number of milliseconds above 0 when `aggregate` is true',
    );
  }
  const reconnectMinDelay = integer(
    options.reconnectMinDelay,
    'reconnectMinDelay',
    DEFAULTS.reconnectMinDelay,
    1,
    MAX_DELAY,
  );
  const reconnectMaxDelay = integer(
    options.reconnectMaxDelay,
    'reconnectMaxDelay',
    Math.max(DEFAULTS.reconnectMaxDelay, reconnectMinDelay),
    reconnectMinDelay,
    MAX_DELAY,
  );
  const maxPacketSize = integer(
    options.maxPacketSize,
    'maxPacketSize',
    DEFAULTS.maxPacketSize,
    64,
    MAX_PACKET_SIZE,
  );
  return {
    ...target(options, protocol, enabled),
    protocol,
    enabled,
    prefix: normalizePrefix(options.prefix, protocol !== 'udp'),
    maxQueueSize: integer(
      options.maxQueueSize,
      'maxQueueSize',
      DEFAULTS.maxQueueSize,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    maxQueueBytes: integer(
      options.maxQueueBytes,
      'maxQueueBytes',
      DEFAULTS.maxQueueBytes,
      maxPacketSize,
      Number.MAX_SAFE_INTEGER,
    ),
    maxPacketSize,
    flushInterval,
    reconnectMinDelay,
    reconnectMaxDelay,
    connectTimeout: integer(
      options.connectTimeout,
      'connectTimeout',
      DEFAULTS.connectTimeout,
      1,
      MAX_DELAY,
    ),
    stopTimeout: integer(options.stopTimeout, 'stopTimeout', DEFAULTS.stopTimeout, 0, MAX_DELAY),
    tagFormat,
    globalTags: globalTags(options.globalTags, tagFormat),
    sampleRate: sampleRate(options.sampleRate, 'sampleRate') ?? DEFAULTS.sampleRate,
    aggregate,
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

function target(
  options: ConnectorOptions,
  protocol: Protocol,
  enabled: boolean,
): { host: string; port: number; path: string | undefined } {
  const port = integer(options.port, 'port', DEFAULTS.port, 1, 65_535);
  if (protocol === 'unix') {
    const path = options.path;
    if (enabled && (typeof path !== 'string' || path === '')) {
      throw invalidOption(
        'path',
        path,
        "the path of the server's unix socket when `protocol` is 'unix'",
      );
    }
    return { host: '', port, path: typeof path === 'string' ? path : undefined };
  }
  const host = options.host;
  if (host === undefined) {
    if (!enabled) return { host: '', port, path: undefined };
    throw new StatsdError(
      ErrorCode.MissingHost,
      'No StatsD host: set the `host` option or the STATSD_HOST environment variable, ' +
        'or disable the connector with `enabled: false` (STATSD_ENABLED=false).',
    );
  }
  if (typeof host !== 'string' || host.trim() === '') {
    throw invalidOption('host', host, 'a host name or IP address such as "127.0.0.1"');
  }
  return { host: host.trim().replace(/^\[(.*)\]$/, '$1'), port, path: undefined };
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

function globalTags(tags: unknown, tagFormat: TagFormat): Tags | undefined {
  if (tags === undefined) return undefined;
  if (typeof tags !== 'object' || tags === null) {
    throw invalidOption(
      'globalTags',
      tags,
      'an object of tag names to values, or an array of strings',
    );
  }
  if (tagFormat === 'none' && Object.keys(tags).length > 0) {
    throw invalidOption(
      'globalTags',
      tags,
      "no tags while `tagFormat` is 'none' (plain StatsD has no tags): set `tagFormat` to 'dogstatsd', 'influx' or 'graphite'",
    );
  }
  return tags as Tags;
}

function integer(
  value: unknown,
  option: string,
  fallback: number,
  min: number,
  max: number,
): number {
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

function isBoolean(value: unknown): boolean {
  return typeof value === 'boolean';
}

function isFunction(value: unknown): boolean {
  return typeof value === 'function';
}
