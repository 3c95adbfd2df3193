import type { DialectRules } from './dialect.js';
import { describeValue } from './errors.js';
import {
  ALERT_TYPES,
  PRIORITIES,
  eventText,
  fieldText,
  formatCheck,
  formatEvent,
  messageText,
  type EventFields,
} from './event-format.js';
import type { MetricFormatter } from './metric-formatter.js';
import type { Pipeline } from './pipeline.js';
import { joinTags, renderTags } from './tags.js';
import { TIMESTAMP_EXPECTED, unixSeconds } from './timestamp.js';
import type { CheckOptions, EventOptions, Tags } from './types.js';

// The connector's side of the DogStatsD extensions (events, service checks, metric timestamps):
// check the call, format it, and hand it to the pipeline like a metric line, so that it is
// packed, counted and dropped like one. Like metric calls, these never throw: what cannot be
// sent is counted as dropped (`invalid` or `unsupported`) and reported.
//
// Events and checks carry the global and child tags but not the prefix: Datadog's own client
// writes neither with its namespace (DataDog/datadog-go, statsd/format.go, `appendEvent`,
// `appendServiceCheck`); hot-shots (lib/statsFunctions.js) prefixes check names but not events.
// A check name is what monitors are set up on, so it stays as the application wrote it.

/** Builds the refusal of one argument of `call`, for the throttled reporter. */
function refuse(
  pipeline: Pipeline,
  call: string,
  subject: unknown,
  what: string,
  value: unknown,
  expected: string,
): void {
  pipeline.reject(
    () =>
      `${call}(${describeValue(subject)}): ${what} ${describeValue(value)} cannot be sent ` +
      `(expected ${expected}); dropped`,
  );
}

/** Drops a call the server cannot read, and says which option makes it readable. */
function refuseUnsupported(
  pipeline: Pipeline,
  dialect: DialectRules,
  call: string,
  subject: unknown,
  what: string,
): void {
  pipeline.unsupported(
    () =>
      `${call}(${describeValue(subject)}): the '${dialect.name}' dialect has no ${what}, which ` +
      "only the Datadog agent reads: set dialect to 'dogstatsd' (STATSD_DIALECT=dogstatsd) when " +
      'the server is a DogStatsD agent; dropped',
  );
}

/**
 * The `|T<seconds>` field of a counter or gauge call with a `timestamp`, or `undefined` when the
 * call ends here (the server has no timestamps, or the timestamp is invalid: counted and
 * reported). The agent reads `T` fields in any order after the type
 * (`comp/dogstatsd/server/parse.go`, `timestampFieldPrefix`).
 */
export function timestampField(
  pipeline: Pipeline,
  dialect: DialectRules,
  call: string,
  path: string,
  timestamp: unknown,
): string | undefined {
  if (!dialect.timestamps) {
    refuseUnsupported(pipeline, dialect, call, path, 'metric timestamps');
    return undefined;
  }
  const seconds = unixSeconds(timestamp);
  if (seconds === undefined) {
    refuse(pipeline, call, path, 'timestamp', timestamp, TIMESTAMP_EXPECTED);
    return undefined;
  }
  return '|T' + seconds;
}

/**
 * A gauge change (`delta: true`) with a timestamp: only the DogStatsD agent reads timestamps, and
 * it has no gauge changes (it would set the gauge to the change), so no server can read it.
 */
export function refuseTimestampedDelta(pipeline: Pipeline, path: string): void {
  pipeline.unsupported(
    () =>
      `gauge(${describeValue(path)}): a change (delta: true) cannot have a timestamp: only ` +
      'the Datadog agent reads timestamps, and it has no gauge changes; send the new value ' +
      'instead; dropped',
  );
}

/** The `|#…` suffix of the connector's fixed tags and `tags`; `undefined` if they cannot be written. */
function tagSuffix(formatter: MetricFormatter, tags: Tags | null | undefined): string | undefined {
  const { fixedTags, ascii } = formatter.settings;
  let text = fixedTags;
  if (tags != null) {
    const own = renderTags(tags, 'dogstatsd', ascii);
    if (own === undefined) return undefined;
    text = joinTags(fixedTags, own, 'dogstatsd');
  }
  return text === '' ? '' : '|#' + text;
}

/** An optional string option: its field text, `''` when absent, `undefined` when not a string. */
function optionalText(value: unknown, ascii: boolean): string | undefined {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? fieldText(value, ascii) : undefined;
}

/** Queues one finished event or check line, counted as one metric. */
function accept(pipeline: Pipeline, line: string, ascii: boolean): void {
  pipeline.accept(line, ascii ? line.length : Buffer.byteLength(line, 'utf8'), 1);
}

/** What is wrong with an argument: its name, its value and what is expected. */
type Problem = readonly [what: string, value: unknown, expected: string];

function isProblem(result: EventFields | Problem): result is Problem {
  return Array.isArray(result);
}

