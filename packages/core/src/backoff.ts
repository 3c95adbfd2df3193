/**
 * Reconnect delays: exponential from `min` to `max`, with "equal jitter" (the upper half of each
 * step is random) so that many clients restarting together do not reconnect in lockstep. Every
 * delay stays within [`min`, `max`]: `min` is the shortest wait the options promise.
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
    // Step n spans [min·2ⁿ, min·2ⁿ⁺¹], capped at max; jitter fills its upper half.
    const ceiling = Math.min(this.#max, this.#min * 2 ** Math.min(this.#attempt + 1, 31));
    this.#attempt++;
    return Math.max(this.#min, ceiling / 2 + (this.#random() * ceiling) / 2);
  }

  /** Starts over after a successful connection. */
  reset(): void {
    this.#attempt = 0;
  }
}
