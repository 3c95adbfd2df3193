import { agentMessages } from './agent-parser.js';

// How the two servers whose parsers tests cannot run here split a metric line holding several
// values, step by step, so that tests check what they would read from our bytes:
// - the Datadog agent: DataDog/datadog-agent, comp/dogstatsd/server/impl/parse.go
//   (`parseMetricSample`, `nextField`, `parseTags`, `parseFloat64List`) and parse_metrics.go
//   (`hasMetricSampleFormat`, `parseMetricSampleNameAndRawValue`, `parseMetricSampleMetricType`);
// - Telegraf: influxdata/telegraf, plugins/inputs/statsd/statsd.go (the packet loop,
//   `parseStatsdLine`, `parseName`, `parseKeyValue`) and datadog.go (`parseDataDogTags`).
// Only the splitting is ported: name templates, sanitizing and aggregation are not.

/** One value as a server reads it: its series (name, tags, type, rate) and the value. */
export interface Reading {
  readonly name: string;
  /** The tags in a canonical order, `k:v` (agent) or `k=v` (Telegraf), joined by `,`. */
  readonly tags: string;
  readonly type: string;
  /** The agent's rate (1 when absent); Telegraf's (0 when absent or unreadable). */
  readonly rate: number;
  readonly value: number;
}

const GO_DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const GO_SPECIAL = /^[+-]?(?:inf|infinity)$|^nan$/i;

/**
 * Go's `strconv.ParseFloat(s, 64)` for decimal text: unlike `Number`, it refuses an empty
 * string and surrounding spaces. Stricter than Go on hexadecimal and `_` forms, which a line of
 * ours never holds.
 */
export function goParseFloat(text: string): number {
  if (GO_DECIMAL.test(text)) return Number(text);
  if (GO_SPECIAL.test(text)) {
    if (/nan/i.test(text)) return NaN;
    return text.startsWith('-') ? -Infinity : Infinity;
  }
  throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
}

const AGENT_TYPES = new Set(['g', 'c', 'h', 'd', 's', 'ms']);

/** Splits at the first `|` (`nextField`); `undefined` rest when there is none. */
function nextField(message: string): [string, string | undefined] {
  const index = message.indexOf('|');
  return index < 0 ? [message, undefined] : [message.slice(0, index), message.slice(index + 1)];
}

/** `parseFloat64List`: values between `:`, empty ones skipped, at least one. */
function agentValueList(raw: string): number[] {
  const values: number[] = [];
  for (const part of raw.split(':')) if (part !== '') values.push(goParseFloat(part));
  if (values.length === 0) throw new Error('no value found');
  return values;
}

/** `parseMetricSample` for one message, one reading per value; throws where the agent errs. */
export function parseAgentSample(message: string): Reading[] {
  if (!message.includes('|')) throw new Error('invalid dogstatsd message format');
  const [nameAndValue, afterValue] = nextField(message);
  const colon = nameAndValue.indexOf(':');
  const name = colon < 0 ? '' : nameAndValue.slice(0, colon);
  const rawValue = colon < 0 ? '' : nameAndValue.slice(colon + 1);
  if (name === '' || rawValue === '') throw new Error(`invalid name and value: ${nameAndValue}`);
  const [type, fields] = nextField(afterValue ?? '');
  if (!AGENT_TYPES.has(type)) throw new Error(`invalid metric type: ${type}`);
  // A set keeps its colons in its one value; other types read a list when there is a colon.
  const values =
    type === 's'
      ? [NaN]
      : rawValue.includes(':')
        ? agentValueList(rawValue)
        : [goParseFloat(rawValue)];
  let rate = 1;
  let tags: string[] = [];
  for (let rest = fields; rest !== undefined;) {
    const [field, next] = nextField(rest);
    rest = next;
    // `parseTags`: split at every `,`; a tag value keeps its colons.
    if (field.startsWith('#')) tags = field.length > 1 ? field.slice(1).split(',') : [];
    else if (field.startsWith('@')) rate = goParseFloat(field.slice(1));
  }
  const tagText = [...tags].sort().join(',');
  return values.map((value) => ({ name, tags: tagText, type, rate, value }));
}

/** Every reading of a packet as the agent reads it (messages split at `\n`). */
export function agentReadings(packet: string): Reading[] {
  return agentMessages(Buffer.from(packet, 'utf8')).flatMap((message) =>
    parseAgentSample(message.toString('utf8')),
  );
}

/**
 * `parseDataDogTags`, byte for byte: it walks the runes of the UTF-8 text, and its last slice
 * ends one byte past the last rune's start. Bytes are kept as Latin-1 text so that what it cuts
 * shows.
 */
