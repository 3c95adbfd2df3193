/**
 * Stable error codes. They never change meaning between releases: match on `error.code`,
 * never on the message.
 */
export const ErrorCode = {
  /** A constructor or factory option has a value that cannot work. */
  InvalidOption: 'ERR_STATSD_INVALID_OPTION',
  /** The connector is enabled but no host was given anywhere. */
  MissingHost: 'ERR_STATSD_MISSING_HOST',
  /** A metric call received a value or name that cannot be written to the wire. */
  InvalidMetric: 'ERR_STATSD_INVALID_METRIC',
  /**
   * No longer reported: every dialect writes tags, and `tagFormat: 'none'` is gone. Kept so that
   * code matching on it still compiles; the code is never reused for anything else.
   */
  TagsIgnored: 'ERR_STATSD_TAGS_IGNORED',
  /**
   * The server's dialect cannot express a call (a gauge change to DogStatsD; an event, a service
   * check or a timestamp to plain StatsD or Telegraf); it was dropped.
   */
  Unsupported: 'ERR_STATSD_UNSUPPORTED',
  /** A timer was stopped, sent or started in the wrong order. */
  TimerMisuse: 'ERR_STATSD_TIMER_MISUSE',
  /** The queue was full and the metric was dropped. */
  QueueFull: 'ERR_STATSD_QUEUE_FULL',
  /** A single metric line is larger than the packet budget and can never be sent. */
  LineTooLong: 'ERR_STATSD_LINE_TOO_LONG',
  /** The transport failed: connect, write or send. */
  Transport: 'ERR_STATSD_TRANSPORT',
  /** `stop()` ran out of time and the rest of the queue was dropped. */
  StopTimeout: 'ERR_STATSD_STOP_TIMEOUT',
  /** An optional package the options need is not installed (`unix-dgram` for `'unixgram'`). */
  MissingDependency: 'ERR_STATSD_MISSING_DEPENDENCY',
  /** A `beforeFlush` drain threw; the flush went on without what it still held. */
  FlushHook: 'ERR_STATSD_FLUSH_HOOK',
} as const;

/** One of the stable `ERR_STATSD_…` codes. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The one error class of the library: a stable `code`, a message for people, an optional `cause`. */
export class StatsdError extends Error {
  /** Stable, machine-readable code, one of {@link ErrorCode}. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StatsdError';
    this.code = code;
  }
}

/** Renders a received value for an error message: strings quoted, everything else as JS shows it. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Builds the error thrown for a bad option: names the option, the value received and the fix. */
export function invalidOption(option: string, value: unknown, expected: string): StatsdError {
  return new StatsdError(
    ErrorCode.InvalidOption,
    `Invalid option \`${option}\`: received ${describeValue(value)}, expected ${expected}.`,
  );
}
