import express from 'express';
import type { ErrorRequestHandler, Express, Request, Response } from 'express';
import {
  statsdMiddleware,
  type StatsdMiddleware,
  type StatsdMiddlewareOptions,
} from '@statsd/express';

/** Options of {@link createApp}. */
export interface AppOptions {
  /**
   * Options of the StatsD middleware, over the example's own: `service: 'express-app'`, the
   * environment from `NODE_ENV` (of `statsd.env`, else `process.env`), and `/health` skipped.
   * Host, port and protocol come from the `STATSD_*` variables of `statsd.env` (or
   * `process.env`).
   * @default {}
   */
  statsd?: StatsdMiddlewareOptions;
  /**
   * Receives the errors the error handler turns into a 500 response.
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
  /** The Express application; `app.listen()` it or hand it to `http.createServer`. */
  readonly app: Express;
  /** The middleware the application uses. */
  readonly statsd: StatsdMiddleware;
}

/**
 * An Express 5 application timed by `@statsd/express`. Every request records
 * `timers.<route>.<METHOD>.<status>` under `applications.express-app.<environment>`:
 * - `GET /` → `root.GET.200`
 * - `GET /users/:id` → `users._id.GET.200`, plus the handler's own `counters.users.lookups`
 *   and `timers.users.lookup`
 * - `GET /api/v1/items/:id` (two nested routers) → `api.v1.items._id.GET.200`
 * - `GET /slow` → `slow.GET.200`, or `slow.GET.aborted` when the client leaves early
 * - `GET /fail` → `fail.GET.500` (the error handler answers)
 * - `GET /health` → nothing (skipped)
 * - any other URL → `unmatched.GET.404`, one bucket whatever the URL
 */
export function createApp(options: AppOptions = {}): ExampleApp {
  const { onError = (error: unknown) => console.error(error), slowMs = 200 } = options;
  const env = options.statsd?.env ?? process.env;
  const statsd = statsdMiddleware({
    service: 'express-app',
    environment: env.NODE_ENV ?? 'development',
    skip: (req: Request) => req.path === '/health',
    ...options.statsd,
  });

  const app = express();
  // First, so that every request is timed, including the ones no route matches.
  app.use(statsd);

  app.get('/', (_req, res) => {
    res.send('Hello from the Express example.\n');
  });
  app.get('/health', (_req, res) => {
    res.send('ok\n');
  });
  app.get('/users/:id', async (req, res) => {
    res.locals.statsd.incr('users.lookups');
    const user = await res.locals.statsd.time('users.lookup', () => findUser(req.params.id));
    res.json(user);
  });
  app.use('/api', apiRouter());
  app.get('/slow', (req, res) => {
    slowResponse(res, durationFrom(req, slowMs));
  });
  app.get('/fail', () => {
    throw new Error('Simulated failure in GET /fail');
  });

  const errorHandler: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    onError(error);
    res.status(500).json({ error: 'Internal Server Error' });
  };
  app.use(errorHandler);

  return { app, statsd };
}

function apiRouter(): express.Router {
  const items = express.Router();
  items.get('/items/:id', (req, res) => {
    res.json({ id: req.params.id, name: `Item ${req.params.id}` });
  });
  const api = express.Router();
  api.use('/v1', items);
  return api;
}

/**
 * Sends the headers and a first line at once, the rest after `ms`: a client that gives up in
 * between leaves an unfinished response, which the middleware records as aborted.
 */
function slowResponse(res: Response, ms: number): void {
  res.type('text/plain');
  res.write('working…\n');
  const timer = setTimeout(() => res.end('done\n'), ms);
  // A client gone early must not leave the timer behind.
  res.once('close', () => clearTimeout(timer));
}

function durationFrom(req: Request, fallback: number): number {
  const ms = Number(req.query.ms);
  return Number.isInteger(ms) && ms >= 0 && ms <= 10_000 ? ms : fallback;
}

async function findUser(id: string): Promise<{ id: string; name: string }> {
  await Promise.resolve();
  return { id, name: `User ${id}` };
}
