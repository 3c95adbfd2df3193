import type { Server } from 'node:http';
import type Router from '@koa/router';
import type { Connector } from '@statsd/core';
import type Koa from 'koa';
import request from 'supertest';
import { statsdMiddleware } from '../src/index.js';
import type { StatsdMiddleware, StatsdMiddlewareOptions } from '../src/index.js';
import {
  KOA_MAJORS,
  close,
  daemonEnv,
  listen,
  routerFor,
  useDaemon,
  waitForTimers,
} from './support.js';
import type { StatsdDaemon } from './support.js';

type IsAny<T> = 0 extends 1 & T ? true : false;

describe.each(KOA_MAJORS)('statsdMiddleware configuration on %s', (_major, Koa) => {
  const Router = routerFor(Koa);
  let daemon: StatsdDaemon;
  let apps = 0;
  const cleanup = useDaemon((started) => {
    daemon = started;
  });

  function middleware(options: StatsdMiddlewareOptions): StatsdMiddleware {
    const statsd = statsdMiddleware(options);
    cleanup.push(() => statsd.connector.stop());
    return statsd;
  }

  /** An app with its own service name, so its keys never meet another test's. */
  function create(options: StatsdMiddlewareOptions = {}): {
    app: Koa;
    statsd: StatsdMiddleware;
    router: Router;
    prefix: string;
  } {
    const service = `svc${++apps}`;
    const statsd = middleware({ service, environment: 'test', env: daemonEnv(daemon), ...options });
    const app = new Koa();
    app.silent = true;
    const router = new Router();
    router.get('/users/:id', (ctx) => (ctx.body = 'user'));
    app.use(statsd).use(router.routes());
    return { app, statsd, router, prefix: `applications.${service}.test` };
  }

  async function serve(app: Koa): Promise<Server> {
    const server = await listen(app);
    cleanup.push(() => close(server));
    return server;
  }

  it('gives @koa/router handlers the connector as ctx.state.statsd, typed', async () => {
    const { app, statsd, router, prefix } = create();
    router.get('/lookup', async (ctx) => {
      const notAny: IsAny<typeof ctx.state.statsd> = false;
      const connector: Connector = ctx.state.statsd;
      ctx.state.statsd.incr('lookups');
      await ctx.state.statsd.time('lookup.work', () => Promise.resolve());
      ctx.body = { same: connector === statsd.connector, notAny };
    });

    await request(await serve(app))
      .get('/lookup')
      .expect(200, { same: true, notAny: false });

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

  it('delivers the queue and stops the connector when the server closes', async () => {
    const { app, statsd, prefix } = create();
    const server = await listen(app);
    const stop = jest.spyOn(statsd.connector, 'stop');
    statsd.stopOnShutdown(server, { signals: false });

    await request(server).get('/users/1').expect(200);
    await close(server);

    expect(stop).toHaveBeenCalledTimes(1);
    await stop.mock.results[0]?.value;
    expect(statsd.connector.stats()).toMatchObject({ queued: 0, dropped: 0, connected: false });
    expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'users._id.GET.200': 1 });
  });

  it('stops the connector on a signal and leaves the app its own handler', async () => {
    const { statsd } = create();
    const stop = jest.spyOn(statsd.connector, 'stop');
    // SIGWINCH is ignored by default: raising it again cannot end the test process. Jest's
    // `process` is not the one the operating system signals, so the signal is emitted on it.
    const before = process.listenerCount('SIGWINCH');
    const appHandler = jest.fn();
    process.once('SIGWINCH', appHandler);
    statsd.stopOnShutdown(undefined, { signals: ['SIGWINCH'] });

    process.emit('SIGWINCH', 'SIGWINCH');

    expect(appHandler).toHaveBeenCalledTimes(1);
    expect(stop).toHaveBeenCalledTimes(1);
    await stop.mock.results[0]?.value;
    expect(statsd.connector.stats().connected).toBe(false);
    expect(process.listenerCount('SIGWINCH')).toBe(before);
  });

  it('undoes the binding when the returned function is called', async () => {
    const { app, statsd } = create();
    const server = await listen(app);
    const stop = jest.spyOn(statsd.connector, 'stop');
    const before = process.listenerCount('SIGWINCH');
    const detach = statsd.stopOnShutdown(server, { signals: ['SIGWINCH'] });
    expect(process.listenerCount('SIGWINCH')).toBe(before + 1);

    detach();
    await close(server);

    expect(stop).not.toHaveBeenCalled();
    expect(process.listenerCount('SIGWINCH')).toBe(before);
  });
});
