import type Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import Fastify4 from 'fastify4';
import request from 'supertest';
import { statsdPlugin } from '../src/index.js';
import { FASTIFY_MAJORS, daemonEnv, useDaemon, waitForTimers } from './support.js';
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

  it('records the status Fastify sends when validation fails', async () => {
    const { app, prefix } = create();
    const schema = { params: { type: 'object', properties: { id: { type: 'integer' } } } };
    app.get('/items/:id', { schema }, () => 'item');

    await request(await serve(app))
      .get('/items/seven')
      .expect(400);

    expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'items._id.GET.400': 1 });
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
