/**
 * One web application of figure 4, run as a child process:
 *
 *     node app-server.js <express|koa|fastify> <variant> <sink UDP port> [our options as JSON]
 *
 * where the variant is `bare`, `no-op`, `busy-wait`, `ours` or `hot-shots`, the same set in every
 * framework. Every variant serves the same route; only the metrics middleware differs (the JSON
 * object, such as `'{"dialect":"dogstatsd","packValues":false}'` (figure 4d) or
 * `'{"flushInterval":50}'`, is laid over our middleware's settings). `no-op` is a middleware
 * that only passes the request on (`(req, res, next) => next()`, `(ctx, next) => next()`, a
 * Fastify `onRequest` hook calling `done()`): what any middleware costs before it does anything
 * (a Fastify app's request path even skips the hook runner while there is no hook). `busy-wait`
 * is the figure's yardstick: the no-op plus keeping the CPU busy for a known time per request.
 * The app answers the parent over IPC: `{ port }` once
 * listening, `{ cpu }` (its CPU time so far, µs) on `'cpu'`, and on `'stop'` closes and stops its
 * client.
 */
import type { Server } from 'node:http';
import Router from '@koa/router';
import { statsdMiddleware as expressStatsd } from '@statsd/express';
import { statsdPlugin } from '@statsd/fastify';
import { statsdMiddleware as koaStatsd } from '@statsd/koa';
import express, { type RequestHandler } from 'express';
import expressHotShots from 'express-hot-shots';
import Fastify, { type FastifyInstance, type onRequestHookHandler } from 'fastify';
import { StatsD } from 'hot-shots';
import type { ConnectorOptions } from '@statsd/core';
import Koa from 'koa';
import type { Middleware } from 'koa';
import { HOST, PACKET_SIZE } from './clients.js';

export type Framework = 'express' | 'koa' | 'fastify';
export type Variant = 'bare' | 'ours' | 'hot-shots' | 'busy-wait' | 'no-op';

/** The CPU time the `busy-wait` variant spends per request, µs. */
export const BUSY_WAIT_MICROSECONDS = 1;

/** Keeps the CPU busy for `BUSY_WAIT_MICROSECONDS` (and the clock reads it takes). */
function busyWait(): void {
  const until = performance.now() + BUSY_WAIT_MICROSECONDS / 1_000;
  while (performance.now() < until);
}

/** The no-op and yardstick middlewares, in one framework's shape `M`. */
interface Baselines<M> {
  readonly 'no-op': M;
  readonly 'busy-wait': M;
}

/** `variant`'s middleware when it is the no-op or the yardstick, else `undefined`. */
function baselineOf<M>(variant: Variant, baselines: Baselines<M>): M | undefined {
  return variant === 'no-op' || variant === 'busy-wait' ? baselines[variant] : undefined;
}

const EXPRESS_BASELINES: Baselines<RequestHandler> = {
  'no-op': (_req, _res, next) => next(),
  'busy-wait': (_req, _res, next) => {
    busyWait();
    next();
  },
};

const KOA_BASELINES: Baselines<Middleware> = {
  'no-op': (_ctx, next) => next(),
  'busy-wait': (_ctx, next) => {
    busyWait();
    return next();
  },
};

const FASTIFY_BASELINES: Baselines<onRequestHookHandler> = {
  'no-op': (_request, _reply, done) => done(),
  'busy-wait': (_request, _reply, done) => {
    busyWait();
    done();
  },
};

interface App {
  readonly server: Server;
  stop(): Promise<void>;
}

const USER = { name: 'Ada', roles: ['admin', 'ops'] };

function hotShotsClient(port: number): StatsD {
  return new StatsD({
    host: HOST,
    port,
    protocol: 'udp',
    prefix: 'bench.',
    maxBufferSize: PACKET_SIZE,
  });
}

function closeClient(client: StatsD): Promise<void> {
  return new Promise((resolve) => client.close(() => resolve()));
}

/** What a Koa user writes with hot-shots: one timer per route, method and status. */
function koaHotShots(client: StatsD): Middleware {
  return async function hotShotsTimer(ctx, next) {
    const startedAt = performance.now();
    try {
      await next();
    } finally {
      const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : 'unmatched';
      client.timing(
        `http.${route.replace(/[/:]/g, '_')}.${ctx.method}.${ctx.status}`,
        performance.now() - startedAt,
      );
    }
  };
}

