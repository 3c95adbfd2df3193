import { once } from 'node:events';
import { createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Middleware, ParameterizedContext } from 'koa';
import { Connector, StatsdError } from '@statsd/core';
import type {
  AdapterDriver,
  AdapterOptions,
  AppSpec,
  Handler,
  StartedApp,
  StartedHttp2App,
} from '@statsd-internal/daemon/jest';
import { frameworkHookOptions, serveAdapterApp, thrown } from '@statsd-internal/daemon/jest';
import { statsdMiddleware } from '../src/index.js';
import type { StatsdMiddleware, StatsdMiddlewareOptions } from '../src/index.js';
import { routerFor } from './support.js';

type KoaClass = typeof Koa;
type RouterClass = typeof Router;

/** Answers a Koa request with what a shared-suite handler returns. */
function koaHandler(handler: Handler): Middleware {
  return async (ctx) => {
    const reply = await handler({
      statsd: ctx.state.statsd,
      closed: () => once(ctx.res, 'close').then(() => undefined),
    });
    if (reply === undefined) return;
    ctx.type = 'text';
    ctx.body = reply;
  };
}

function middlewareOptions(options: AdapterOptions): StatsdMiddlewareOptions {
  return {
    ...frameworkHookOptions<[ParameterizedContext]>(
      options,
      (ctx) => ctx.path,
      (ctx) => ctx.status,
    ),
    // The suite hands back only connectors this driver's createConnector made.
    ...(options.connector && { connector: options.connector as Connector }),
  };
}

/** Builds the app of `spec` with `statsd`, the way a Koa application with @koa/router is built. */
function build(koa: KoaClass, statsd: StatsdMiddleware, spec: AppSpec): Koa {
  const Router = routerFor(koa);
  const app = new koa();
  app.silent = true;
  const { replaceErrors, beforeAdapter } = spec;
  if (replaceErrors) {
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch {
        ctx.status = replaceErrors.status;
        ctx.body = replaceErrors.body;
      }
    });
  }
  if (beforeAdapter) {
    app.use(async (ctx, next) => {
      await beforeAdapter(once(ctx.res, 'close').then(() => undefined));
      await next();
    });
  }
  app.use(statsd);
  const router = new Router();
  for (const route of spec.routes ?? []) router.get(route.path, koaHandler(route.handler));
  app.use(router.routes()).use(router.allowedMethods());
  if (spec.guarded) app.use(guardedRouter(Router, spec.guarded).routes());
  const { fallback } = spec;
  if (fallback) {
    app.use((ctx) => {
      const reply = fallback(ctx.path);
      if (reply !== undefined) ctx.body = reply;
    });
  }
  return app;
}

/** Routers nested at `mounts`, the innermost one guarded by a router middleware. */
function guardedRouter(Router: RouterClass, guarded: NonNullable<AppSpec['guarded']>): Router {
  let router = new Router();
  router.use(async (ctx, next) => {
    if (ctx.get('authorization') === '') ctx.throw(401);
    await next();
  });
  for (const route of guarded.routes) router.get(route.path, koaHandler(route.handler));
  for (const mount of [...guarded.mounts].reverse()) {
    const outer = new Router();
    outer.use(mount, router.routes());
    router = outer;
  }
  return router;
}

/** The shared adapter suite's driver for `statsdMiddleware` on `Koa`. */
export function koaDriver(name: string, koa: KoaClass): AdapterDriver {
  return {
    name,
    // @koa/router's allowedMethods() answers a known path with an unknown method.
    wrongMethodStatus: 405,
    errorClass: StatsdError,
    setUpError: (options) =>
      Promise.resolve(thrown(() => statsdMiddleware(options as StatsdMiddlewareOptions))),
    createConnector: ({ host, port, prefix }) =>
      new Connector({ host, port, protocol: 'tcp', prefix }),
    start(options, spec): Promise<StartedApp> {
      const statsd = statsdMiddleware(middlewareOptions(options));
      const handle = build(koa, statsd, spec).callback();
      // Koa settles its own errors (its 'error' event): the promise is only for callers who wait.
      return serveAdapterApp((req, res) => void handle(req, res), statsd.connector, options);
    },
    async startHttp2(options, spec): Promise<StartedHttp2App> {
      const statsd = statsdMiddleware(middlewareOptions(options));
      const handle = build(koa, statsd, spec).callback();
      const server = createServer((req, res) => void handle(req, res));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      return {
        port: (server.address() as AddressInfo).port,
        close: async () => {
          server.close();
          await once(server, 'close');
          await statsd.connector.stop();
        },
      };
    },
  };
}
