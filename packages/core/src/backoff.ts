/**
 * Reconnect delays: exponential between `min` and `max`, with "equal jitter" (half fixed, half
 * random) so that many clients restarting together do not reconnect in lockstep.
 */
export class Backoff {
  readonly #min: number;
  readonly #max: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(min: number, max: number, random: () => number = Math.random) {
    this.#min = min;
    this.#max = max;
    this.#random = random;
  }

  /** The delay before the next attempt, in milliseconds; each call counts one more failure. */
  next(): number {
    const ceiling = Math.min(this.#max, this.#min * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return ceiling / 2 + (this.#random() * ceiling) / 2;
  }

  /** Starts over after a successful connection. */
  reset(): void {
    this.#attempt = 0;
  }
}
