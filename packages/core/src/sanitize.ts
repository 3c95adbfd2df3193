/**
 * The one rule that keeps user input from forging or splitting metrics: in names, tag keys, tag
 * values and set members, every character that means something on the wire (`:` `|` `@` `#` `,`
 * `;` `=`), every whitespace or control character (`\n`, `\r`, tab, the C1 controls U+0080–U+009F
 * such as NEL, which some parsers treat as a line break) and every lone surrogate is replaced by
 * `_` (a DogStatsD tag value keeps its colons: see {@link sanitizeColonValue}). Over TCP and
 * unix sockets, where the reference daemon decodes ASCII, every non-ASCII character is replaced
 * by `_` as well; over UDP it is kept and sent as UTF-8.
 * The mapping is deterministic: the same input always gives the same output.
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
const UNSAFE =
  /[:|@#,;=\s\u0000-\u001f\u007f-\u009f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** The same without `:`, for DogStatsD tag values (see {@link sanitizeColonValue}). */
const UNSAFE_BUT_COLON =
  /[|@#,;=\s\u0000-\u001f\u007f-\u009f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NON_ASCII = /[^\u0000-\u007f]/gu;
/* eslint-enable no-control-regex */
const NEEDS_WORK = /[^\w.\-/]/;

/** Applies the wire-safety rule; `ascii` also replaces every non-ASCII character. */
export function sanitize(text: string, ascii: boolean): string {
  // Most names are plain words and dots: skip the replacements entirely for them.
  if (!NEEDS_WORK.test(text)) return text;
  const safe = text.replace(UNSAFE, '_');
  return ascii ? safe.replace(NON_ASCII, '_') : safe;
}

/**
 * The rule for a DogStatsD tag value, which keeps `:`: the agent (`parse.go` splits the tag
 * field at commas only, and a tag at its first colon) and the reference daemon (which folds
 * `|#k:v` into `;k=v` with `replace(':', '=')`, the first colon only) both read
 * `url:http://x:8080` as the tag `url` with the value `http://x:8080`. Everything else that
 * {@link sanitize} replaces is still replaced.
 */
export function sanitizeColonValue(text: string, ascii: boolean): string {
  if (!NEEDS_WORK.test(text)) return text;
  const safe = text.replace(UNSAFE_BUT_COLON, '_');
  return ascii ? safe.replace(NON_ASCII, '_') : safe;
}

/** Extra bytes `text` takes in UTF-8 beyond its length in UTF-16 code units. */
export function utf8Extra(text: string): number {
  return NEEDS_WORK.test(text) ? Buffer.byteLength(text, 'utf8') - text.length : 0;
}
