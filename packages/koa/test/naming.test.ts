import { once } from 'node:events';
import { get, type Server } from 'node:http';
import type Koa from 'koa';
import request from 'supertest';
import { statsdMiddleware, type StatsdMiddlewareOptions } from '../src/index.js';
import type { StatsdMiddleware } from '../src/index.js';
import {
  KOA_MAJORS,
  close,
  daemonEnv,
  listen,
  portOf,
  routerFor,
  useDaemon,
  waitForTags,
} from './support.js';
import type { StatsdDaemon } from './support.js';

describe.each(KOA_MAJORS)("statsdMiddleware naming: 'tags' on %s", (_major, Koa) => {
  const Router = routerFor(Koa);
  let daemon: StatsdDaemon;
  let apps = 0;
  const cleanup = useDaemon((started) => {
    daemon = started;
  });

  /** A Koa app in `naming: 'tags'` with its own service name, so its keys meet no other test's. */
  function create(options: StatsdMiddlewareOptions = {}): {
    app: Koa;
    statsd: StatsdMiddleware;
    prefix: string;
  } {
    const service = `tagged${++apps}`;
    const statsd = statsdMiddleware({
      service,
      environment: 'test',
      naming: 'tags',
      tagFormat: 'graphite',
      env: daemonEnv(daemon),
      ...options,
    });
    cleanup.push(() => statsd.connector.stop());
    const app = new Koa();
    app.silent = true;
    return { app, statsd, prefix: `applications.${service}.test` };
  }

  async function serve(app: Koa): Promise<Server> {
    const server = await listen(app);
    cleanup.push(() => close(server));
    return server;
  }

  it('records one timer tagged with the route template, method and status', async () => {
    const { app, statsd, prefix } = create();
    const users = new Router();
    users.get('/users/:id', (ctx) => (ctx.body = 'user'));
    users.post('/users', (ctx) => {
      ctx.status = 201;
    });
    users.get('/boom', () => {
      throw new Error('boom');
    });
    const api = new Router({ prefix: '/api' });
    api.use('/v1', users.routes());
    app.use(statsd).use(api.routes());
    const server = await serve(app);

    await request(server).get('/api/v1/users/7').expect(200);
    await request(server).get('/api/v1/users/8').expect(200);
    await request(server).post('/api/v1/users').expect(201);
    await request(server).get('/api/v1/boom').expect(500);

    expect(await waitForTags(daemon, prefix, 4)).toEqual({
      '-api-v1-users-_id GET 200': 2,
      '-api-v1-users POST 201': 1,
      '-api-v1-boom GET 500': 1,
    });
  });

  it('adds no tag value for random URLs: they share route unmatched', async () => {
    const { app, statsd, prefix } = create();
    const router = new Router();
    router.get('/users/:id', (ctx) => (ctx.body = 'user'));
    app.use(statsd).use(router.routes());
    const server = await serve(app);

    for (let i = 0; i < 5; i++) {
      await request(server)
        .get(`/wp-admin/${Math.random().toString(36).slice(2)}.php`)
        .expect(404);
    }

    expect(await waitForTags(daemon, prefix, 5)).toEqual({ 'unmatched GET 404': 5 });
  });

  it('tags a request the client left as aborted', async () => {
    const { app, statsd, prefix } = create();
    let reached!: () => void;
    const handled = new Promise<void>((resolve) => (reached = resolve));
    const router = new Router();
    router.get('/slow/:id', async (ctx) => {
      reached();
      await once(ctx.res, 'close');
      ctx.body = 'too late';
    });
    app.use(statsd).use(router.routes());
    const server = await serve(app);

    const req = get({ host: '127.0.0.1', port: portOf(server), path: '/slow/1' });
    req.on('error', () => {
      // Destroyed on purpose.
    });
    await handled;
    req.destroy();

    expect(await waitForTags(daemon, prefix, 1)).toEqual({ '-slow-_id GET aborted': 1 });
  });

  it("keeps skip and routeName, and writes the status class with status: 'class'", async () => {
    const { app, statsd, prefix } = create({
      status: 'class',
      skip: (ctx) => ctx.path === '/health',
      routeName: (ctx) => (ctx.path.startsWith('/assets/') ? '/assets' : undefined),
    });
    app.use(statsd).use((ctx) => {
      // Static files and the health check have no route.
      if (ctx.path === '/health') ctx.body = 'healthy';
      else ctx.status = 204;
    });
    const server = await serve(app);

    await request(server).get('/health').expect(200);
    await request(server).get('/assets/app.js').expect(204);
    await request(server).get('/assets/app.css').expect(204);

    expect(await waitForTags(daemon, prefix, 2)).toEqual({ '-assets GET 2xx': 2 });
  });
});