/** The optional fields of an event, checked and made wire-safe. */
function eventFields(given: EventOptions, ascii: boolean): EventFields | Problem {
  const { alertType, priority, date } = given;
  if (alertType !== undefined && !ALERT_TYPES.includes(alertType)) {
    return ['alertType', alertType, ALERT_TYPES.join(', ')];
  }
  if (priority !== undefined && !PRIORITIES.includes(priority)) {
    return ['priority', priority, PRIORITIES.join(' or ')];
  }
  const seconds = date === undefined ? undefined : unixSeconds(date);
  if (date !== undefined && seconds === undefined) return ['date', date, TIMESTAMP_EXPECTED];
  const hostname = optionalText(given.hostname, ascii);
  if (hostname === undefined) return ['hostname', given.hostname, 'a string'];
  const aggregationKey = optionalText(given.aggregationKey, ascii);
  if (aggregationKey === undefined) return ['aggregationKey', given.aggregationKey, 'a string'];
  const sourceType = optionalText(given.sourceType, ascii);
  if (sourceType === undefined) return ['sourceType', given.sourceType, 'a string'];
  return { date: seconds, hostname, aggregationKey, priority, sourceType, alertType };
}

/** `statsd.event(title, text, options)`: see {@link formatEvent}. */
export function sendEvent(
  pipeline: Pipeline,
  dialect: DialectRules,
  formatter: MetricFormatter,
  title: unknown,
  text: unknown,
  options: EventOptions | null | undefined,
): void {
  if (!dialect.events) {
    return refuseUnsupported(pipeline, dialect, 'event', title, 'events');
  }
  const ascii = formatter.settings.ascii;
  const safeTitle = typeof title === 'string' ? eventText(title, ascii) : '';
  // The agent refuses an event with an empty title (`parseHeader`: "empty title").
  if (safeTitle === '')
    return refuse(pipeline, 'event', title, 'title', title, 'a non-empty string');
  if (typeof text !== 'string') return refuse(pipeline, 'event', title, 'text', text, 'a string');
  const given: EventOptions = options ?? {};
  if (typeof given !== 'object') {
    return refuse(pipeline, 'event', title, 'options', given, 'an object');
  }
  const fields = eventFields(given, ascii);
  if (isProblem(fields)) return refuse(pipeline, 'event', title, ...fields);
  const tags = tagSuffix(formatter, given.tags);
  if (tags === undefined) return refuse(pipeline, 'event', title, 'tags', given.tags, TAGS);
  accept(pipeline, formatEvent(safeTitle, eventText(text, ascii), fields, tags, ascii), ascii);
}

/** `statsd.check(name, status, options)`: see {@link formatCheck}. */
export function sendCheck(
  pipeline: Pipeline,
  dialect: DialectRules,
  formatter: MetricFormatter,
  name: unknown,
  status: unknown,
  options: CheckOptions | null | undefined,
): void {
  if (!dialect.serviceChecks) {
    return refuseUnsupported(pipeline, dialect, 'check', name, 'service checks');
  }
  const ascii = formatter.settings.ascii;
  const safeName = typeof name === 'string' ? fieldText(name, ascii) : '';
  // The agent refuses an empty name (`parseServiceCheckName`).
  if (safeName === '') return refuse(pipeline, 'check', name, 'name', name, 'a non-empty string');
  // The agent knows exactly the statuses 0 to 3 (`parseServiceCheckStatus`).
  if (status !== 0 && status !== 1 && status !== 2 && status !== 3) {
    return refuse(
      pipeline,
      'check',
      name,
      'status',
      status,
      'CheckStatus.ok, warning, critical or unknown (0 to 3)',
    );
  }
  const given: CheckOptions = options ?? {};
  if (typeof given !== 'object') {
    return refuse(pipeline, 'check', name, 'options', given, 'an object');
  }
  const { timestamp, message } = given;
  const seconds = timestamp === undefined ? undefined : unixSeconds(timestamp);
  if (timestamp !== undefined && seconds === undefined) {
    return refuse(pipeline, 'check', name, 'timestamp', timestamp, TIMESTAMP_EXPECTED);
  }
  const hostname = optionalText(given.hostname, ascii);
  if (hostname === undefined) {
    return refuse(pipeline, 'check', name, 'hostname', given.hostname, 'a string');
  }
  if (message !== undefined && message !== null && typeof message !== 'string') {
    return refuse(pipeline, 'check', name, 'message', message, 'a string');
  }
  const tags = tagSuffix(formatter, given.tags);
  if (tags === undefined) return refuse(pipeline, 'check', name, 'tags', given.tags, TAGS);
  const fields = {
    timestamp: seconds,
    hostname,
    message: typeof message === 'string' ? messageText(message, ascii) : undefined,
  };
  accept(pipeline, formatCheck(safeName, status, fields, tags), ascii);
}

const TAGS = 'an object of tag names to strings, numbers or booleans, or an array of strings';
