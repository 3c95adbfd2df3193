/** Keeps only the last `limit` characters of a child's output, however much it writes. */
export class OutputTail {
  readonly #limit: number;
  #text = '';

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Appends a chunk, dropping the oldest text once the buffer holds twice the limit. */
  append(chunk: string): void {
    this.#text += chunk;
    // Trimming only past twice the limit keeps a chatty child from costing a copy per chunk.
    if (this.#text.length > 2 * this.#limit) this.#text = this.#text.slice(-this.#limit);
  }

  /** The last `limit` characters written so far. */
  text(): string {
    return this.#text.length > this.#limit ? this.#text.slice(-this.#limit) : this.#text;
  }
}
