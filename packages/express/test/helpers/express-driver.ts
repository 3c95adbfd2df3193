import { once } from 'node:events';
import { Readable } from 'node:stream';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { Connector, StatsdError } from '@statsd/core';
import type {
  AdapterDriver,
  AdapterOptions,
  AppSpec,
  Handler,
  StartedApp,
} from '@statsd-internal/daemon/jest';
import { frameworkHookOptions, serveAdapterApp, thrown } from '@statsd-internal/daemon/jest';
import { statsdMiddleware, type StatsdMiddlewareOptions } from '../../src/index.js';
import type { ExpressFactory } from './harness.js';

/** Answers an Express request with what a shared-suite handler returns; errors go to `next`. */
function expressHandler(handler: Handler): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const answer = (async () =>
      handler({
        statsd: res.locals.statsd,
        closed: () => once(res, 'close').then(() => undefined),
      }))();
    answer.then((reply) => {
      res.type('text/plain');
      if (reply instanceof Readable) reply.pipe(res);
      else res.send(reply);
    }, next);
  };
}

function middlewareOptions(options: AdapterOptions): StatsdMiddlewareOptions {
  return {
    ...frameworkHookOptions<[Request, Response]>(
      options,
      (req) => req.path,
      (_req, res) => res.statusCode,
    ),
    // The suite hands back only connectors this driver's createConnector made.
    ...(options.connector && { connector: options.connector as Connector }),
  };
}

/** Routers nested at `mounts`, whose routes are guarded by a route middleware. */
function guardedRouter(
  express: ExpressFactory,
  guarded: NonNullable<AppSpec['guarded']>,
): RequestHandler {
  const guard: RequestHandler = (req, res, next) => {
    if (req.headers.authorization === undefined) res.status(401).end();
    else next();
  };
  let router = express.Router();
  for (const route of guarded.routes) router.get(route.path, guard, expressHandler(route.handler));
  for (const mount of [...guarded.mounts].reverse()) {
    const outer = express.Router();
    outer.use(mount, router);
    router = outer;
  }
  return router;
}

/** Builds the app of `spec` with the middleware, the way an Express application is built. */
function build(express: ExpressFactory, statsd: RequestHandler, spec: AppSpec): Express {
  const app = express();
  const { beforeAdapter, guarded, fallback, replaceErrors } = spec;
  if (beforeAdapter) {
    app.use((_req, res, next) => {
      beforeAdapter(once(res, 'close').then(() => undefined)).then(() => next(), next);
    });
  }
  app.use(statsd);
  for (const route of spec.routes ?? []) app.get(route.path, expressHandler(route.handler));
  if (guarded) app.use(guardedRouter(express, guarded));
  if (fallback) {
    app.use((req, res, next) => {
      const reply = fallback(req.path);
      if (reply === undefined) next();
      else res.send(reply);
    });
  }
  if (replaceErrors) {
    app.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      res.status(replaceErrors.status).send(replaceErrors.body);
    });
  }
  return app;
}

/** The shared adapter suite's driver for `statsdMiddleware` on `express`. */
export function expressDriver(name: string, express: ExpressFactory): AdapterDriver {
  return {
    name,
    // Express answers a known path with an unknown method as it answers an unknown path.
    wrongMethodStatus: 404,
    errorClass: StatsdError,
    setUpError: (options) =>
      Promise.resolve(thrown(() => statsdMiddleware(options as StatsdMiddlewareOptions))),
    createConnector: ({ host, port, prefix }) =>
      new Connector({ host, port, protocol: 'tcp', prefix }),
    start(options, spec): Promise<StartedApp> {
      const statsd = statsdMiddleware(middlewareOptions(options));
      return serveAdapterApp(build(express, statsd, spec), statsd.connector, options);
    },
  };
}
