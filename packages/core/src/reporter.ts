import { StatsdError, type ErrorCode } from './errors.js';
import type { ErrorHandler, Logger } from './types.js';

/** Reports the first few problems of each kind, then one in every this many. */
const FIRST_REPORTS = 5;
const REPORT_EVERY = 1000;

/**
 * The connector's one error channel: runtime problems go to `onError` (or the logger), throttled
 * per error code so that an outage or a bad call in a hot loop cannot flood the application.
 * A throwing handler is contained: reporting never throws into a metric call.
 */
export class Reporter {
  readonly #onError: ErrorHandler;
  readonly #counts = new Map<ErrorCode, number>();

  constructor(onError: ErrorHandler | undefined, logger: Logger) {
    this.#onError = onError ?? ((error) => logger.warn(`@statsd/core: ${error.message}`));
  }

  /**
   * Counts one problem of `code` and, when the throttle allows, reports it. `describe` builds the
   * message only when it is reported, so counting a flood costs almost nothing.
   */
  report(code: ErrorCode, describe: () => string, cause?: unknown): void {
    const count = (this.#counts.get(code) ?? 0) + 1;
    this.#counts.set(code, count);
    if (count > FIRST_REPORTS && count % REPORT_EVERY !== 0) return;
    const suffix = count > 1 ? ` (${count} times so far)` : '';
    try {
      // Describing odd input (an object with no toString, say) must not throw either.
      const error = new StatsdError(
        code,
        describe() + suffix,
        cause === undefined ? undefined : { cause },
      );
      this.#onError(error);
    } catch {
      // A failing handler must not turn a metric call into an exception.
    }
  }
}
