import { invalidOption } from '../errors.js';

// setTimeout fires at once for longer delays, which would turn a long wait into no wait.
const MAX_TIMER_DELAY = 2_147_483_647;

interface Waiter {
  readonly check: () => void;
  readonly fail: (reason: string) => void;
}

/**
 * Promises that resolve when a condition on the server's state becomes true. The server calls
 * `settle()` after every change, rather than each wait polling.
 */
export class WaitList {
  readonly #waiters = new Set<Waiter>();
  #closed = false;

  /**
   * Resolves with `value()` once `done()` holds, checked now and on every `settle()`. Rejects with
   * a plain `Error` whose message ends with `report()` (full sentences) after `timeout` ms or on
   * `close()`.
   */
  add<T>(timeout: number, done: () => boolean, value: () => T, report: () => string): Promise<T> {
    if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= MAX_TIMER_DELAY)) {
      return Promise.reject(
        invalidOption('timeout', timeout, `a number of milliseconds from 1 to ${MAX_TIMER_DELAY}`),
      );
    }
    if (done()) return Promise.resolve(value());
    if (this.#closed) return Promise.reject(new Error(`The server was stopped: ${report()}`));
    return new Promise<T>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      const waiter: Waiter = {
        check: () => {
          if (!done()) return;
          finish();
          resolve(value());
        },
        fail: (reason) => {
          finish();
          reject(new Error(`${reason}: ${report()}`));
        },
      };
      // Kept ref'd on purpose: a test awaiting this must get its rejection, not a silent exit.
      const timer = setTimeout(() => waiter.fail(`Timed out after ${timeout} ms`), timeout);
      this.#waiters.add(waiter);
    });
  }

  /** Resolves every wait whose condition now holds. */
  settle(): void {
    if (this.#waiters.size === 0) return;
    for (const waiter of this.#waiters) waiter.check();
  }

  /** Rejects every pending wait, and every later one that is not already satisfied. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters) waiter.fail('The server was stopped');
  }
}
