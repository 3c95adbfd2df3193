import { once } from 'node:events';
import { get, type ClientRequest } from 'node:http';
import { connect, constants } from 'node:http2';
import { PassThrough } from 'node:stream';
import type Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import Fastify4 from 'fastify4';
import request from 'supertest';
import { statsdPlugin } from '../src/index.js';
import {
  FASTIFY_MAJORS,
  daemonEnv,
  portOf,
  requestTimers,
  useDaemon,
  waitForTimers,
} from './support.js';
import type { StatsdDaemon } from './support.js';

describe.each(FASTIFY_MAJORS)('statsdPlugin request timers on %s', (_major, Fastify) => {
  let daemon: StatsdDaemon;
  let apps = 0;
  const cleanup = useDaemon((started) => {
    daemon = started;
  });

  /** A Fastify app with its own service name, so its keys never meet another test's. */
  function create(): { app: FastifyInstance; prefix: string } {
    const service = `svc${++apps}`;
    const app = Fastify();
    void app.register(statsdPlugin, { service, environment: 'test', env: daemonEnv(daemon) });
    cleanup.push(() => app.close());
    return { app, prefix: `applications.${service}.test` };
  }

  async function serve(app: FastifyInstance): Promise<FastifyInstance['server']> {
    await app.listen({ port: 0, host: '127.0.0.1' });
    return app.server;
  }

  /** Starts a GET the test will abort. */
  function startGet(app: FastifyInstance, path: string): ClientRequest {
    const req = get({ host: '127.0.0.1', port: portOf(app), path });
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

  it('names requests after the route templates of nested plugins and their prefixes', async () => {
    const { app, prefix } = create();
    void app.register(
      async (api) => {
        await api.register(
          async (v1) => {
            v1.get('/users/me', () => 'me');
            v1.get('/users/:id', () => 'user');
            await v1.register(
              (orders, _options, done) => {
                orders.get('/:orderId', () => 'order');
                done();
              },
              { prefix: '/users/:id/orders' },
            );
          },
          { prefix: '/v1' },
        );
        api.get('/files/*', () => 'file');
      },
      { prefix: '/api' },
    );
    app.get('/', () => 'home');
    app.get('/legacy/:id(^\\d+)', () => 'legacy');
    const server = await serve(app);

    const paths = ['/api/v1/users/7', '/api/v1/users/8', '/api/v1/users/me'];
    paths.push('/api/v1/users/7/orders/99', '/api/files/a/b.txt', '/', '/legacy/12');
    for (const path of paths) await request(server).get(path).expect(200);

    expect(await waitForTimers(daemon, prefix, paths.length)).toEqual({
      'api.v1.users._id.GET.200': 2,
      'api.v1.users.me.GET.200': 1,
      'api.v1.users._id.orders._orderId.GET.200': 1,
      'api.files._param.GET.200': 1,
      'root.GET.200': 1,
      'legacy._id.GET.200': 1,
    });
  });

  it('records one non-negative duration when a request completes', async () => {
    const { app, prefix } = create();
    app.get('/users/:id', () => 'user');
    await request(await serve(app))
      .get('/users/1')
      .expect(200);

    await waitForTimers(daemon, prefix, 1);
    const values = (await daemon.timers())[`${prefix}.timers.users._id.GET.200`];
    expect(values).toHaveLength(1);
    expect(values?.[0]).toBeGreaterThanOrEqual(0);
  });

  it('puts every unmatched request in one bucket when URLs match no route', async () => {
    const { app, prefix } = create();
    app.get('/users/:id', () => 'user');
    const server = await serve(app);

    for (let i = 0; i < 5; i++) {
      await request(server)
        .get(`/wp-admin/${Math.random().toString(36).slice(2)}.php`)
        .expect(404);
    }
    // Fastify answers a known path with an unknown method with its not-found handler too.
    await request(server).post('/users/1').expect(404);

    expect(await waitForTimers(daemon, prefix, 6)).toEqual({
      'unmatched.GET.404': 5,
      'unmatched.POST.404': 1,
    });
  });

  it("puts the application's not-found handler and reply.callNotFound() in the unmatched bucket", async () => {
    const { app, prefix } = create();
    app.setNotFoundHandler((_request, reply) => reply.code(404).send('nothing here'));
    app.get('/users/:id', (request, reply) => {
      if ((request.params as { id: string }).id === '0') return reply.callNotFound();
      return reply.send('user');
    });
    const server = await serve(app);

    await request(server).get('/nowhere').expect(404, 'nothing here');
    await request(server).get('/users/0').expect(404, 'nothing here');
    await request(server).get('/users/1').expect(200);

    expect(await waitForTimers(daemon, prefix, 3)).toEqual({
      'unmatched.GET.404': 2,
      'users._id.GET.200': 1,
    });
  });

  it('records the status Fastify sends when handlers throw or validation fails', async () => {
    const { app, prefix } = create();
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.get('/forbidden', () => {
      throw Object.assign(new Error('forbidden'), { statusCode: 403 });
    });
    const schema = { params: { type: 'object', properties: { id: { type: 'integer' } } } };
    app.get('/items/:id', { schema }, () => 'item');
    const server = await serve(app);

    await request(server).get('/boom').expect(500);
    await request(server).get('/forbidden').expect(403);
    await request(server).get('/items/seven').expect(400);

    expect(await waitForTimers(daemon, prefix, 3)).toEqual({
      'boom.GET.500': 1,
      'forbidden.GET.403': 1,
      'items._id.GET.400': 1,
    });
  });

  it('records the status an error handler sends when it replaces the error', async () => {
    const { app, prefix } = create();
    app.setErrorHandler((_error, _request, reply) => reply.code(503).send('try again later'));
    app.get('/boom', () => {
      throw new Error('boom');
    });

    await request(await serve(app))
      .get('/boom')
      .expect(503);

    expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'boom.GET.503': 1 });
  });

  it('names the guarded route when a hook of its plugin rejects the request first', async () => {
    const { app, prefix } = create();
    void app.register(
      (api, _options, done) => {
        api.addHook('preHandler', async (request, reply) => {
          if (request.headers.authorization === undefined) await reply.code(401).send();
        });
        api.get('/users/:id', () => 'user');
        done();
      },
      { prefix: '/api/v1' },
    );
    const server = await serve(app);

    await request(server).get('/api/v1/users/1').expect(401);
    await request(server).get('/api/v1/users/1').set('authorization', 'yes').expect(200);

    expect(await waitForTimers(daemon, prefix, 2)).toEqual({
      'api.v1.users._id.GET.401': 1,
      'api.v1.users._id.GET.200': 1,
    });
  });

  it('records the request as aborted when the client leaves before the handler answers', async () => {
    const { app, prefix } = create();
    const reached = signal();
    app.get('/slow/:id', async (_request, reply) => {
      reached.resolve();
      await once(reply.raw, 'close');
      return 'too late';
    });
    app.get('/fast', () => 'fast');
    const server = await serve(app);

    const req = startGet(app, '/slow/1');
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
    const { app, prefix } = create();
    app.get('/stream', (_request, reply) => {
      const body = new PassThrough();
      body.write('first chunk\n');
      return reply.type('text/plain').send(body);
    });
    await serve(app);

    const req = startGet(app, '/stream');
    const [res] = (await once(req, 'response')) as [NodeJS.ReadableStream & { statusCode: number }];
    expect(res.statusCode).toBe(200);
    await once(res, 'data');
    req.destroy();

    expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'stream.GET.aborted': 1 });
  });

  it('records the request as aborted when the client left before the plugin hook ran', async () => {
    const service = `svc${++apps}`;
    const app = Fastify();
    cleanup.push(() => app.close());
    const reached = signal();
    app.addHook('onRequest', async (_request, reply) => {
      reached.resolve();
      await once(reply.raw, 'close');
    });
    void app.register(statsdPlugin, { service, environment: 'test', env: daemonEnv(daemon) });
    await serve(app);

    const req = startGet(app, '/anything');
    await reached.promise;
    req.destroy();

    expect(await waitForTimers(daemon, `applications.${service}.test`, 1)).toEqual({
      'unmatched.GET.aborted': 1,
    });
  });

  it('records completed and aborted requests when Fastify serves HTTP/2', async () => {
    const service = `svc${++apps}`;
    const app = Fastify({ http2: true });
    const reached = signal();
    void app.register(statsdPlugin, { service, environment: 'test', env: daemonEnv(daemon) });
    app.get('/users/:id', () => 'user');
    app.get('/slow', async (_request, reply) => {
      reached.resolve();
      await once(reply.raw, 'close');
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const client = connect(`http://127.0.0.1:${portOf(app)}`);
    cleanup.push(async () => {
      client.close();
      await app.close();
    });

    const completed = client.request({ ':path': '/users/1' });
    completed.resume();
    await once(completed, 'end');
    const abandoned = client.request({ ':path': '/slow' });
    await reached.promise;
    abandoned.close(constants.NGHTTP2_CANCEL);

    expect(await waitForTimers(daemon, `applications.${service}.test`, 2)).toEqual({
      'users._id.GET.200': 1,
      'slow.GET.aborted': 1,
    });
  });

  it('records a streamed body as completed when the client reads it to the end', async () => {
    const { app, prefix } = create();
    app.get('/stream', (_request, reply) => {
      const body = new PassThrough();
      body.end('all of it');
      return reply.type('text/plain').send(body);
    });
    const server = await serve(app);

    await request(server).get('/stream').expect(200, 'all of it');
    await request(server).get('/stream').expect(200, 'all of it');

    await waitForTimers(daemon, prefix, 2);
    expect(await requestTimers(daemon, prefix)).toEqual({ 'stream.GET.200': 2 });
  });
});

// Fastify 5's app.inject() loads an ESM-only module that Jest cannot load on Node 20; Fastify
// 4's light-my-request answers the same way.
describe('statsdPlugin request timers through app.inject()', () => {
  let daemon: StatsdDaemon;
  const cleanup = useDaemon((started) => {
    daemon = started;
  });

  it('records injected requests as completed, with their status', async () => {
    const app = (Fastify4 as unknown as typeof Fastify)();
    void app.register(statsdPlugin, { prefix: 'injected', env: daemonEnv(daemon) });
    cleanup.push(() => app.close());
    app.get('/users/:id', () => 'user');

    expect((await app.inject('/users/1')).statusCode).toBe(200);
    expect((await app.inject('/nowhere')).statusCode).toBe(404);

    expect(await waitForTimers(daemon, 'injected', 2)).toEqual({
      'users._id.GET.200': 1,
      'unmatched.GET.404': 1,
    });
  });
});
