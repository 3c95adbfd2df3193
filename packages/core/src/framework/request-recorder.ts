import type { Connector } from '../connector.js';
import { createConnector } from '../create-connector.js';
import { HookReporter } from './hook-reporter.js';
import { readMiddlewareOptions, type MiddlewareOptions } from './middleware-options.js';
import {
  bindResponse,
  type ObservedRequest,
  type ObservedResponse,
  type RecordRequest,
} from './request-binding.js';
import { requestTimerSink, type RequestTimerSink } from './request-batch.js';
import type { RequestOutcome } from './request-metric.js';
import { defaultNaming, type RequestNaming } from './request-naming.js';
import { RequestTimerCache } from './request-timer-cache.js';
import { stopOnShutdown, type ClosableServer, type ShutdownSignalOptions } from './shutdown.js';

/** What a framework middleware carries besides being a function. */
export interface MiddlewareControls {
  /** The connector the middleware records with, for other code and for a graceful shutdown. */
  readonly connector: Connector;
  /**
   * Delivers the queue and stops the connector when `server` closes or the process receives
   * SIGTERM or SIGINT (see `signals`), keeping the application's own signal handling.
   * Returns a function that undoes the binding.
   */
  stopOnShutdown(server?: ClosableServer, options?: ShutdownSignalOptions): () => void;
}

/**
 * Everything a framework middleware needs from the core, so that the middleware itself only
 * knows where its framework keeps the route, the request and the response: the validated
 * options, the connector (created from the options and the environment and started at once, or
 * the one given), the application's hooks, and the recording of one timer per request, which
 * never throws.
 *
 * `Args` are the parameters the framework's hooks take: `[Request, Response]` for Express,
 * `[Context]` for Koa.
 */
export class RequestRecorder<Args extends unknown[] = unknown[]> {
  /** The connector the middleware records with. */
  readonly connector: Connector;
  /** Where requests' route, method and status go: the `naming` option, or its default. */
  readonly naming: RequestNaming;
  readonly #timers: RequestTimerCache;
  readonly #sink: RequestTimerSink;
  readonly #routeName: ((...args: Args) => string | undefined) | undefined;
  readonly #skip: ((...args: Args) => boolean) | undefined;
  readonly #record: RecordRequest = (outcome, milliseconds) => this.record(outcome, milliseconds);
  readonly #failures: HookReporter;
  readonly #fail = (what: string, cause: unknown): void => this.reportFailure(what, cause);

  /**
   * Validates the options (a `StatsdError` with code `ERR_STATSD_INVALID_OPTION` naming the
   * option otherwise) and starts the connector. `parameters` is how the hooks' parameters read
   * in error messages: `'(req, res)'`, `'(ctx)'`.
   */
  constructor(options: MiddlewareOptions<Args> = {}, parameters: string = '(request)') {
    const settings = readMiddlewareOptions(options, parameters);
    this.#routeName = settings.routeName;
    this.#skip = settings.skip;
    const { onError, logger } = settings.connectorOptions;
    this.#failures = new HookReporter(onError, logger);
    this.connector = settings.connector ?? createConnector(settings.connectorOptions, settings.env);
    this.naming = settings.naming ?? defaultNaming(this.connector);
    this.#timers = new RequestTimerCache(this.naming, settings.status, 2000);
    this.#sink = requestTimerSink(this.connector);
    // Starting twice is harmless; a shared connector may not have been started by its owner yet.
    void this.connector.start();
  }

  /** Whether the application's `skip` leaves this request untimed. Its errors propagate. */
  skips(...args: Args): boolean {
    const skip = this.#skip;
    return skip !== undefined && skip(...args);
  }

  /**
   * The `route` to give {@link RequestRecorder.bindResponse}, made once per middleware: the
   * application's `routeName` (called with the hooks' arguments `hookArgs(req)` builds) when it
   * gives a name, `byDefault(req)` otherwise. Without a `routeName` it is `byDefault` itself.
   */
  routeOf<R extends ObservedRequest>(
    byDefault: (req: R) => string,
    hookArgs: (req: R) => Args,
  ): (req: R) => string {
    if (this.#routeName === undefined) return byDefault;
    return (req) => this.routeName(...hookArgs(req)) ?? byDefault(req);
  }

  /**
   * The route template the application's `routeName` gives this request, or `undefined` for the
   * framework's default: when there is no `routeName`, when it returns no string, or when it
   * throws (reported, see {@link RequestRecorder.reportFailure}).
   */
  routeName(...args: Args): string | undefined {
    const routeName = this.#routeName;
    if (routeName === undefined) return undefined;
    try {
      const name = routeName(...args);
      return typeof name === 'string' ? name : undefined;
    } catch (error) {
      // The application's naming failed for this request; its default name still counts it.
      this.reportFailure('routeName threw; the request was timed under its default route', error);
      return undefined;
    }
  }

  /**
   * Reports a failure the middleware contains so that the request is still served and timed, as
   * a `StatsdError` with code `ERR_STATSD_REQUEST_HOOK`, the message `what` and the error as its
   * `cause`, throttled per code like the connector's reports. It goes to the middleware's
   * `onError` option, else its `logger`, else `console.warn`: the handlers the middleware's
   * connector gets when the middleware creates it. (With a shared `connector`, which takes no
   * settings beside it, it goes to `console.warn`.) Never throws. The recorder reports its own
   * (a `routeName` or a `route` that throws); adapters call it for theirs.
   */
  reportFailure(what: string, cause: unknown): void {
    this.#failures.report(what, cause);
  }

  /**
   * Starts the request's clock now and records it once its response is over: as `aborted` when
   * the client went away first, under the name `route(req)` gives then (see `bindResponse`), or
   * as `unmatched` when `route` throws (reported, see {@link RequestRecorder.reportFailure}).
   * `route` is meant to be created once per middleware: the request reaches it as its argument.
   */
  bindResponse<R extends ObservedRequest>(
    res: ObservedResponse,
    req: R,
    route: (req: R) => string,
  ): void {
    bindResponse(res, req, route, this.#record, this.#fail);
  }

  /**
   * Records one request's duration (milliseconds from a monotonic clock) as a timer named by
   * the recorder's `naming` (see `requestTimer`). It reaches the connector with the next batch
   * of request timers, at the latest at the connector's next flush (see `Connector.beforeFlush`),
   * or at once for a connector without `beforeFlush`.
   */
  record(outcome: RequestOutcome, milliseconds: number): void {
    this.#sink.add(this.#timers.timer(outcome), milliseconds / 1000);
  }

  /** Returns `middleware` with the recorder's `connector` and a `stopOnShutdown` bound to it. */
  middleware<M extends object>(middleware: M): M & MiddlewareControls {
    const connector = this.connector;
    const controls: MiddlewareControls = {
      connector,
      stopOnShutdown: (server, options = {}) =>
        stopOnShutdown(connector, server === undefined ? options : { ...options, server }),
    };
    return Object.assign(middleware, controls);
  }
}
