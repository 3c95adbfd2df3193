import request from 'supertest';
import type {
  AdapterDriver,
  AdapterOptions,
  AppSpec,
  Route,
  StartedApp,
} from './adapter-driver.js';
import { daemonEnv, waitForTimers } from './timers.js';
import { useDaemonWithCleanup } from './use-daemon.js';
import type { StatsdDaemon } from '../src/index.js';

/**
 * The options every adapter reads the same way: `skip`, the `env` option alone,
 * `STATSD_ENABLED`, a shared `connector`, `status`, and `routeName` (used, falling back, throwing).
 */
export function describeConfiguration(driver: AdapterDriver): void {
  describe(`configuration on ${driver.name}`, () => {
    let daemon: StatsdDaemon;
    let apps = 0;
    const cleanup = useDaemonWithCleanup((started) => {
      daemon = started;
    });

    async function startWith(options: AdapterOptions, spec: AppSpec = {}): Promise<StartedApp> {
      const routes = [{ path: '/users/:id', handler: () => 'user' }, ...(spec.routes ?? [])];
      const app = await driver.start(options, { ...spec, routes });
      cleanup.push(() => app.close());
      return app;
    }

    /** An app serving `/users/:id` with its own service name, so its keys meet no other test's. */
    async function start(
      options: AdapterOptions = {},
      spec: AppSpec = {},
    ): Promise<{ app: StartedApp; prefix: string }> {
      const service = `svc${++apps}`;
      const env = daemonEnv(daemon);
      const app = await startWith({ service, environment: 'test', env, ...options }, spec);
      return { app, prefix: `applications.${service}.test` };
    }

    it('leaves skipped requests untimed and still gives them the connector', async () => {
      const health: Route = {
        path: '/health',
        handler: ({ statsd }) => {
          statsd.incr('health.checks');
          return 'ok';
        },
      };
      const { app, prefix } = await start(
        { skip: (path) => path === '/health' },
        { routes: [health] },
      );

      for (let i = 0; i < 3; i++) await request(app.server).get('/health').expect(200, 'ok');
      await request(app.server).get('/users/1').expect(200);

      // One TCP connection keeps the order: the health checks' lines came before the user's timer.
      expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'users._id.GET.200': 1 });
      expect((await daemon.counters())[`${prefix}.counters.health.checks`]).toBe(3);
    });

    it('reads host, port, protocol and prefix from the env option alone', async () => {
      const prefix = `envonly.svc${++apps}`;
      const app = await startWith({ env: daemonEnv(daemon, { STATSD_PREFIX: prefix }) });

      await request(app.server).get('/users/1').expect(200);

      expect(app.connector.prefix).toBe(prefix);
      expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'users._id.GET.200': 1 });
    });

    it('serves requests and sends nothing when STATSD_ENABLED is false', async () => {
      const disabledPrefix = `disabled.svc${++apps}`;
      const count: Route = {
        path: '/count',
        handler: ({ statsd }) => {
          statsd.incr('lookups');
          return 'counted';
        },
      };
      const app = await startWith(
        { env: daemonEnv(daemon, { STATSD_PREFIX: disabledPrefix, STATSD_ENABLED: 'false' }) },
        { routes: [count] },
      );

      await request(app.server).get('/count').expect(200, 'counted');
      await request(app.server).get('/nowhere').expect(404);

      expect(app.connector.enabled).toBe(false);
      expect(app.connector.stats()).toMatchObject({ enqueued: 0, sent: 0, connected: false });
      // A line from an enabled app afterwards: when it has arrived, nothing else is on its way.
      const { app: enabledApp, prefix } = await start();
      await request(enabledApp.server).get('/users/1').expect(200);
      await waitForTimers(daemon, prefix, 1);
      const keys = [...Object.keys(await daemon.timers()), ...Object.keys(await daemon.counters())];
      expect(keys.filter((key) => key.startsWith(disabledPrefix))).toEqual([]);
    });

    it('records every app through one shared connector and leaves it running when they close', async () => {
      const prefix = `shared.svc${++apps}`;
      const shared = driver.createConnector({ host: daemon.host, port: daemon.tcpPort, prefix });
      cleanup.push(() => shared.stop());
      for (const name of ['orders', 'billing']) {
        const app = await driver.start(
          { connector: shared },
          { routes: [{ path: `/${name}`, handler: () => name }] },
        );
        expect(app.connector).toBe(shared);
        await request(app.server).get(`/${name}`).expect(200, name);
        await app.close();
      }
      shared.incr('jobs.done');

      expect(await waitForTimers(daemon, prefix, 2)).toEqual({
        'orders.GET.200': 1,
        'billing.GET.200': 1,
      });
      const counters = await daemon.waitFor(
        (d) => d.counters(),
        (c) => c[`${prefix}.counters.jobs.done`] === 1,
      );
      expect(counters[`${prefix}.counters.jobs.done`]).toBe(1);
    });

    it('writes the status class when status is class', async () => {
      const { app, prefix } = await start({ status: 'class' });

      await request(app.server).get('/users/1').expect(200);
      await request(app.server).get('/users/2').expect(200);
      await request(app.server).get('/nowhere').expect(404);

      expect(await waitForTimers(daemon, prefix, 3)).toEqual({
        'users._id.GET.2xx': 2,
        'unmatched.GET.4xx': 1,
      });
    });

    it('writes the status class and code when status is both', async () => {
      const { app, prefix } = await start({ status: 'both' });

      await request(app.server).get('/users/1').expect(200);

      expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'users._id.GET.2xx.200': 1 });
    });

    it('names requests with routeName and falls back to the template when it returns nothing', async () => {
      const { app, prefix } = await start(
        {
          routeName: (path, status) =>
            path.startsWith('/assets/') && status === 200 ? '/assets' : undefined,
        },
        // Files served by a fallback, as a catch-all would serve them.
        { fallback: (path) => (path.startsWith('/assets/') ? 'asset' : undefined) },
      );

      await request(app.server).get('/assets/app.js').expect(200, 'asset');
      await request(app.server).get('/assets/app.css').expect(200, 'asset');
      await request(app.server).get('/users/1').expect(200);
      await request(app.server).get('/nowhere').expect(404);

      expect(await waitForTimers(daemon, prefix, 4)).toEqual({
        'assets.GET.200': 2,
        'users._id.GET.200': 1,
        'unmatched.GET.404': 1,
      });
    });

    it('uses the default name, keeps serving and reports it when routeName throws', async () => {
      const reports: Array<{ code: string; cause?: unknown }> = [];
      const { app, prefix } = await start({
        routeName: () => {
          throw new Error('naming bug');
        },
        onError: (error) => reports.push(error),
      });

      await request(app.server).get('/users/1').expect(200, 'user');

      expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'users._id.GET.200': 1 });
      expect(reports.map((error) => [error.code, (error.cause as Error).message])).toEqual([
        ['ERR_STATSD_REQUEST_HOOK', 'naming bug'],
      ]);
    });
  });
}
