import { once } from 'node:events';
import { get, type ClientRequest, type Server } from 'node:http';
import { connect, constants, createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
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
  portOf,
  requestTimers,
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

  /** Starts a GET the test will abort. */
  function startGet(server: Server, path: string): ClientRequest {
    const req = get({ host: '127.0.0.1', port: portOf(server), path });
    req.on('error', () => {
      // The test destroys this request on purpose.
    });
    return req;
  }

  function signal(): { promise: Promise<void>; resolve: () => void } {
    let resolve = (): void => {};
    const promise = new Promise<void>((done) => (resolve = done));
    return { promise, resolve };
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

  it('records one non-negative duration when a request completes', async () => {
    const { app, statsd, prefix } = create();
    const router = new Router();
    router.get('/users/:id', (ctx) => (ctx.body = 'user'));
    app.use(statsd).use(router.routes());
    await request(await serve(app))
      .get('/users/1')
      .expect(200);

    await waitForTimers(daemon, prefix, 1);
    const values = (await daemon.timers())[`${prefix}.timers.users._id.GET.200`];
    expect(values).toHaveLength(1);
    expect(values?.[0]).toBeGreaterThanOrEqual(0);
  });

  it('puts every unmatched request in one bucket when URLs match no route', async () => {
    const { app, statsd, prefix } = create();
    const router = new Router();
    router.get('/users/:id', (ctx) => (ctx.body = 'user'));
    app.use(statsd).use(router.routes()).use(router.allowedMethods());
    const server = await serve(app);

    for (let i = 0; i < 5; i++) {
      await request(server)
        .get(`/wp-admin/${Math.random().toString(36).slice(2)}.php`)
        .expect(404);
    }
    await request(server).post('/users/1').expect(405);

    expect(await waitForTimers(daemon, prefix, 6)).toEqual({
      'unmatched.GET.404': 5,
      'unmatched.POST.405': 1,
    });
  });

  it('records the status Koa sends when handlers throw', async () => {
    const { app, statsd, prefix } = create();
    const router = new Router();
    router.get('/boom', () => {
      throw new Error('boom');
    });
    router.get('/forbidden', (ctx) => ctx.throw(403));
    router.get('/missing', () => {
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    });
    app.use(statsd).use(router.routes());
    const server = await serve(app);

    await request(server).get('/boom').expect(500);
    await request(server).get('/forbidden').expect(403);
    // Koa 2 answers an ENOENT error with 404, Koa 3 with 500: the timer follows the response.
    await request(server).get('/missing').expect(enoentStatus);

    expect(await waitForTimers(daemon, prefix, 3)).toEqual({
      'boom.GET.500': 1,
      'forbidden.GET.403': 1,
      [`missing.GET.${enoentStatus}`]: 1,
    });
  });

  it('records the status an outer error handler sends when it replaces the error', async () => {
    const { app, statsd, prefix } = create();
    const router = new Router();
    router.get('/boom', () => {
      throw new Error('boom');
    });
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch {
        ctx.status = 503;
        ctx.body = 'try again later';
      }
    });
    app.use(statsd).use(router.routes());

    await request(await serve(app))
      .get('/boom')
      .expect(503);

    expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'boom.GET.503': 1 });
  });

  it('names the guarded route when a router middleware rejects the request first', async () => {
    const { app, statsd, prefix } = create();
    const users = new Router();
    users.use(async (ctx, next) => {
      if (ctx.get('authorization') === '') ctx.throw(401);
      await next();
    });
    users.get('/users/:id', (ctx) => (ctx.body = 'user'));
    const api = new Router({ prefix: '/api' });
    api.use('/v1', users.routes());
    app.use(statsd).use(api.routes());
    const server = await serve(app);

    await request(server).get('/api/v1/users/1').expect(401);
    await request(server).get('/api/v1/users/1').set('authorization', 'yes').expect(200);

    expect(await waitForTimers(daemon, prefix, 2)).toEqual({
      'api.v1.users._id.GET.401': 1,
      'api.v1.users._id.GET.200': 1,
    });
  });

  it('records the request as aborted when the client leaves before the handler answers', async () => {
    const { app, statsd, prefix } = create();
    const reached = signal();
    const router = new Router();
    router.get('/slow/:id', async (ctx) => {
      reached.resolve();
      await once(ctx.res, 'close');
      ctx.body = 'too late';
    });
    router.get('/fast', (ctx) => (ctx.body = 'fast'));
    app.use(statsd).use(router.routes());
    const server = await serve(app);

    const req = startGet(server, '/slow/1');
    await reached.promise;
    req.destroy();
    await waitForTimers(daemon, prefix, 1);
    // A request after it proves the aborted one was recorded once, and only as aborted.
    await request(server).get('/fast').expect(200);

    expect(await waitForTimers(daemon, prefix, 2)).toEqual({
      'slow._id.GET.aborted': 1,
      'fast.GET.200': 1,
    });
  });

  it('records the request as aborted when the client leaves during a streamed body', async () => {
    const { app, statsd, prefix } = create();
    const router = new Router();
    router.get('/stream', (ctx) => {
      const body = new PassThrough();
      body.write('first chunk\n');
      // Koa writes the body after the middleware chain has returned, with status 200 set.
      ctx.body = body;
    });
    app.use(statsd).use(router.routes());
    const server = await serve(app);

    const req = startGet(server, '/stream');
    const [res] = (await once(req, 'response')) as [NodeJS.ReadableStream & { statusCode: number }];
    expect(res.statusCode).toBe(200);
    await once(res, 'data');
    req.destroy();

    expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'stream.GET.aborted': 1 });
  });

  it('records the request as aborted when the client left before the middleware ran', async () => {
    const { app, statsd, prefix } = create();
    const reached = signal();
    app.use(async (ctx, next) => {
      reached.resolve();
      await once(ctx.res, 'close');
      await next();
    });
    app.use(statsd);
    const server = await serve(app);

    const req = startGet(server, '/anything');
    await reached.promise;
    req.destroy();

    expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'unmatched.GET.aborted': 1 });
  });

  it('records completed and aborted requests when Koa serves HTTP/2', async () => {
    const { app, statsd, prefix } = create();
    const reached = signal();
    const router = new Router();
    router.get('/users/:id', (ctx) => (ctx.body = 'user'));
    router.get('/slow', async (ctx) => {
      reached.resolve();
      await once(ctx.res, 'close');
    });
    app.use(statsd).use(router.routes());
    const handle = app.callback();
    const server = createServer((req, res) => void handle(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    cleanup.push(async () => {
      client.close();
      server.close();
      await once(server, 'close');
    });

    const completed = client.request({ ':path': '/users/1' });
    completed.resume();
    await once(completed, 'end');
    const abandoned = client.request({ ':path': '/slow' });
    await reached.promise;
    abandoned.close(constants.NGHTTP2_CANCEL);

    expect(await waitForTimers(daemon, prefix, 2)).toEqual({
      'users._id.GET.200': 1,
      'slow.GET.aborted': 1,
    });
  });

  it('records a streamed body as completed when the client reads it to the end', async () => {
    const { app, statsd, prefix } = create();
    const router = new Router();
    router.get('/stream', (ctx) => {
      const body = new PassThrough();
      body.end('all of it');
      ctx.type = 'text';
      ctx.body = body;
    });
    app.use(statsd).use(router.routes());
    const server = await serve(app);

    await request(server).get('/stream').expect(200, 'all of it');
    await request(server).get('/stream').expect(200, 'all of it');

    await waitForTimers(daemon, prefix, 2);
    expect(await requestTimers(daemon, prefix)).toEqual({ 'stream.GET.200': 2 });
  });
});
