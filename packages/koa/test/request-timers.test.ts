import type { Server } from 'node:http';
import type Koa from 'koa';
import request from 'supertest';
import { statsdMiddleware } from '../src/index.js';
import type { StatsdMiddleware } from '../src/index.js';
import {
  KOA_MAJORS,
  close,
  daemonEnv,
  filesWildcard,
  listen,
  routerFor,
  useDaemon,
  waitForTimers,
} from './support.js';
import type { StatsdDaemon } from './support.js';

describe.each(KOA_MAJORS)('statsdMiddleware request timers on %s', (_major, Koa, enoentStatus) => {
  const Router = routerFor(Koa);
  let daemon: StatsdDaemon;
  let apps = 0;
  const cleanup = useDaemon((started) => {
    daemon = started;
  });

  /** A Koa app with its own service name, so its keys never meet another test's. */
  function create(): { app: Koa; statsd: StatsdMiddleware; prefix: string } {
    const service = `svc${++apps}`;
    const statsd = statsdMiddleware({ service, environment: 'test', env: daemonEnv(daemon) });
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

  it('names requests after the route templates of nested routers and prefixes', async () => {
    const { app, statsd, prefix } = create();
    const orders = new Router();
    orders.get('/:orderId', (ctx) => (ctx.body = 'order'));
    const users = new Router();
    users.get('/users/me', (ctx) => (ctx.body = 'me'));
    users.get('/users/:id', (ctx) => (ctx.body = 'user'));
    users.use('/users/:id/orders', orders.routes());
    const api = new Router({ prefix: '/api' });
    api.use('/v1', users.routes());
    api.get(filesWildcard(Router), (ctx) => (ctx.body = 'file'));
    const root = new Router();
    root.get('/', (ctx) => (ctx.body = 'home'));
    root.get(/^\/legacy\/(\d+)$/, (ctx) => (ctx.body = 'legacy'));
    app.use(statsd).use(api.routes()).use(root.routes());
    const server = await serve(app);

    const paths = ['/api/v1/users/7', '/api/v1/users/8', '/api/v1/users/me'];
    paths.push('/api/v1/users/7/orders/99', '/api/files/a/b.txt', '/', '/legacy/12');
    for (const path of paths) await request(server).get(path).expect(200);

    expect(await waitForTimers(daemon, prefix, paths.length)).toEqual({
      'api.v1.users._id.GET.200': 2,
      'api.v1.users.me.GET.200': 1,
      'api.v1.users._id.orders._orderId.GET.200': 1,
      'api.files._path.GET.200': 1,
      'root.GET.200': 1,
      'legacy._d__.GET.200': 1,
    });
  });

  it('records the status Koa sends for an ENOENT error', async () => {
    const { app, statsd, prefix } = create();
    const router = new Router();
    router.get('/missing', () => {
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    });
    app.use(statsd).use(router.routes());

    // Koa 2 answers an ENOENT error with 404, Koa 3 with 500: the timer follows the response.
    await request(await serve(app))
      .get('/missing')
      .expect(enoentStatus);

    expect(await waitForTimers(daemon, prefix, 1)).toEqual({
      [`missing.GET.${enoentStatus}`]: 1,
    });
  });
});
