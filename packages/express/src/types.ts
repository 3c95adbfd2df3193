import type { Connector } from '@statsd/core';
import type {
  MiddlewareControls,
  RequestMetricsOptions,
  ShutdownSignalOptions,
} from '@statsd/core/framework';
import type { Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';

declare global {
  // Express declares `res.locals` through this global namespace (in @types/express 4 and 5), so
  // augmenting it is the only way handlers see `res.locals.statsd` without a cast.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** The application's StatsD connector, set by `statsdMiddleware` on every request. */
      statsd: Connector;
    }
  }
}

/** Options of {@link StatsdMiddleware}: the connector's settings plus how requests are named. */
export interface StatsdMiddlewareOptions extends RequestMetricsOptions {
  /**
   * Names a request's route yourself. Return a route template (`'/users/:id'`, `'/static'`),
   * which is named like Express's own templates (see `naming`), or `undefined` to keep the
   * default. Called once per request, when the response is over, so `req.route` and
   * `res.statusCode` are final (and `req.path` is relative to the router that answered: read
   * `req.originalUrl` for the whole path). Never return the raw URL: every distinct value
   * becomes a metric name or tag value. If it throws, the default name is used and the error
   * reported to `onError` (`ERR_STATSD_REQUEST_HOOK`).
   * @default undefined (the matched route's template, or `unmatched`)
   */
  routeName?: (req: Request, res: Response) => string | undefined;
  /**
   * Return `true` to leave a request untimed (health checks, metrics scrapes). Called before
   * the request is handled, so `req.route` is not known yet: decide on `req.path` or headers.
   * `res.locals.statsd` is set either way.
   * @default undefined (every request is timed)
   */
  skip?: (req: Request, res: Response) => boolean;
}

/** Options of {@link StatsdMiddleware.stopOnShutdown}. */
export type StatsdShutdownOptions = ShutdownSignalOptions;

/**
 * The Express middleware returned by `statsdMiddleware`: times every request and puts the
 * connector on `res.locals.statsd`. `connector` is the connector it records with;
 * `stopOnShutdown(server?, options?)` delivers its queue and stops it when `server` closes or
 * the process receives SIGTERM or SIGINT, keeping the application's own signal handling.
 */
export interface StatsdMiddleware extends MiddlewareControls {
  // Typed with Node's request and response, which every version of Express's types extends: the
  // middleware then fits `app.use` of Express 4 and 5 alike, even with both typings installed.
  (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void;
}
