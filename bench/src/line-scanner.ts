/**
 * Counts lines and metric values in what the sink receives, in one pass over the bytes.
 *
 * A line may carry several values of one metric (packed values: `name:12|ms:7|ms` or
 * `name:12:7|ms|#k:v`), so lines alone undercount what arrived. The values on a line are the
 * `:`s before its first `|#` (or its end): in everything the bench sends, names and Graphite or
 * Influx tags never contain `:` (they are sanitized), values are numbers, and the only tags that
 * may contain `:`, DogStatsD's, come after `|#`.
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
  /** The last byte scanned; a newline at the start of a line. */
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
      if (byte === 58) {
        if (!inTags) values++;
      } else if (byte === 10) {
        newlines++;
        inTags = false;
      } else if (byte === 35 && previous === 124) {
        inTags = true;
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
