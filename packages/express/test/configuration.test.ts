import { once } from 'node:events';
import { Connector } from '@statsd/core';
import request from 'supertest';
import {
  daemonOptions,
  listen,
  timersOf,
  tracked,
  waitForTimer,
  whenStopped,
  within,
  describeEachExpress,
} from './helpers/harness.js';

describeEachExpress('configuration', (express, suite) => {
  it('takes host, port, protocol and prefix from the env option alone', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(
      tracked({
        env: {
          STATSD_HOST: suite.daemon.host,
          STATSD_PORT: String(suite.daemon.udpPort),
          STATSD_PROTOCOL: 'udp',
          STATSD_PREFIX: prefix,
        },
      }),
    );
    app.get('/env', (_req, res) => {
      res.send('ok');
    });
    const server = await listen(app);

    await request(server).get('/env').expect(200);

    await waitForTimer(suite.daemon, `${prefix}.timers.env.GET.200`);
  });

  it('builds the prefix applications.<service>.<environment> from service and environment', async () => {
    const service = suite.nextName();
    const app = express();
    const statsd = tracked({
      service,
      environment: 'production',
      env: { STATSD_HOST: suite.daemon.host, STATSD_PORT: String(suite.daemon.tcpPort) },
    });
    app.use(statsd);
    app.get('/users/:id', (_req, res) => {
      res.locals.statsd.incr('lookups');
      res.send('ok');
    });
    const server = await listen(app);

    await request(server).get('/users/1').expect(200);

    await waitForTimer(suite.daemon, `applications.${service}.production.timers.users._id.GET.200`);
    const counters = await suite.daemon.counters();
    expect(counters[`applications.${service}.production.counters.lookups`]).toBe(1);
    expect(statsd.connector.prefix).toBe(`applications.${service}.production`);
  });

  it('records with a shared connector, which handlers reach through res.locals.statsd', async () => {
    const prefix = suite.nextName();
    const shared = new Connector({ host: suite.daemon.host, port: suite.daemon.tcpPort, prefix });
    const app = express();
    const statsd = tracked({ connector: shared });
    app.use(statsd);
    let seen: Connector | undefined;
    app.get('/reports/:id', async (_req, res) => {
      seen = res.locals.statsd;
      res.locals.statsd.incr('reports.built');
      res.locals.statsd.timing('reports.query', 0.25);
      const size = await res.locals.statsd.time('reports.render', () => Promise.resolve(3));
      res.send(`size ${size}`);
    });
    const server = await listen(app);

    await request(server).get('/reports/1').expect(200, 'size 3');

    await waitForTimer(suite.daemon, `${prefix}.timers.reports._id.GET.200`);
    expect(statsd.connector).toBe(shared);
    expect(seen).toBe(shared);
    const timers = await timersOf(suite.daemon, prefix);
    expect(timers[`${prefix}.timers.reports.query`]).toEqual([250]);
    expect(timers[`${prefix}.timers.reports.render`]).toHaveLength(1);
    expect((await suite.daemon.counters())[`${prefix}.counters.reports.built`]).toBe(1);
  });

  it('delivers the queue and stops the connector when the server closes, after stopOnShutdown(server)', async () => {
    const prefix = suite.nextName();
    const app = express();
    const statsd = tracked(daemonOptions(suite.daemon, prefix));
    app.use(statsd);
    app.get('/last', (_req, res) => {
      res.send('bye');
    });
    const server = await listen(app);
    const sigterm = process.listenerCount('SIGTERM');
    const stopped = whenStopped(statsd.connector);

    statsd.stopOnShutdown(server);
    expect(process.listenerCount('SIGTERM')).toBe(sigterm + 1);
    await request(server).get('/last').expect(200);
    server.close();
    await once(server, 'close');

    await within(stopped, 5000, 'the connector to stop after the server closed');
    expect(statsd.connector.stats()).toMatchObject({ connected: false, queued: 0, dropped: 0 });
    expect(process.listenerCount('SIGTERM')).toBe(sigterm);
    await waitForTimer(suite.daemon, `${prefix}.timers.last.GET.200`);
  });
});
