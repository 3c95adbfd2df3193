// DogStatsD events and service checks, written as the Datadog agent parses them. The rules below
// cite the agent's parser: `comp/dogstatsd/server/parse_events.go`,
// `comp/dogstatsd/server/parse_service_checks.go` and `comp/dogstatsd/server/parse.go`
// (DataDog/datadog-agent); the byte-exact tests in `test/event-format.test.ts` come from their
// `_test.go` files.

/* eslint-disable no-control-regex -- matching control characters is the point */
/** Line breaks: the agent splits a packet into messages at `\n` and drops a `\r` before it. */
const LINE_BREAK = /\r\n|\r|\n/g;
/** Other control characters (tab is kept), and lone surrogates, which have no UTF-8 form. */
const CONTROL =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** What ends a `|`-separated field, or the line, or cannot be written. */
const FIELD_UNSAFE =
  /[|\u0000-\u001f\u007f-\u009f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NON_ASCII = /[^\u0000-\u007f]/gu;
/* eslint-enable no-control-regex */
const PIPE = /\|/g;

/** The statuses of a service check, as the agent reads them (`_sc|<name>|<0-3>`). */
export const CheckStatus = {
  ok: 0,
  warning: 1,
  critical: 2,
  unknown: 3,
} as const;
/** One of the {@link CheckStatus} values: 0 ok, 1 warning, 2 critical, 3 unknown. */
export type CheckStatus = (typeof CheckStatus)[keyof typeof CheckStatus];

/** The alert types the agent knows (`parseEventAlertType`); anything else it ignores. */
export const ALERT_TYPES: readonly string[] = ['error', 'warning', 'info', 'success'];
/** The priorities the agent knows (`parseEventPriority`). */
export const PRIORITIES: readonly string[] = ['normal', 'low'];

/** The optional fields of an event, already checked; `undefined` or `''` writes nothing. */
export interface EventFields {
  readonly date: number | undefined;
  readonly hostname: string | undefined;
  readonly aggregationKey: string | undefined;
  readonly priority: string | undefined;
  readonly sourceType: string | undefined;
  readonly alertType: string | undefined;
}

/** The optional fields of a service check, already checked. */
export interface CheckFields {
  readonly timestamp: number | undefined;
  readonly hostname: string | undefined;
  readonly message: string | undefined;
}

/**
 * An event's title or text. The agent reads both by their byte lengths from the header
 * (`parseEvent`: `rawEvent[:header.titleLength]`), so a `|` inside them is read as text and is
 * kept (`TestEventPipeInTitle`). A line break would end the message, so it is written `\n`, which
 * the agent turns back into a line break (`cleanEventText`). A literal backslash followed by `n`
 * is read as a line break too: the format has no escape for it.
 */
export function eventText(text: string, ascii: boolean): string {
  const safe = text.replace(LINE_BREAK, '\\n').replace(CONTROL, '_');
  return ascii ? safe.replace(NON_ASCII, '_') : safe;
}

/**
 * A value of an optional field (`h:`, `k:`, `s:`) or a check's name: the agent reads it up to
 * the next `|` (`nextField`), so `|`, line breaks and other control characters become `_`: they
 * would end the field and start a forged one.
 */
export function fieldText(text: string, ascii: boolean): string {
  const safe = text.replace(FIELD_UNSAFE, '_');
  return ascii ? safe.replace(NON_ASCII, '_') : safe;
}

/**
 * A check's message. The agent reads it up to the next `|` like any field
 * (`applyServiceCheckOptionalField`), so a `|` in it would start a forged field (`|#tag`,
 * `|h:host`): it becomes `¦` (U+00A6, `_` where only ASCII may go), which reads the same to
 * people. Line breaks are written `\n` as other DogStatsD clients do (the agent shows them as
 * written: it only unescapes event texts).
 */
export function messageText(text: string, ascii: boolean): string {
  const safe = text.replace(LINE_BREAK, '\\n').replace(CONTROL, '_');
  return ascii ? safe.replace(PIPE, '_').replace(NON_ASCII, '_') : safe.replace(PIPE, '¦');
}

/**
 * `_e{<title bytes>,<text bytes>}:<title>|<text>|d:…|h:…|k:…|p:…|s:…|t:…|#tags` (the field
 * prefixes of `parse_events.go`; the agent takes the fields in any order). `title` and `text`
 * come from {@link eventText}, the string fields from {@link fieldText}; `tags` is the whole
 * `|#…` suffix or `''`. Lengths are UTF-8 bytes, as the agent slices bytes.
 */
export function formatEvent(
  title: string,
  text: string,
  fields: EventFields,
  tags: string,
  ascii: boolean,
): string {
  const titleBytes = ascii ? title.length : Buffer.byteLength(title, 'utf8');
  const textBytes = ascii ? text.length : Buffer.byteLength(text, 'utf8');
  let line = `_e{${titleBytes},${textBytes}}:${title}|${text}`;
  if (fields.date !== undefined) line += '|d:' + fields.date;
  if (fields.hostname) line += '|h:' + fields.hostname;
  if (fields.aggregationKey) line += '|k:' + fields.aggregationKey;
  if (fields.priority) line += '|p:' + fields.priority;
  if (fields.sourceType) line += '|s:' + fields.sourceType;
  if (fields.alertType) line += '|t:' + fields.alertType;
  return line + tags;
}

/**
 * `_sc|<name>|<status>|d:…|h:…|#tags|m:<message>`: the message last, as the agent's clients
 * write it (`parse_service_checks.go` reads `d:`, `h:`, `#` and `m:` fields after the status).
 * `name` comes from {@link fieldText}, `message` from {@link messageText}.
 */
export function formatCheck(
  name: string,
  status: CheckStatus,
  fields: CheckFields,
  tags: string,
): string {
  let line = `_sc|${name}|${status}`;
  if (fields.timestamp !== undefined) line += '|d:' + fields.timestamp;
  if (fields.hostname) line += '|h:' + fields.hostname;
  line += tags;
  if (fields.message) line += '|m:' + fields.message;
  return line;
}
