import { ErrorCode } from './errors.js';
import type { Reporter } from './reporter.js';

/**
 * How long metrics may wait on a connector that was never started before it is reported.
 * Recording before `start()` is allowed (the metrics are sent once it starts), so the report
 * waits for a start that an application would make right away.
 */
export const START_GRACE = 5_000;

/**
 * Reports, once, metrics waiting on a connector that was never started: without `start()`
 * nothing is ever sent, and nothing else would say so. Armed by the first queued metric; the
 * report comes after {@link START_GRACE}, or when the process is about to exit, whichever is
 * first, unless the connector was started by then.
 */
export class StartWatch {
  readonly #reporter: Reporter;
  readonly #queued: () => number;
  #timer: NodeJS.Timeout | undefined;
  #done = false;

  /** `queued` reads how many metrics wait, at report time. */
  constructor(reporter: Reporter, queued: () => number) {
    this.#reporter = reporter;
    this.#queued = queued;
  }

  /** A metric was queued before any start: report it unless a start comes soon. */
  arm(): void {
    if (this.#done || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => this.report(), START_GRACE);
    // A report is never a reason to keep the process alive.
    this.#timer.unref();
  }

  /** The connector started: there is nothing to report, now or later. */
  started(): void {
    this.#done = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Reports the metrics waiting now, if any and if not done yet. */
  report(): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const queued = this.#queued();
    if (queued === 0) return;
    this.#reporter.report(
      ErrorCode.NotStarted,
      () =>
        `${queued} metrics wait in the queue of a connector that was never started, and will ` +
        'never be sent: call `await statsd.start()` (the middlewares start theirs; a ' +
        '`new Connector()` or `createConnector()` must be started)',
    );
  }
}
