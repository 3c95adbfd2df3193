const NEWLINE = 0x0a;

/** Where {@link splitLines} puts the lines it finds. */
export interface LineSink {
  push(line: string): void;
}

/**
 * Decodes `bytes` as UTF-8 and pushes each non-empty `\n`-separated piece to `sink`, as the
 * reference daemon skips empty lines. Returns how many lines were pushed.
 */
export function splitLines(bytes: Buffer, sink: LineSink): number {
  let pushed = 0;
  for (const line of bytes.toString('utf8').split('\n')) {
    if (line.length === 0) continue;
    sink.push(line);
    pushed += 1;
  }
  return pushed;
}

/**
 * Cuts one stream (a TCP or unix connection) into complete lines, like the reference daemon's TCP
 * server: bytes after the last `\n` wait for the next chunk, and are lost if none comes. It works
 * on bytes, not strings, so a UTF-8 character split across chunks decodes intact (`\n` never
 * occurs inside a multi-byte UTF-8 sequence).
 */
export class LineSplitter {
  // Chunks, not one growing Buffer: a long unterminated line must not be copied on every chunk.
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  /** Bytes received after the last `\n`, waiting for the end of their line. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Takes the next chunk of the stream. Returns the bytes of the lines it completes (without the
   * final `\n`), or `undefined` when it completes none.
   */
  push(chunk: Buffer): Buffer | undefined {
    const end = chunk.lastIndexOf(NEWLINE);
    if (end === -1) {
      if (chunk.length > 0) {
        this.#pending.push(chunk);
        this.#pendingBytes += chunk.length;
      }
      return undefined;
    }
    let complete = chunk.subarray(0, end);
    if (this.#pending.length > 0) {
      this.#pending.push(complete);
      complete = Buffer.concat(this.#pending, this.#pendingBytes + end);
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    if (end + 1 < chunk.length) {
      this.#pending.push(chunk.subarray(end + 1));
      this.#pendingBytes = chunk.length - end - 1;
    }
    return complete;
  }
}
