import { ErrorCode } from '../errors.js';
import { Reporter } from '../reporter.js';
import type { ErrorHandler, Logger } from '../types.js';

/* eslint-disable no-console -- the connector's default logger, for a middleware without one */
const consoleLogger: Logger = { warn: (message) => console.warn(message) };
/* eslint-enable no-console */

/**
 * Where a middleware's contained failures go (code `ERR_STATSD_REQUEST_HOOK`), throttled like
 * the connector's reports: the `onError` the middleware was given, else its `logger`, else
 * `console.warn`. When the middleware creates its connector, these are the handlers the
 * connector gets too, so both kinds of report arrive in one place.
 */
export class HookReporter {
  readonly #reporter: Reporter;

  constructor(onError: ErrorHandler | undefined, logger: Logger | undefined) {
    this.#reporter = new Reporter(onError, logger ?? consoleLogger);
  }

  /** Reports `cause` as `ERR_STATSD_REQUEST_HOOK` with `what` as the message; never throws. */
  report(what: string, cause: unknown): void {
    this.#reporter.report(ErrorCode.RequestHook, () => what, cause);
  }
}
