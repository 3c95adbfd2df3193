import { Connector } from '@statsd/core';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { statsdPlugin } from '../src/index.js';
import type { StatsdPluginOptions } from '../src/index.js';
import { FASTIFY_MAJORS, daemonEnv, useDaemon, waitForTimers } from './support.js';
import type { StatsdDaemon } from './support.js';

type IsAny<T> = 0 extends 1 & T ? true : false;

describe.each(FASTIFY_MAJORS)('statsdPlugin configuration on %s', (_major, Fastify) => {
  let daemon: StatsdDaemon;
  let apps = 0;
  const cleanup = useDaemon((started) => {
    daemon = started;
  });

  /** An app with the plugin and one route, closed after the test. */
  function appWith(options: StatsdPluginOptions): FastifyInstance {
    const app = Fastify();
    void app.register(statsdPlugin, options);
    app.get('/users/:id', () => 'user');
    cleanup.push(() => app.close());
    return app;
  }

  /** An app with its own service name, so its keys never meet another test's. */
  function create(options: StatsdPluginOptions = {}): { app: FastifyInstance; prefix: string } {
    const service = `svc${++apps}`;
    const app = appWith({ service, environment: 'test', env: daemonEnv(daemon), ...options });
    return { app, prefix: `applications.${service}.test` };
  }

  async function serve(app: FastifyInstance): Promise<FastifyInstance['server']> {
    await app.listen({ port: 0, host: '127.0.0.1' });
    return app.server;
  }

  function sharedConnector(prefix: string): Connector {
    const shared = new Connector({
      host: daemon.host,
      port: daemon.tcpPort,
      protocol: 'tcp',
      prefix,
    });
    cleanup.push(() => shared.stop());
    return shared;
  }

  it('gives handlers the connector as request.statsd and the app as app.statsd, typed', async () => {
    const { app, prefix } = create();
    app.get('/lookup', async (request) => {
      const notAny: IsAny<typeof request.statsd> = false;
      const connector: Connector = request.statsd;
      request.statsd.incr('lookups');
      await request.statsd.time('lookup.work', () => Promise.resolve());
      return { same: connector === app.statsd, notAny };
    });

    await request(await serve(app))
      .get('/lookup')
      .expect(200, { same: true, notAny: false });

    const notAny: IsAny<typeof app.statsd> = false;
    expect(notAny).toBe(false);
    const counters = await daemon.waitFor(
      (d) => d.counters(),
      (c) => c[`${prefix}.counters.lookups`] === 1,
    );
    expect(counters[`${prefix}.counters.lookups`]).toBe(1);
    expect(await waitForTimers(daemon, prefix, 2)).toEqual({
      'lookup.GET.200': 1,
      'lookup.work': 1,
    });
  });

  it('answers the request with the error skip throws and records nothing for it', async () => {
    const { app, prefix } = create({
      skip: (request) => {
        if (request.url !== '/users/0') return false;
        throw Object.assign(new Error('no skipping today'), { statusCode: 503 });
      },
    });
    const server = await serve(app);

    await request(server).get('/users/0').expect(503);
    await request(server).get('/users/1').expect(200);

    // One TCP connection keeps the order: a timer of the first request would have come first.
    expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'users._id.GET.200': 1 });
  });

  it('delivers the queue and stops the connector it created when the app closes', async () => {
    const service = `svc${++apps}`;
    const app = Fastify();
    await app.register(statsdPlugin, { service, environment: 'test', env: daemonEnv(daemon) });
    app.get('/users/:id', () => 'user');
    await request(await serve(app))
      .get('/users/1')
      .expect(200);

    await app.close();

    expect(app.statsd.stats()).toMatchObject({ queued: 0, dropped: 0, connected: false });
    expect(await waitForTimers(daemon, `applications.${service}.test`, 1)).toEqual({
      'users._id.GET.200': 1,
    });
  });

  it('stops a shared connector when the server closes, with stopOnShutdown', async () => {
    const prefix = `shutdown.svc${++apps}`;
    const shared = sharedConnector(prefix);
    const stop = jest.spyOn(shared, 'stop');
    const app = appWith({ connector: shared, stopOnShutdown: { signals: false } });
    await request(await serve(app))
      .get('/users/1')
      .expect(200);

    await app.close();

    expect(stop).toHaveBeenCalled();
    await stop.mock.results[0]?.value;
    expect(shared.stats()).toMatchObject({ queued: 0, dropped: 0, connected: false });
    expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'users._id.GET.200': 1 });
  });

  it('stops the connector on a signal and leaves the app its own handler', async () => {
    const { app } = create({ stopOnShutdown: { signals: ['SIGWINCH'] } });
    await app.ready();
    const stop = jest.spyOn(app.statsd, 'stop');
    // SIGWINCH is ignored by default: raising it again cannot end the test process. Jest's
    // `process` is not the one the operating system signals, so the signal is emitted on it.
    const appHandler = jest.fn();
    process.once('SIGWINCH', appHandler);

    process.emit('SIGWINCH', 'SIGWINCH');

    expect(appHandler).toHaveBeenCalledTimes(1);
    expect(stop).toHaveBeenCalledTimes(1);
    await stop.mock.results[0]?.value;
    expect(app.statsd.stats().connected).toBe(false);
  });

  it('undoes the signal binding when the app closes', async () => {
    const before = process.listenerCount('SIGWINCH');
    const prefix = `undone.svc${++apps}`;
    const shared = sharedConnector(prefix);
    const app = Fastify();
    await app.register(statsdPlugin, {
      connector: shared,
      stopOnShutdown: { signals: ['SIGWINCH'] },
    });
    expect(process.listenerCount('SIGWINCH')).toBe(before + 1);

    await app.close();

    expect(process.listenerCount('SIGWINCH')).toBe(before);
  });

  it('binds SIGTERM and SIGINT when stopOnShutdown is true', async () => {
    const before = ['SIGTERM', 'SIGINT'].map((signal) => process.listenerCount(signal));
    const { app } = create({ stopOnShutdown: true });
    await app.ready();
    expect(['SIGTERM', 'SIGINT'].map((signal) => process.listenerCount(signal))).toEqual(
      before.map((count) => count + 1),
    );

    await app.close();

    expect(['SIGTERM', 'SIGINT'].map((signal) => process.listenerCount(signal))).toEqual(before);
  });
});
