import { sanitize, sanitizeColonValue } from './sanitize.js';
import type { TagFormat, Tags } from './types.js';

/**
 * Renders tags for one dialect as the text between the separators: `a:1,b:2` (DogStatsD),
 * `a=1,b=2` (Influx) or `a=1;b=2` (Graphite). Keys and values go through the wire-safety rule,
 * except that DogStatsD values keep their colons (see `sanitizeColonValue`).
 * Object values `null`, `undefined` and `false` leave the tag out; `true` and `''` write a bare
 * key (`key=true` in Influx and Graphite, which need a value). String tags `'k:v'` are split at
 * their first colon; in a list, `null`, `undefined`, `false` and `''` leave the entry out. Returns
 * `''` when no tag remains, and `undefined` when the tags cannot be written: they are neither an
 * object nor an array, an object's value is not a string, number, bigint or boolean, or a list's
 * entry is not a string (untyped callers can pass anything; an object has no text of its own,
 * and turning one into text may even throw).
 */
export function renderTags(tags: Tags, format: TagFormat, ascii: boolean): string | undefined {
  if (typeof tags !== 'object' || tags === null) return undefined;
  const pair = format === 'dogstatsd' ? ':' : '=';
  const separator = format === 'graphite' ? ';' : ',';
  let out = '';
  if (isTagList(tags)) {
    for (const tag of tags as readonly unknown[]) {
      if (tag === '' || tag === null || tag === undefined || tag === false) continue;
      if (typeof tag !== 'string') return undefined;
      const colon = tag.indexOf(':');
      const text =
        colon < 0
          ? renderTag(tag, true, pair, ascii)
          : renderTag(tag.slice(0, colon), tag.slice(colon + 1), pair, ascii);
      if (text !== '') out = out === '' ? text : out + separator + text;
    }
    return out;
  }
  for (const key in tags) {
    const value = tags[key];
    if (value === undefined || value === null || value === false) continue;
    if (!hasText(value)) return undefined;
    const text = renderTag(key, value, pair, ascii);
    if (text !== '') out = out === '' ? text : out + separator + text;
  }
  return out;
}

function renderTag(
  key: string,
  value: string | number | bigint | true,
  pair: string,
  ascii: boolean,
): string {
  const safeKey = sanitize(key, ascii);
  if (safeKey === '') return '';
  if (value === true || value === '') return pair === ':' ? safeKey : safeKey + '=true';
  const text = String(value);
  return safeKey + pair + (pair === ':' ? sanitizeColonValue(text, ascii) : sanitize(text, ascii));
}

/** Whether a tag value has a text of its own: a string, number, bigint or boolean. */
function hasText(value: unknown): value is string | number | bigint | boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint';
}

function isTagList(tags: Tags): tags is readonly string[] {
  return Array.isArray(tags);
}

/** Joins two rendered tag lists of the same dialect. */
export function joinTags(first: string, second: string, format: TagFormat): string {
  if (first === '') return second;
  if (second === '') return first;
  return first + (format === 'graphite' ? ';' : ',') + second;
}
