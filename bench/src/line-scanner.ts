/**
 * Counts lines and metric values in what the sink receives, in one pass over the bytes.
 *
 * A line may carry several values of one metric (packed values: `name:12|ms:7|ms` or
 * `name:12:7|ms|#k:v`), so lines alone undercount what arrived. The values on a line are the
 * `:`s before its first `|#` (or its end) that a number follows (a digit, `-`, `+` or `.`):
 * every value the bench sends is a number (it sends no sets), DogStatsD tags, which may hold
 * `:`, come after `|#`, and our names and Graphite or Influx tags never hold `:` (they are
 * sanitized). hot-shots' Influx tags (`telegraf: true`) are not: its
 * `name,route=/users/:id:12|ms` carries one value, and a route parameter starts with a letter.
 * Every line the bench sends has a `:` before any `|#` (it sends no events or service checks),
 * so the scanner takes a line's first `:` as the end of its name without looking for tags.
 *
 * The sink must read as fast as the fastest client sends, or the figures would judge the sink:
 * a UDP datagram it is too slow for is lost. So the loop over the bytes tests each byte once,
 * against the newline and the colon together, looks for `|#` only on a line where a colon a
 * number follows is not the line's first colon (a packed value, or a number in a tag), and
 * keeps no state from one datagram to the next: a TCP chunk's unfinished last line waits to be
 * counted whole with the rest of it.
 */

/** Running totals, added to by {@link countDatagram} and {@link LineScanner.scan}. */
export interface LineCounts {
  lines: number;
  values: number;
}

const NEWLINE = 10;
const COLON = 58;
const PIPE = 124;
const HASH = 35;
/**
 * A byte `b` with `(b & CANDIDATE_MASK) === NEWLINE` is a newline, a colon, or one of the two
 * rarer bytes that share their bits (26 and `*`): one test finds both bytes that matter.
 */
const CANDIDATE_MASK = 0xcf;

/** Adds a datagram's lines (newline-separated, the last one terminated or not) and values. */
export function countDatagram(data: Uint8Array, counts: LineCounts): void {
  const end = data.length;
  if (end === 0) return;
  countLines(data, 0, end, counts);
  if (data[end - 1] !== NEWLINE) counts.lines++;
}

/**
 * Counts a TCP stream, chunk after chunk: every line ends with a newline, and a chunk may end
 * anywhere in a line, whose start then waits here for its end.
 */
export class LineScanner {
  #unfinished: Uint8Array | undefined;

  /** Adds the whole lines in `data` (with the line the previous chunk left) to `counts`. */
  scan(data: Uint8Array, counts: LineCounts): void {
    let start = 0;
    const unfinished = this.#unfinished;
    if (unfinished !== undefined) {
      const newline = data.indexOf(NEWLINE);
      if (newline === -1) {
        this.#unfinished = Buffer.concat([unfinished, data]);
        return;
      }
      start = newline + 1;
      const line = Buffer.concat([unfinished, data.subarray(0, start)]);
      countLines(line, 0, line.length, counts);
      this.#unfinished = undefined;
    }
    const end = data.lastIndexOf(NEWLINE) + 1;
    if (end > start) countLines(data, start, end, counts);
    // A copy: the caller may reuse the chunk's memory.
    if (end < data.length) this.#unfinished = Buffer.from(data.subarray(end));
  }
}

/**
 * Adds the newlines in `data[from..to)`, which starts a line, and the values of its lines.
 * The first `:` of a line ends its name; another `:` a number follows is a value unless the
 * line's tags (`|#`) started before it.
 */
function countLines(data: Uint8Array, from: number, to: number, counts: LineCounts): void {
  let newlines = 0;
  let values = 0;
  let named = false;
  let inTags = false;
  // Bytes of the current line before `checked` hold no `|#`: each is looked at once at most.
  let checked = from;
  for (let i = from; i < to; i++) {
    const byte = data[i] as number;
    if ((byte & CANDIDATE_MASK) !== NEWLINE) continue;
    if (byte === NEWLINE) {
      newlines++;
      named = false;
      inTags = false;
    } else if (byte === COLON && !inTags) {
      const next = i + 1 < to ? (data[i + 1] as number) : 0;
      if (!named) {
        named = true;
        checked = i + 1;
        if (startsNumber(next)) values++;
      } else if (startsNumber(next)) {
        inTags = tagsBetween(data, checked, i);
        checked = i + 1;
        if (!inTags) values++;
      }
    }
  }
  counts.lines += newlines;
  counts.values += values;
}

/** Whether `data[from..to)` holds `|#`. */
function tagsBetween(data: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to - 1; i++) {
    if (data[i] === PIPE && data[i + 1] === HASH) return true;
  }
  return false;
}

/** Whether `byte` may start a number: a digit, `-`, `+` or `.` (43 to 57 but `,` and `/`). */
function startsNumber(byte: number): boolean {
  return byte >= 43 && byte <= 57 && byte !== 44 && byte !== 47;
}
