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
 */

/** Running totals, added to by {@link LineScanner.scan}. */
export interface LineCounts {
  /** Newlines seen (a datagram's last line has none: the caller adds it). */
  lines: number;
  values: number;
}

/**
 * The state of one byte stream (a TCP connection, or datagrams one after the other): a chunk may
 * end anywhere, even between the `|` and the `#` of `|#`.
 */
export class LineScanner {
  /** The last byte scanned; a newline at the start of a line (or of a chunk that starts one). */
  #previous = 10;
  /** Whether the current line's DogStatsD tags (`|#…`) have started. */
  #inTags = false;

  /** Adds the newlines and values in `data` to `counts`. */
  scan(data: Uint8Array, counts: LineCounts): void {
    let previous = this.#previous;
    let inTags = this.#inTags;
    let newlines = 0;
    let values = 0;
    for (let i = 0; i < data.length; i++) {
      const byte = data[i] as number;
      // Letters and `|`, most of a line, skip every test below (the loop runs at the speed of a
      // bare newline count).
      if (byte <= 58) {
        if (byte === 10) {
          newlines++;
          inTags = false;
        } else if (previous === 58) {
          if (!inTags && startsNumber(byte)) values++;
        } else if (byte === 35 && previous === 124) {
          inTags = true;
        }
      }
      previous = byte;
    }
    this.#previous = previous;
    this.#inTags = inTags;
    counts.lines += newlines;
    counts.values += values;
  }

  /** Ends the current line where the data ended (a datagram's last line is unterminated). */
  endLine(): void {
    this.#previous = 10;
    this.#inTags = false;
  }
}

/** Whether `byte` may start a number: a digit, `-`, `+` or `.` (43 to 57 but `,` and `/`). */
function startsNumber(byte: number): boolean {
  return byte >= 43 && byte <= 57 && byte !== 44 && byte !== 47;
}
