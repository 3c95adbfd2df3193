/**
 * Reads the management answers to `counters`, `gauges` and `timers`: the daemon prints them with
 * `util.inspect`, which is JavaScript object-literal syntax, not JSON (single-quoted keys, bare
 * identifiers, `Infinity`, `NaN`, `-0`, column-aligned arrays). This is a small recursive-descent
 * parser for exactly the subset those objects produce; evaluating the text is never an option.
 */

/** A value `util.inspect` printed for a daemon metric table. */
export type InspectedValue = number | InspectedValue[] | { [key: string]: InspectedValue };

const WHITESPACE = /\s*/y;
const NUMBER = /[-+]?(?:Infinity|NaN|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)/y;
const IDENTIFIER = /[A-Za-z_$][\w$]*/y;
const TRUNCATED = /\.\.\. \d+ more items?/y;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '0': '\0',
};

interface Cursor {
  readonly text: string;
  pos: number;
}

/** Parses one `util.inspect` rendering of a plain object, array or number; throws on anything else. */
export function parseInspected(text: string): InspectedValue {
  const cursor: Cursor = { text, pos: 0 };
  const value = parseValue(cursor);
  skipWhitespace(cursor);
  if (cursor.pos !== text.length) fail(cursor, 'unexpected text after the value');
  return value;
}

/** Parses an inspected object whose every value is a number (the `counters` and `gauges` answers). */
export function parseNumberTable(text: string): Record<string, number> {
  const table = parseTable(text);
  const result: Record<string, number> = {};
  for (const [key, value] of Object.entries(table)) {
    if (typeof value !== 'number') {
      throw new Error(`Expected a number for ${JSON.stringify(key)} in ${JSON.stringify(text)}.`);
    }
    defineEntry(result, key, value);
  }
  return result;
}

/** Parses an inspected object whose every value is an array of numbers (the `timers` answer). */
export function parseNumberListTable(text: string): Record<string, number[]> {
  const table = parseTable(text);
  const result: Record<string, number[]> = {};
  for (const [key, value] of Object.entries(table)) {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'number')) {
      throw new Error(
        `Expected an array of numbers for ${JSON.stringify(key)} in ${JSON.stringify(text)}.`,
      );
    }
    defineEntry(result, key, value);
  }
  return result;
}

function parseTable(text: string): Record<string, InspectedValue> {
  const value = parseInspected(text.trim());
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`Expected an object, got ${JSON.stringify(text)}.`);
  }
  return value;
}

function parseValue(cursor: Cursor): InspectedValue {
  skipWhitespace(cursor);
  const next = cursor.text[cursor.pos];
  if (next === '{') return parseObject(cursor);
  if (next === '[') return parseArray(cursor);
  const literal = match(cursor, NUMBER);
  if (literal === undefined) fail(cursor, 'expected a number, an array or an object');
  return Number(literal);
}

function parseObject(cursor: Cursor): { [key: string]: InspectedValue } {
  const result: { [key: string]: InspectedValue } = {};
  cursor.pos++;
  for (;;) {
    skipWhitespace(cursor);
    if (cursor.text[cursor.pos] === '}') {
      cursor.pos++;
      return result;
    }
    const key = parseKey(cursor);
    skipWhitespace(cursor);
    expect(cursor, ':');
    defineEntry(result, key, parseValue(cursor));
    if (!parseSeparator(cursor, '}')) fail(cursor, "expected ',' or '}'");
  }
}

function parseArray(cursor: Cursor): InspectedValue[] {
  const result: InspectedValue[] = [];
  cursor.pos++;
  for (;;) {
    skipWhitespace(cursor);
    if (cursor.text[cursor.pos] === ']') {
      cursor.pos++;
      return result;
    }
    if (match(cursor, TRUNCATED) !== undefined) {
      // The daemon printed only the first items: a partial list would be a silently wrong answer.
      fail(cursor, 'the array was truncated by util.inspect (maxArrayLength)');
    }
    result.push(parseValue(cursor));
    if (!parseSeparator(cursor, ']')) fail(cursor, "expected ',' or ']'");
  }
}

/** Consumes a `,` (true) or leaves a closing bracket for the caller's loop (true); else false. */
function parseSeparator(cursor: Cursor, closing: string): boolean {
  skipWhitespace(cursor);
  const next = cursor.text[cursor.pos];
  if (next === ',') {
    cursor.pos++;
    return true;
  }
  return next === closing;
}

function parseKey(cursor: Cursor): string {
  const quote = cursor.text[cursor.pos];
  if (quote === "'" || quote === '"' || quote === '`') return parseString(cursor, quote);
  const identifier = match(cursor, IDENTIFIER);
  if (identifier === undefined) fail(cursor, 'expected a property name');
  return identifier;
}

function parseString(cursor: Cursor, quote: string): string {
  const { text } = cursor;
  let result = '';
  let pos = cursor.pos + 1;
  for (;;) {
    const char = text[pos];
    if (char === undefined) {
      cursor.pos = pos;
      fail(cursor, 'unterminated string');
    }
    if (char === quote) {
      cursor.pos = pos + 1;
      return result;
    }
    if (char !== '\\') {
      result += char;
      pos++;
      continue;
    }
    const escaped = text[pos + 1] ?? '';
    const hexLength = escaped === 'x' ? 2 : escaped === 'u' ? 4 : 0;
    if (hexLength > 0) {
      const hex = text.slice(pos + 2, pos + 2 + hexLength);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLength) {
        cursor.pos = pos;
        fail(cursor, 'bad escape sequence');
      }
      result += String.fromCharCode(parseInt(hex, 16));
      pos += 2 + hexLength;
    } else {
      result += SIMPLE_ESCAPES[escaped] ?? escaped;
      pos += 2;
    }
  }
}

// `__proto__` is a legal metric name: define it as an own property instead of setting a prototype.
function defineEntry<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function skipWhitespace(cursor: Cursor): void {
  match(cursor, WHITESPACE);
}

function expect(cursor: Cursor, char: string): void {
  if (cursor.text[cursor.pos] !== char) fail(cursor, `expected '${char}'`);
  cursor.pos++;
}

function match(cursor: Cursor, pattern: RegExp): string | undefined {
  pattern.lastIndex = cursor.pos;
  const found = pattern.exec(cursor.text);
  if (found === null) return undefined;
  cursor.pos = pattern.lastIndex;
  return found[0];
}

function fail(cursor: Cursor, problem: string): never {
  const around = cursor.text.slice(Math.max(0, cursor.pos - 20), cursor.pos + 20);
  throw new Error(
    `Cannot read the daemon's util.inspect output: ${problem} at offset ${cursor.pos} ` +
      `(near ${JSON.stringify(around)}).`,
  );
}
