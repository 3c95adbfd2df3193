import { PassThrough } from 'node:stream';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyPluginCallback, FastifyRequest } from 'fastify';
import { statsdPlugin, type StatsdPluginOptions } from '@statsd/fastify';

/** Options of {@link createApp}. */
export interface AppOptions {
  /**
   * Options of the StatsD plugin, over the example's own: `service: 'fastify-app'`, the
   * environment from `NODE_ENV` (of `statsd.env`, else `process.env`), and `/health` skipped.
   * Host, port and protocol come from the `STATSD_*` variables of `statsd.env` (or
   * `process.env`).
   * @default {}
   */
  statsd?: StatsdPluginOptions;
  /**
   * Receives the errors the application's handlers throw (Fastify's `onError` hook), before
   * Fastify answers them with a 500.
   * @default console.error
   */
  onError?: (error: unknown) => void;
  /**
   * Milliseconds `GET /slow` takes when no `?ms=` is given.
   * @default 200
   */
  slowMs?: number;
}

/**
 * A Fastify 5 application, timed by `@statsd/fastify`. Every request records
 * `timers.<route>.<METHOD>.<status>` under `applications.fastify-app.<environment>`:
 * - `GET /` → `root.GET.200`
 * - `GET /users/:id` → `users._id.GET.200`, plus the handler's own `counters.users.lookups`
 *   and `timers.users.lookup`
 * - `GET /api/v1/items/:id` (two plugins with prefixes) → `api.v1.items._id.GET.200`
 * - `GET /slow` → `slow.GET.200`, or `slow.GET.aborted` when the client leaves early
 * - `GET /fail` → `fail.GET.500` (the status Fastify really sends for a thrown error)
 * - `GET /health` → nothing (skipped)
 * - any other URL or method → `unmatched.<METHOD>.404`, one bucket whatever the URL
 *
 * The plugin loads with the application: `await app.ready()` (or `app.listen()`) before
 * reading `app.statsd`. `await app.close()` delivers its queue and stops it.
 */
export function createApp(options: AppOptions = {}): FastifyInstance {
  const { onError = (error: unknown) => console.error(error), slowMs = 200 } = options;
  const env = options.statsd?.env ?? process.env;
  const app = Fastify();
  // First, so that every request is timed, the plugins' routes and unmatched ones included.
  void app.register(statsdPlugin, {
    service: 'fastify-app',
    environment: env.NODE_ENV ?? 'development',
    skip: (request: FastifyRequest) => request.routeOptions.url === '/health',
    ...options.statsd,
  });
  app.addHook('onError', (_request, _reply, error, done) => {
    onError(error);
    done();
  });

  app.get('/', () => 'Hello from the Fastify example.\n');
  app.get('/health', () => 'ok\n');
  app.get<{ Params: { id: string } }>('/users/:id', (request) => {
    request.statsd.incr('users.lookups');
    return request.statsd.time('users.lookup', () => findUser(request.params.id));
  });
  void app.register(api, { prefix: '/api' });
  app.get<{ Querystring: { ms?: string } }>('/slow', (request, reply) =>
    reply.type('text/plain').send(slowBody(durationFrom(request.query.ms, slowMs))),
  );
  app.get('/fail', () => {
    throw new Error('Simulated failure in GET /fail');
  });
  return app;
}

const api: FastifyPluginCallback = (instance, _options, done) => {
  const items: FastifyPluginCallback = (v1, _v1Options, itemsDone) => {
    v1.get<{ Params: { id: string } }>('/items/:id', (request) => {
      const id = request.params.id;
      return { id, name: `Item ${id}` };
    });
    itemsDone();
  };
  void instance.register(items, { prefix: '/v1' });
  done();
};

/**
 * A body whose first line leaves at once and the rest after `ms`: a client that gives up in
 * between leaves an unfinished response, which the plugin records as aborted.
 */
function slowBody(ms: number): PassThrough {
  const body = new PassThrough();
  body.write('working…\n');
  const timer = setTimeout(() => body.end('done\n'), ms);
  // Fastify destroys the body when the client goes away: the timer must not outlive it.
  body.once('close', () => clearTimeout(timer));
  return body;
}

function durationFrom(query: string | undefined, fallback: number): number {
  const ms = Number(query);
  return query !== undefined && Number.isInteger(ms) && ms >= 0 && ms <= 10_000 ? ms : fallback;
}

async function findUser(id: string): Promise<{ id: string; name: string }> {
  await Promise.resolve();
  return { id, name: `User ${id}` };
}
