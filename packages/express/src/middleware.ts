import type { Connector } from '@statsd/core';
import {
  RequestRecorder,
  UNMATCHED_ROUTE,
  invalidOption,
  routeMetricName,
  stopOnShutdown,
  type ClosableServer,
} from '@statsd/core/framework';
import type { Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RouteCapture } from './route-capture.js';
import type { StatsdMiddleware, StatsdMiddlewareOptions, StatsdShutdownOptions } from './types.js';

/**
 * Express middleware that times every request into StatsD as
 * `<prefix>.timers.<route>.<METHOD>.<status>` (milliseconds, monotonic clock) and puts the
 * connector on `res.locals.statsd`. With no options, the connector is configured from the
 * `STATSD_*` environment variables, as `createConnector` does, and started at once.
 *
 * ```ts
 * const statsd = statsdMiddleware({ service: 'my-service', environment: 'production' });
 * app.use(statsd);
 * statsd.stopOnShutdown(app.listen(3000));
 * ```
 *
 * Mount it first, so that it sees every request and the status of every error. Bad options
 * throw a `StatsdError` (`ERR_STATSD_INVALID_OPTION`) here, never per request.
 */
export function statsdMiddleware(options: StatsdMiddlewareOptions = {}): StatsdMiddleware {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', options, 'an object of options, or nothing');
  }
  const { routeName, skip, ...metricsOptions } = options;
  requireFunction('routeName', routeName, 'a function (req, res) => string | undefined');
  requireFunction('skip', skip, 'a function (req, res) => boolean');
  requireConnector(metricsOptions.connector);
  const recorder = new RequestRecorder(metricsOptions);
  const connector = recorder.connector;

  const nameRoute = (req: Request, res: Response, capture: RouteCapture | undefined): string => {
    if (routeName !== undefined) {
      try {
        const name = routeName(req, res);
        if (typeof name === 'string') return routeMetricName(name);
      } catch {
        // The application's naming failed for this request; its default name still counts it.
      }
    }
    const template = capture?.template();
    return template === undefined ? UNMATCHED_ROUTE : routeMetricName(template);
  };

  // 'close' comes once per response, after 'finish' or when the connection is lost first: the
  // one moment where the duration covers the whole body, the status is the one the client got
  // (error handlers included) and an abandoned response can be told from a finished one.
  const record = (
    req: Request,
    res: Response,
    capture: RouteCapture | undefined,
    startedAt: number,
  ): void => {
    const milliseconds = performance.now() - startedAt;
    try {
      recorder.record(
        {
          route: nameRoute(req, res, capture),
          method: req.method,
          status: res.statusCode,
          aborted: !res.writableFinished,
        },
        milliseconds,
      );
    } catch {
      // Runs in an event listener: a throw here would crash the process, not fail a request.
    }
  };

  function statsdMiddleware(
    request: IncomingMessage,
    response: ServerResponse,
    next: (error?: unknown) => void,
  ): void {
    // Express's own middleware (expressInit) has made them a Request and a Response by now.
    const req = request as Request;
    const res = response as Response;
    res.locals.statsd = connector;
    if (skip !== undefined && skip(req, res)) return next();
    const startedAt = performance.now();
    const capture = attachCapture(req);
    // The client may already be gone when an earlier middleware waited for something.
    if (res.closed) record(req, res, capture, startedAt);
    else res.once('close', () => record(req, res, capture, startedAt));
    next();
  }

  return Object.assign(statsdMiddleware, {
    connector,
    stopOnShutdown: (server?: ClosableServer, shutdown: StatsdShutdownOptions = {}) =>
      stopOnShutdown(connector, server === undefined ? shutdown : { ...shutdown, server }),
  });
}

function attachCapture(req: Request): RouteCapture | undefined {
  try {
    return RouteCapture.attach(req);
  } catch {
    // A request whose properties cannot be redefined is still timed, in the unmatched bucket.
    return undefined;
  }
}

function requireFunction(option: string, value: unknown, expected: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw invalidOption(option, value, expected);
  }
}

function requireConnector(value: Connector | undefined): void {
  // Duck-typed: a second copy of @statsd/core in node_modules would fail `instanceof`.
  const timing = (value as { timing?: unknown } | undefined)?.timing;
  if (value !== undefined && typeof timing !== 'function') {
    throw invalidOption('connector', value, 'a Connector from @statsd/core');
  }
}
