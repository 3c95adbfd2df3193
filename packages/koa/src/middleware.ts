import { RequestRecorder, refuseMountedFactory } from '@statsd/core/framework';
import type { Next, ParameterizedContext } from 'koa';
import { matchedRouteTemplate } from './matched-route.js';
import type { StatsdMiddleware, StatsdMiddlewareOptions, StatsdState } from './types.js';

/**
 * Koa middleware that times every request into StatsD as
 * `<prefix>.timers.<route>.<METHOD>.<status>` (milliseconds, monotonic clock), or as
 * `<prefix>.timers.http.request` tagged `route`, `method` and `status` with `naming: 'tags'`,
 * and puts the connector on `ctx.state.statsd`. With no options, the connector is configured from
 * the `STATSD_*` environment variables, as `createConnector` does, and started at once.
 *
 * ```ts
 * const statsd = statsdMiddleware({ service: 'my-service', environment: 'production' });
 * app.use(statsd);
 * statsd.stopOnShutdown(app.listen(3000));
 * ```
 *
 * Mount it first, so that its timer covers the whole middleware chain. Bad options throw a
 * `StatsdError` (`ERR_STATSD_INVALID_OPTION`) here, never per request.
 *
 * Call it: `app.use(statsdMiddleware)` is a type error (Koa's `next` does not fit
 * `notAMiddleware`), and at run time every request fails with `ERR_STATSD_MIDDLEWARE_NOT_CALLED`.
 */
export function statsdMiddleware(
  options: StatsdMiddlewareOptions = {},
  ...notAMiddleware: never[]
): StatsdMiddleware {
  refuseMountedFactory('statsdMiddleware', notAMiddleware);
  const recorder = new RequestRecorder<[ParameterizedContext]>(options, '(ctx)');
  const connector = recorder.connector;
  const routeOf = recorder.routeOf<ParameterizedContext>(matchedRouteTemplate, (ctx) => [ctx]);

  function statsdMiddleware(ctx: ParameterizedContext<StatsdState>, next: Next): Promise<unknown> {
    ctx.state.statsd = connector;
    if (recorder.skips(ctx)) return next();
    // Recorded when the response closes, not when the chain settles: Koa writes the body (and
    // the status of an error) after that, and the client may still abandon the response.
    recorder.bindResponse(ctx.res, ctx, routeOf);
    return next();
  }

  return recorder.middleware(statsdMiddleware);
}
