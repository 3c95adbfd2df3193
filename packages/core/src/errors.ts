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
  /**
   * A middleware factory was given to `app.use` itself (`app.use(statsdMiddleware)`), so the
   * framework called it with a request: call it and pass its result instead.
   */
  MiddlewareNotCalled: 'ERR_STATSD_MIDDLEWARE_NOT_CALLED',
  /** Metrics wait on a connector that was never started: nothing is sent until `start()`. */
  NotStarted: 'ERR_STATSD_NOT_STARTED',
  /**
   * A middleware could not name or record a request as planned: the application's `routeName`
   * threw, or the framework adapter failed while following the request. The request is still
   * timed, under the framework's default name or `unmatched`, unless recording itself failed.
   */
  RequestHook: 'ERR_STATSD_REQUEST_HOOK',
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

/** Strings longer than this are cut in messages; so are object keys, at a third of it. */
const MAX_TEXT = 40;
/** An object's first few keys are named in messages, never its values. */
const MAX_KEYS = 5;

/**
 * Renders a received value for an error message without leaking what it holds: a short scalar
 * as JS writes it (strings quoted, long ones cut), anything else by its type only. A plain
 * object is named by its first few keys (cut), an instance by its class, an array by its
 * length: an application's object (a request, say, with its Authorization and Cookie headers)
 * can hold secrets, and error messages end up in logs.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value, MAX_TEXT);
    case 'bigint': {
      const digits = String(value);
      return digits.length <= MAX_TEXT ? `${digits}n` : `a bigint of ${digits.length} digits`;
    }
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    case 'object':
      return value === null ? 'null' : describeObject(value);
    default:
      // number, boolean, undefined
      return String(value);
  }
}

function describeObject(value: object): string {
  try {
    if (Array.isArray(value)) return describeArray(value as unknown[]);
    const prototype: unknown = Object.getPrototypeOf(value);
    const constructor: unknown =
      prototype === null ? undefined : (prototype as { constructor?: unknown }).constructor;
    const name: unknown = typeof constructor === 'function' ? constructor.name : undefined;
    if (typeof name === 'string' && name !== '' && name !== 'Object') {
      return `an instance of ${quote(name, MAX_TEXT, false)}`;
    }
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty object';
    const shown = keys.slice(0, MAX_KEYS).map((key) => quote(key, MAX_TEXT / 2, false));
    const more = keys.length > MAX_KEYS ? `, … (${keys.length} keys)` : '';
    return `an object with keys ${shown.join(', ')}${more}`;
  } catch {
    // A proxy or an exotic object may throw from any of these.
    return 'an object';
  }
}

/** An array as its first few items, each a short scalar or a type: `["SIGKILL", 3, an object…]`. */
function describeArray(items: readonly unknown[]): string {
  const shown = items
    .slice(0, MAX_KEYS)
    .map((item) =>
      typeof item === 'object' && item !== null
        ? Array.isArray(item)
          ? 'an array'
          : 'an object'
        : describeValue(item),
    );
  const more = items.length > MAX_KEYS ? `, … (${items.length} items)` : '';
  return `[${shown.join(', ')}${more}]`;
}

/** `text` cut to `max` characters (saying how long it was), in JSON quotes unless `quoted` is false. */
function quote(text: string, max: number, quoted: boolean = true): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const shown = quoted ? JSON.stringify(cut) : cut;
  return cut === text ? shown : `${shown}… (${text.length} characters)`;
}

/** Builds the error thrown for a bad option: names the option, the value received and the fix. */
export function invalidOption(option: string, value: unknown, expected: string): StatsdError {
  return new StatsdError(
    ErrorCode.InvalidOption,
    `Invalid option \`${option}\`: received ${describeValue(value)}, expected ${expected}.`,
  );
}