/** What a Fastify user writes with hot-shots: one timer per route, method and status. */
function fastifyHotShots(app: FastifyInstance, client: StatsD): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    client.timing(
      `http.${route.replace(/[/:]/g, '_')}.${request.method}.${reply.statusCode}`,
      reply.elapsedTime,
    );
    done();
  });
}

/** Settings a run may lay over our middleware's (the app's last argument). */
export type OurOptions = Readonly<
  Pick<ConnectorOptions, 'dialect' | 'packValues' | 'flushInterval'>
>;

/** Our middleware's settings: the defaults, with the sink as the server. */
interface OurSettings extends OurOptions {
  readonly host: string;
  readonly port: number;
  readonly protocol: 'udp';
  readonly prefix: string;
}

function expressApp(variant: Variant, sinkPort: number, ours: OurSettings): App {
  const app = express();
  let stop = (): Promise<void> => Promise.resolve();
  if (variant === 'ours') {
    const middleware = expressStatsd(ours);
    app.use(middleware);
    stop = () => middleware.connector.stop();
  } else if (variant === 'hot-shots') {
    const client = hotShotsClient(sinkPort);
    app.use(expressHotShots({ client }));
    stop = () => closeClient(client);
  }
  const baseline = baselineOf(variant, EXPRESS_BASELINES);
  if (baseline !== undefined) app.use(baseline);
  app.get('/users/:id', (req, res) => {
    res.json({ id: req.params.id, ...USER });
  });
  return { server: app.listen(0, HOST), stop };
}

function koaApp(variant: Variant, sinkPort: number, ours: OurSettings): App {
  const app = new Koa();
  // autocannon drops its connections mid-response when a run ends: not worth a stack trace each.
  app.silent = true;
  const router = new Router();
  let stop = (): Promise<void> => Promise.resolve();
  if (variant === 'ours') {
    const middleware = koaStatsd(ours);
    app.use(middleware);
    stop = () => middleware.connector.stop();
  } else if (variant === 'hot-shots') {
    const client = hotShotsClient(sinkPort);
    app.use(koaHotShots(client));
    stop = () => closeClient(client);
  }
  const baseline = baselineOf(variant, KOA_BASELINES);
  if (baseline !== undefined) app.use(baseline);
  router.get('/users/:id', (ctx) => {
    ctx.body = { id: ctx.params.id, ...USER };
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return { server: app.listen(0, HOST), stop };
}

async function fastifyApp(variant: Variant, sinkPort: number, ours: OurSettings): Promise<App> {
  const app = Fastify();
  let stop = (): Promise<void> => Promise.resolve();
  if (variant === 'ours') {
    await app.register(statsdPlugin, ours);
    stop = () => app.statsd.stop();
  } else if (variant === 'hot-shots') {
    const client = hotShotsClient(sinkPort);
    fastifyHotShots(app, client);
    stop = () => closeClient(client);
  }
  const baseline = baselineOf(variant, FASTIFY_BASELINES);
  if (baseline !== undefined) app.addHook('onRequest', baseline);
  app.get<{ Params: { id: string } }>('/users/:id', (request) => ({
    id: request.params.id,
    ...USER,
  }));
  await app.listen({ port: 0, host: HOST });
  return { server: app.server, stop };
}

const APPS: Record<Framework, typeof fastifyApp | typeof expressApp> = {
  express: expressApp,
  koa: koaApp,
  fastify: fastifyApp,
};

async function main(): Promise<void> {
  const [framework, variant, sinkPort, options = '{}'] = process.argv.slice(2);
  const port = Number(sinkPort);
  const ours: OurSettings = {
    host: HOST,
    port,
    protocol: 'udp',
    prefix: 'bench',
    ...(JSON.parse(options) as OurOptions),
  };
  const build = APPS[framework as Framework];
  const app = await build(variant as Variant, port, ours);
  if (!app.server.listening) await new Promise((resolve) => app.server.once('listening', resolve));
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpu: user + system });
    } else if (message === 'stop') {
      app.server.closeAllConnections();
      app.server.close();
      void app.stop().then(() => process.disconnect());
    }
  });
  process.send?.({ port: (app.server.address() as { port: number }).port });
}

// Only as the child the figure forks (with an IPC channel): the figure imports this module for
// its constants, and must not start an app of its own.
if (process.send !== undefined) {
  main().catch((error: unknown) => {
    console.error('app server failed:', error);
    process.exit(1);
  });
}
