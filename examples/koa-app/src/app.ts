import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import Koa from 'koa';
import type { Context } from 'koa';
import { statsdMiddleware, type StatsdMiddleware, type StatsdMiddlewareOptions } from '@statsd/koa';

/** Options of {@link createApp}. */
export interface AppOptions {
  /**
   * Options of the StatsD middleware, over the example's own: `service: 'koa-app'`, the
   * environment from `NODE_ENV` (of `statsd.env`, else `process.env`), and `/health` skipped.
   * Host, port and protocol come from the `STATSD_*` variables of `statsd.env` (or
   * `process.env`).
   * @default {}
   */
  statsd?: StatsdMiddlewareOptions;
  /**
   * Receives the errors Koa reports (its `'error'` event): the ones it turns into a 500 response,
   * and any other but a client leaving before the end of a streamed body.
   * @default console.error
   */
  onError?: (error: unknown) => void;
  /**
   * Milliseconds `GET /slow` takes when no `?ms=` is given.
   * @default 200
   */
  slowMs?: number;
}

/** The application and its StatsD middleware (for `statsd.connector` and `stopOnShutdown`). */
export interface ExampleApp {
  /** The Koa application; serve it with `http.createServer(app.callback())` or `app.listen()`. */
  readonly app: Koa;
  /** The middleware the application uses. */
  readonly statsd: StatsdMiddleware;
}

/**
 * A Koa 3 application with `@koa/router`, timed by `@statsd/koa`. Every request records
 * `timers.<route>.<METHOD>.<status>` under `applications.koa-app.<environment>`:
 * - `GET /` → `root.GET.200`
 * - `GET /users/:id` → `users._id.GET.200`, plus the handler's own `counters.users.lookups`
 *   and `timers.users.lookup`
 * - `GET /api/v1/items/:id` (two nested routers) → `api.v1.items._id.GET.200`
 * - `GET /slow` → `slow.GET.200`, or `slow.GET.aborted` when the client leaves early
 * - `GET /fail` → `fail.GET.500` (the status Koa really sends for a thrown error)
 * - `GET /health` → nothing (skipped)
 * - any other URL → `unmatched.GET.404`, one bucket whatever the URL
 */
export function createApp(options: AppOptions = {}): ExampleApp {
  const { onError = (error: unknown) => console.error(error), slowMs = 200 } = options;
  const env = options.statsd?.env ?? process.env;
  const statsd = statsdMiddleware({
    service: 'koa-app',
    environment: env.NODE_ENV ?? 'development',
    skip: (ctx: Context) => ctx.path === '/health',
    ...options.statsd,
  });

  const app = new Koa();
  // Koa prints errors itself unless someone listens.
  app.on('error', (error: unknown) => {
    if (!clientWentAway(error)) onError(error);
  });
  // First, so that every request is timed, including the ones no route matches.
  app.use(statsd);

  const router = new Router();
  router.get('/', (ctx) => {
    ctx.body = 'Hello from the Koa example.\n';
  });
  router.get('/health', (ctx) => {
    ctx.body = 'ok\n';
  });
  router.get('/users/:id', async (ctx) => {
    ctx.state.statsd.incr('users.lookups');
    ctx.body = await ctx.state.statsd.time('users.lookup', () => findUser(ctx.params.id ?? ''));
  });
  router.use('/api', apiRouter().routes());
  router.get('/slow', (ctx) => {
    ctx.type = 'text/plain';
    ctx.body = slowBody(durationFrom(ctx, slowMs));
  });
  router.get('/fail', () => {
    throw new Error('Simulated failure in GET /fail');
  });
  app.use(router.routes());
  app.use(router.allowedMethods());

  return { app, statsd };
}

function apiRouter(): Router {
  const items = new Router();
  items.get('/items/:id', (ctx) => {
    const id = ctx.params.id ?? '';
    ctx.body = { id, name: `Item ${id}` };
  });
  const api = new Router();
  api.use('/v1', items.routes());
  return api;
}

/**
 * A body whose first line leaves at once and the rest after `ms`: a client that gives up in
 * between leaves an unfinished response, which the middleware records as aborted.
 */
function slowBody(ms: number): PassThrough {
  const body = new PassThrough();
  body.write('working…\n');
  const timer = setTimeout(() => body.end('done\n'), ms);
  // Koa destroys the body when the client goes away: the timer must not outlive it.
  body.once('close', () => clearTimeout(timer));
  return body;
}

/**
 * Koa reports a streamed body cut short by the client as an error. It is no fault of the server:
 * the middleware already records the request as aborted.
 */
function clientWentAway(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET';
}

function durationFrom(ctx: Context, fallback: number): number {
  const ms = Number(ctx.query.ms);
  return Number.isInteger(ms) && ms >= 0 && ms <= 10_000 ? ms : fallback;
}

async function findUser(id: string): Promise<{ id: string; name: string }> {
  await Promise.resolve();
  return { id, name: `User ${id}` };
}