function telegrafDataDogTags(tags: Map<string, string>, message: Buffer): void {
  if (message.length === 0) return;
  const text = (from: number, to: number): string => message.toString('latin1', from, to);
  let start = 0;
  let i = 0;
  let key = '';
  let inValue = false;
  for (let at = 0; at < message.length; at++) {
    const byte = message[at] as number;
    // Continuation bytes of a rune are not loop steps of Go's `for i = range message`.
    if ((byte & 0xc0) === 0x80) continue;
    i = at;
    if (byte === 0x2c) {
      if (key === '') {
        key = text(start, i);
        tags.set(key, 'true');
        start = i + 1;
        continue;
      }
      tags.set(key, start === i ? 'true' : text(start, i));
      start = i + 1;
      key = '';
      inValue = false;
    } else if (byte === 0x3a && !inValue) {
      key = text(start, i);
      start = i + 1;
      inValue = true;
    }
  }
  if (key === '' && start < i + 1) tags.set(text(start, i + 1), 'true');
  if (key !== '') tags.set(key, start < i + 1 ? text(start, i + 1) : 'true');
}

/** `parseKeyValue`: `k=v`; more than one `=` keeps the rest in the value; no key, no tag. */
function telegrafKeyValue(keyValue: string): [string, string] {
  const split = keyValue.split('=');
  if (split.length === 1) return ['', split[0] ?? ''];
  return [split[0] ?? '', split.slice(1).join('=')];
}

const TELEGRAF_TYPES = new Set(['g', 'c', 's', 'ms', 'h', 'd']);

/**
 * `parseStatsdLine` for one line, one reading per value (`bit`); throws where Telegraf returns
 * `errParsing`. With `dataDogExtensions`, `|#…` segments are taken out first.
 */
export function parseTelegrafLine(input: string, dataDogExtensions: boolean): Reading[] {
  const lineTags = new Map<string, string>();
  let line = input;
  if (dataDogExtensions) {
    const kept: string[] = [];
    for (const segment of line.split('|')) {
      if (segment.startsWith('#')) {
        telegrafDataDogTags(lineTags, Buffer.from(segment.slice(1), 'utf8'));
      }
      // The container field is dropped unless `datadog_keep_container_tag` is on.
      else if (!segment.startsWith('c:')) kept.push(segment);
    }
    line = kept.join('|');
  }
  const bits = line.split(':');
  if (bits.length < 2) throw new Error(`Splitting ':', unable to parse metric: ${line}`);
  const bucket = bits[0] ?? '';
  const readings: Reading[] = [];
  for (const bit of bits.slice(1)) {
    const pipes = bit.split('|');
    if (pipes.length < 2) throw new Error(`Splitting '|', unable to parse metric: ${line}`);
    let rate = 0;
    const sampleRate = pipes[2];
    if (sampleRate !== undefined && sampleRate.includes('@') && sampleRate.length > 1) {
      try {
        rate = goParseFloat(sampleRate.slice(1));
      } catch {
        // Telegraf logs it and keeps the value without a rate.
      }
    }
    const type = pipes[1] ?? '';
    if (!TELEGRAF_TYPES.has(type)) throw new Error(`Metric type ${type} unsupported`);
    const text = pipes[0] ?? '';
    if ((text.startsWith('-') || text.startsWith('+')) && type !== 'g' && type !== 'c') {
      throw new Error(`+- values are only supported for gauges & counters: ${line}`);
    }
    const value = type === 's' ? NaN : goParseFloat(text);
    // `parseName`: the bucket's Influx tags, then the line's DogStatsD tags over them.
    const tags = new Map<string, string>();
    const parts = bucket.split(',');
    for (const part of parts.slice(1)) {
      const [key, tagValue] = telegrafKeyValue(part);
      if (key !== '') tags.set(key, tagValue);
    }
    for (const [key, tagValue] of lineTags) tags.set(key, tagValue);
    const tagText = [...tags]
      .map(([key, tagValue]) => `${key}=${tagValue}`)
      .sort()
      .join(',');
    readings.push({ name: parts[0] ?? '', tags: tagText, type, rate, value });
  }
  return readings;
}

// Go's `unicode.IsSpace`, what `strings.TrimSpace` removes (JavaScript's `trim` also takes U+FEFF).
const GO_SPACE =
  '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const GO_TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'g');

/** Every reading of a packet as Telegraf reads it (lines split at `\n`, then trimmed). */
export function telegrafReadings(packet: string, dataDogExtensions: boolean): Reading[] {
  return packet
    .split('\n')
    .map((line) => line.replace(GO_TRIM, ''))
    .filter((line) => line !== '')
    .flatMap((line) => parseTelegrafLine(line, dataDogExtensions));
}
