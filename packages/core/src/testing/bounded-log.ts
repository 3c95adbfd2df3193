// Trimming in batches keeps `push` amortised O(1): dropping the oldest entry on every push would
// shift the whole array each time, which a client sending flat out turns into O(n²).
const MAX_SLACK = 65_536;

/**
 * An append-only list that keeps the newest `max` items. It holds up to `max` + min(`max`, 65 536)
 * items between trims, and never shows more than `max`.
 */
export class BoundedLog<T> {
  readonly #max: number;
  readonly #slack: number;
  #items: T[] = [];
  #total = 0;

  constructor(max: number) {
    this.#max = max;
    this.#slack = Math.min(max, MAX_SLACK);
  }

  /** Items pushed since construction or the last `clear()`, including those discarded. */
  get total(): number {
    return this.#total;
  }

  /** Appends `item`, discarding the oldest items in a batch once the slack is used up. */
  push(item: T): void {
    this.#items.push(item);
    this.#total += 1;
    if (this.#items.length >= this.#max + this.#slack) this.#trim();
  }

  /** A copy of the newest `max` items, oldest first. */
  toArray(): T[] {
    this.#trim();
    return this.#items.slice();
  }

  /** A copy of the newest `count` items (at most `max`), oldest first. */
  last(count: number): T[] {
    const kept = Math.min(count, this.#max, this.#items.length);
    return kept === 0 ? [] : this.#items.slice(this.#items.length - kept);
  }

  /** Forgets every item and sets `total` back to 0. */
  clear(): void {
    this.#items = [];
    this.#total = 0;
  }

  #trim(): void {
    const excess = this.#items.length - this.#max;
    if (excess > 0) this.#items.splice(0, excess);
  }
}
