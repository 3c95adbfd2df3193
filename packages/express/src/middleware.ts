import { RequestRecorder, UNMATCHED_ROUTE, refuseMountedFactory } from '@statsd/core/framework';
import type { Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RouteCapture } from './route-capture.js';
import type { StatsdMiddleware, StatsdMiddlewareOptions } from './types.js';

/**
 * Express middleware that times every request into StatsD as
 * `<prefix>.timers.<route>.<METHOD>.<status>` (milliseconds, monotonic clock), or as
 * `<prefix>.timers.http.request` tagged `route`, `method` and `status` with `naming: 'tags'`,
 * and puts the connector on `res.locals.statsd`. With no options, the connector is configured from
 * the `STATSD_*` environment variables, as `createConnector` does, and started at once.
 *
 * ```ts
 * const statsd = statsdMiddleware({ service: 'my-service', environment: 'production' });
 * app.use(statsd);
 * statsd.stopOnShutdown(app.listen(3000));
 * ```
 *
 * Mount it first, so that it sees every request and the status of every error. Bad options
 * throw a `StatsdError` (`ERR_STATSD_INVALID_OPTION`) here, never per request.
 *
 * Call it: `app.use(statsdMiddleware)` is a type error (no Express handler's parameters fit
 * `notAMiddleware`), and at run time every request fails with `ERR_STATSD_MIDDLEWARE_NOT_CALLED`.
 */
export function statsdMiddleware(
  options: StatsdMiddlewareOptions = {},
  ...notAMiddleware: never[]
): StatsdMiddleware {
  refuseMountedFactory('statsdMiddleware', notAMiddleware);
  const recorder = new RequestRecorder<[Request, Response]>(options, '(req, res)');
  const connector = recorder.connector;
  const routeOf = recorder.routeOf(routeTemplate, (req: Request) => [req, req.res as Response]);

  function statsdMiddleware(
    request: IncomingMessage,
    response: ServerResponse,
    next: (error?: unknown) => void,
  ): void {
    // Express's own middleware (expressInit) has made them a Request and a Response by now.
    const req = request as Request;
    const res = response as Response;
    res.locals.statsd = connector;
    if (recorder.skips(req, res)) return next();
    attachCapture(recorder, req);
    // Named when the response closes: by then the routers have written the route that answered.
    recorder.bindResponse(res, req, routeOf);
    next();
  }

  return recorder.middleware(statsdMiddleware);
}

function attachCapture(recorder: RequestRecorder<[Request, Response]>, req: Request): void {
  try {
    RouteCapture.attach(req);
  } catch (error) {
    // A request whose prototype cannot take the accessors is still timed, in the unmatched bucket.
    recorder.reportFailure(
      'the route of a request could not be followed; it was timed as unmatched',
      error,
    );
  }
}

function routeTemplate(req: Request): string {
  return RouteCapture.of(req)?.routeTemplate() ?? UNMATCHED_ROUTE;
}
