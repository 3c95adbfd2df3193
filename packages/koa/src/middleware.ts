import type { Connector } from '@statsd/core';
import {
  RequestRecorder,
  invalidOption,
  routeMetricName,
  stopOnShutdown,
  type ClosableServer,
} from '@statsd/core/framework';
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { Next, ParameterizedContext } from 'koa';
import { matchedRouteName } from './matched-route.js';
import type {
  StatsdMiddleware,
  StatsdMiddlewareOptions,
  StatsdShutdownOptions,
  StatsdState,
} from './types.js';

type StatsdContext = ParameterizedContext<StatsdState>;

/**
 * Koa middleware that times every request into StatsD as
 * `<prefix>.timers.<route>.<METHOD>.<status>` (milliseconds, monotonic clock) and puts the
 * connector on `ctx.state.statsd`. With no options, the connector is configured from the
 * `STATSD_*` environment variables, as `createConnector` does, and started at once.
 *
 * ```ts
 * const statsd = statsdMiddleware({ service: 'my-service', environment: 'production' });
 * app.use(statsd);
 * statsd.stopOnShutdown(app.listen(3000));
 * ```
 *
 * Mount it first, so that its timer covers the whole middleware chain. Bad options throw a
 * `StatsdError` (`ERR_STATSD_INVALID_OPTION`) here, never per request.
 */
export function statsdMiddleware(options: StatsdMiddlewareOptions = {}): StatsdMiddleware {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', options, 'an object of options, or nothing');
  }
  const { routeName, skip, ...metricsOptions } = options;
  requireFunction('routeName', routeName, 'a function (ctx) => string | undefined');
  requireFunction('skip', skip, 'a function (ctx) => boolean');
  requireConnector(metricsOptions.connector);
  const recorder = new RequestRecorder(metricsOptions);
  const connector = recorder.connector;

  const nameRoute = (ctx: StatsdContext): string => {
    if (routeName !== undefined) {
      try {
        const name = routeName(ctx);
        if (typeof name === 'string') return routeMetricName(name);
      } catch {
        // The application's naming failed for this request; its default name still counts it.
      }
    }
    return matchedRouteName(ctx);
  };

  // Koa writes the body after the middleware chain has settled (and the error response after it
  // rejected), so the response's 'close' is the one moment where the duration covers the whole
  // body, the status is the one the client got, and an abandoned response can be told apart.
  const record = (ctx: StatsdContext, startedAt: number): void => {
    const milliseconds = performance.now() - startedAt;
    try {
      const res = ctx.res;
      recorder.record(
        {
          route: nameRoute(ctx),
          method: ctx.method,
          status: res.statusCode,
          aborted: !completed(res),
        },
        milliseconds,
      );
    } catch {
      // Runs in an event listener: a throw here would crash the process, not fail a request.
    }
  };

  function statsdMiddleware(ctx: StatsdContext, next: Next): Promise<unknown> {
    ctx.state.statsd = connector;
    if (skip !== undefined && skip(ctx)) return next();
    const startedAt = performance.now();
    const res = ctx.res;
    // The client may already be gone when an earlier middleware awaited something.
    if (res.closed) record(ctx, startedAt);
    else res.once('close', () => record(ctx, startedAt));
    return next();
  }

  return Object.assign(statsdMiddleware, {
    connector,
    stopOnShutdown: (server?: ClosableServer, shutdown: StatsdShutdownOptions = {}) =>
      stopOnShutdown(connector, server === undefined ? shutdown : { ...shutdown, server }),
  });
}

/** Whether the whole response was handed to the operating system before the connection closed. */
function completed(res: ServerResponse | Http2ServerResponse): boolean {
  // Node's HTTP/2 compatibility layer reports an abandoned, never ended response as finished.
  return res.writableEnded && res.writableFinished;
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
