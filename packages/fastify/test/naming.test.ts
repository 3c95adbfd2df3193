import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { FakeStatsdServer } from '@statsd/core/testing';
import { statsdPlugin } from '../src/index.js';
import { FASTIFY_MAJORS, daemonEnv, useDaemon } from './support.js';
import type { StatsdDaemon } from './support.js';

describe.each(FASTIFY_MAJORS)("statsdPlugin naming: 'tags' on %s", (_major, Fastify) => {
  let daemon: StatsdDaemon;
  let apps = 0;
  const cleanup = useDaemon((started) => {
    daemon = started;
  });

  /** An app with routes under a prefixed plugin, answering 201 and a failure. */
  function routes(app: FastifyInstance): void {
    void app.register(
      (api, _options, done) => {
        api.get('/users/:id', (_request, reply) => reply.code(201).send('user'));
        api.get('/fail', () => {
          throw new Error('boom');
        });
        done();
      },
      { prefix: '/api' },
    );
  }

  it('tags one timer with the route template, method and status for the daemon', async () => {
    const service = `named${++apps}`;
    const app = Fastify();
    void app.register(statsdPlugin, {
      service,
      environment: 'test',
      naming: 'tags',
      env: daemonEnv(daemon),
    });
    cleanup.push(() => app.close());
    routes(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    for (const url of ['/api/users/1', '/api/users/2', '/api/fail', '/nowhere/42']) {
      await request(app.server).get(url);
    }
    await app.close();
    // Graphite-style tags in the key; the daemon turns `/` into `-` as in every key.
    const head = `applications.${service}.test.timers.http.request;`;
    const timers = await daemon.timers();
    const seen = Object.fromEntries(
      Object.entries(timers)
        .filter(([key]) => key.startsWith(head))
        .map(([key, values]) => [key.slice(head.length), values.length]),
    );
    expect(seen).toEqual({
      'route=-api-users-_id;method=GET;status=201': 2,
      'route=-api-fail;method=GET;status=500': 1,
      'route=unmatched;method=GET;status=404': 1,
    });
  });

  it('tags by default and keeps the template whole in the DogStatsD dialect', async () => {
    const server = await FakeStatsdServer.start();
    const app = Fastify();
    void app.register(statsdPlugin, {
      env: { STATSD_DIALECT: 'dogstatsd', STATSD_HOST: server.host, STATSD_PORT: `${server.port}` },
    });
    cleanup.push(
      () => server.stop(),
      () => app.close(),
    );
    routes(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    await request(app.server).get('/api/users/7').expect(201);
    await app.close();
    const lines = await server.waitForLines(1);
    expect(lines.map((line) => line.replace(/:\d+(\.\d+)?\|ms/, ':N|ms'))).toEqual([
      'http.request:N|ms|#route:/api/users/:id,method:GET,status:201',
    ]);
  });
});
