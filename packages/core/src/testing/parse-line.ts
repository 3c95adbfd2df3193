/** One metric line taken apart: what a StatsD server would read from it. */
export interface ParsedMetric {
  /** The name as written, tags of the Influx (`,k=v`) and Graphite (`;k=v`) dialects included. */
  readonly name: string;
  /** The value as written (`'1'`, `'-3'`, `'+0.5'`, `'abc'`). */
  readonly value: string;
  /** The type: `c`, `g`, `ms`, `s`, `h` or `d`. */
  readonly type: string;
  /** The sample rate, 1 when the line has none. */
  readonly sampleRate: number;
  /** DogStatsD tags (`|#a:b,c`) in order; empty for other dialects. */
  readonly tags: readonly string[];
  /** The DogStatsD timestamp (`|T<unix seconds>`), when the line has one. */
  readonly timestamp?: number;
}

const TYPES: readonly string[] = ['c', 'g', 'ms', 's', 'h', 'd'];

/**
 * Parses one line `<name>:<value>|<type>[|@<rate>][|T<seconds>][|#<tags>]`. Throws when the
 * line is not exactly one metric: that is what the test kit's checks rely on; a line with packed
 * values is read by {@link parseMetrics}. Among the lines it refuses: a `|` in the name, a
 * second value (`a:1|c:2|c`), an unknown type, a rate outside
 * 0 < r <= 1, a second rate, timestamp or tag list, a rate or timestamp after the tags, a
 * timestamp that is not a positive integer, and any `\n` or `\r`.
 */
export function parseLine(line: string): ParsedMetric {
  const colon = line.indexOf(':');
  if (colon <= 0 || line.indexOf('|') < colon || line.includes('\n') || line.includes('\r')) {
    throw malformed(line);
  }
  const name = line.slice(0, colon);
  const fields = line.slice(colon + 1).split('|');
  const [value, type, ...rest] = fields;
  if (
    value === undefined ||
    value === '' ||
    value.includes(':') ||
    type === undefined ||
    !TYPES.includes(type)
  ) {
    throw malformed(line);
  }
  let sampleRate = 1;
  let rated = false;
  let tags: string[] = [];
  let tagged = false;
  let timestamp: number | undefined;
  for (const field of rest) {
    if (field.startsWith('@') && !rated && !tagged) {
      rated = true;
      sampleRate = Number(field.slice(1));
      if (!(sampleRate > 0 && sampleRate <= 1)) throw malformed(line);
    } else if (field.startsWith('T') && timestamp === undefined && !tagged) {
      if (!/^T[1-9]\d*$/.test(field)) throw malformed(line);
      timestamp = Number(field.slice(1));
    } else if (field.startsWith('#') && !tagged) {
      tagged = true;
      tags = field.slice(1).split(',');
    } else {
      throw malformed(line);
    }
  }
  const parsed = { name, value, type, sampleRate, tags };
  return timestamp === undefined ? parsed : { ...parsed, timestamp };
}

/**
 * Every metric one line holds, in order: the one metric of a plain line (as {@link parseLine}),
 * or each value of a line with packed values (`packValues`), with the line's name, type, rate
 * and tags: `t:12|ms:7|ms` (the reference daemon, Telegraf; DogStatsD tags once, at the end) and
 * `t:12:7|ms` (DogStatsD) are both two timer values. Throws where `parseLine` would for any of
 * them, and for packed set members, which no server reads.
 */
export function parseMetrics(line: string): ParsedMetric[] {
  const colon = line.indexOf(':');
  if (colon <= 0) throw malformed(line);
  const name = line.slice(0, colon);
  // DogStatsD tags may hold `:`; they come last, once for all the values.
  const tagsAt = line.indexOf('|#', colon);
  const body = tagsAt < 0 ? line.slice(colon + 1) : line.slice(colon + 1, tagsAt);
  const tags = tagsAt < 0 ? '' : line.slice(tagsAt);
  const pipe = body.indexOf('|');
  const values = pipe < 0 ? [body] : body.slice(0, pipe).split(':');
  if (values.length > 1) {
    // Shared: one type and rate after every value.
    const fields = body.slice(pipe);
    const metrics = values.map((value) => parseLine(`${name}:${value}${fields}${tags}`));
    if (metrics[0]?.type === 's') throw malformed(line);
    return metrics;
  }
  // Typed: each value with its type and rate, or a plain line.
  return body.split(':').map((part) => parseLine(`${name}:${part}${tags}`));
}

/** The metrics of `lines`, one per value; DogStatsD events (`_e{…}`) and checks (`_sc|…`) are left out. */
export function metricsOfLines(lines: readonly string[]): ParsedMetric[] {
  return lines.filter((line) => !isEventOrCheck(line)).flatMap(parseMetrics);
}

/**
 * How many metrics a line holds, without parsing it: 1 for an event or a service check, else one
 * per value, the `:` before the DogStatsD tags (names and other tags hold none).
 */
export function metricCount(line: string): number {
  if (isEventOrCheck(line)) return 1;
  const tagsAt = line.indexOf('|#');
  const end = tagsAt < 0 ? line.length : tagsAt;
  let count = 0;
  for (let i = line.indexOf(':'); i >= 0 && i < end; i = line.indexOf(':', i + 1)) count++;
  return count;
}

function isEventOrCheck(line: string): boolean {
  return line.startsWith('_e{') || line.startsWith('_sc|');
}

function malformed(line: string): Error {
  return new Error(`Not a single StatsD metric line: ${JSON.stringify(line)}`);
}
