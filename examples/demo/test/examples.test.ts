import type { Server } from 'node:http';
import type { Connector, StatsdEnvironment } from '@statsd/core';
import { createApp as createExpressApp } from '@statsd-examples/express-app';
import { createApp as createFastifyApp } from '@statsd-examples/fastify-app';
import { createApp as createKoaApp } from '@statsd-examples/koa-app';
import { runWorker, type WorkerSummary } from '@statsd-examples/worker';
import { StatsdDaemon } from '@statsd-internal/daemon';
import { formatReport } from '../src/report.js';
import { runDemo } from '../src/run-demo.js';
import { close, listen } from '../src/serve.js';
import { DEMO_CHECK, DEMO_EVENT } from '../src/tagged-app.js';
import { readSnapshot, requestsTimed } from '../src/snapshot.js';
import { visit, type Visit, type VisitOutcome } from '../src/traffic.js';
import type { DaemonSnapshot, DemoResult } from '../src/types.js';

function statsdEnv(daemon: StatsdDaemon, protocol: 'tcp' | 'udp'): StatsdEnvironment {
  return {
    STATSD_HOST: daemon.host,
    STATSD_PORT: String(protocol === 'tcp' ? daemon.tcpPort : daemon.udpPort),
    STATSD_PROTOCOL: protocol,
    NODE_ENV: 'acceptance',
  };
}

function get(path: string, abort = false): Visit {
  return { path, method: 'GET', abort, skipped: false };
}

describe('worker example', () => {
  let daemon: StatsdDaemon;
  let summary: WorkerSummary;
  let snapshot: DaemonSnapshot;
  const prefix = 'applications.worker.acceptance';

  beforeAll(async () => {
    daemon = await StatsdDaemon.start();
    summary = await runWorker({ jobs: 10, failEvery: 5, env: statsdEnv(daemon, 'tcp') });
    snapshot = await daemon.waitFor(
      readSnapshot,
      (s) => (s.timers[`${prefix}.timers.jobs.duration`]?.length ?? 0) >= 10,
    );
  });

  afterAll(() => daemon.stop());

  it('counts done and failed jobs when configured only by STATSD_* variables', () => {
    expect(summary).toMatchObject({ processed: 10, done: 8, failed: 2, prefix });
    expect(snapshot.counters[`${prefix}.counters.jobs.done`]).toBe(8);
    expect(snapshot.counters[`${prefix}.counters.jobs.failed`]).toBe(2);
  });

  it('brings the queue depth gauge down to 0 with negative deltas', () => {
    expect(snapshot.gauges[`${prefix}.gauges.queue.depth`]).toBe(0);
  });

  it('times every job, failures included, and the batch', () => {
    expect(snapshot.timers[`${prefix}.timers.jobs.duration`]).toHaveLength(10);
    expect(snapshot.timers[`${prefix}.timers.batch.duration`]).toHaveLength(1);
  });

  it('delivers everything before its stop resolves, with no bad lines', () => {
    expect(summary.stats).toMatchObject({ dropped: 0, queued: 0 });
    expect(summary.stats.sent).toBe(summary.stats.enqueued);
    expect(snapshot.badLines).toBe(0);
  });

  it('uses STATSD_PREFIX over the service name and reports over UDP', async () => {
    const env = { ...statsdEnv(daemon, 'udp'), STATSD_PREFIX: 'acceptance.udp-worker' };
    const result = await runWorker({ jobs: 3, failEvery: 0, env });
    expect(result.prefix).toBe('acceptance.udp-worker');
    const counters = await daemon.waitFor(
      (d) => d.counters(),
      (c) => c['acceptance.udp-worker.counters.jobs.done'] === 3,
    );
    expect(counters['acceptance.udp-worker.counters.jobs.failed']).toBeUndefined();
  });
});

interface AppUnderTest {
  readonly name: string;
  readonly protocol: 'tcp' | 'udp';
  start: (
    env: StatsdEnvironment,
    onError: (error: unknown) => void,
  ) => Promise<{ server: Server; port: number; connector: Connector }>;
}

const APPS: readonly AppUnderTest[] = [
  {
    name: 'express-app',
    protocol: 'tcp',
    start: async (env, onError) => {
      const { app, statsd } = createExpressApp({ statsd: { env }, onError });
      return { ...(await listen(app)), connector: statsd.connector };
    },
  },
  {
    name: 'koa-app',
    protocol: 'udp',
    start: async (env, onError) => {
      const { app, statsd } = createKoaApp({ statsd: { env }, onError });
      return { ...(await listen(app.callback())), connector: statsd.connector };
    },
  },
  {
    name: 'fastify-app',
    protocol: 'tcp',
    start: async (env, onError) => {
      const app = createFastifyApp({ statsd: { env }, onError });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as { port: number };
      return { server: app.server, port, connector: app.statsd };
    },
  },
];

describe.each(APPS)('$name example', ({ name, protocol, start }) => {
  const prefix = `applications.${name}.acceptance`;
  const timer = (path: string): readonly number[] | undefined =>
    snapshot.timers[`${prefix}.timers.${path}`];
  const randomPaths = ['/wp-login.php', '/.env', `/random/${Date.now().toString(36)}`];
  const requests: readonly Visit[] = [
    get('/'),
    get('/users/1'),
    get('/users/2'),
    get('/api/v1/items/42'),
    get('/fail'),
    get('/health'),
    get('/slow?ms=0'),
    get('/slow?ms=10000', true),
    ...randomPaths.map((path) => get(path)),
  ];
  let daemon: StatsdDaemon;
  let outcomes: VisitOutcome[];
  let snapshot: DaemonSnapshot;
  const appErrors: unknown[] = [];

  beforeAll(async () => {
    daemon = await StatsdDaemon.start();
    const app = await start(statsdEnv(daemon, protocol), (error) => appErrors.push(error));
    try {
      outcomes = await Promise.all(requests.map((target) => visit('127.0.0.1', app.port, target)));
      // Every request but /health is timed; the aborted one is recorded after the client left.
      await daemon.waitFor(readSnapshot, (s) => requestsTimed(s.timers, prefix) >= 10);
    } finally {
      await close(app.server);
      await app.connector.stop();
    }
    // Everything the connector sent has been parsed: nothing that should be absent comes later.
    const { sent } = app.connector.stats();
    snapshot = await daemon.waitFor(
      readSnapshot,
      (s) => (s.counters['statsd.metrics_received'] ?? 0) >= sent,
    );
  });

  afterAll(() => daemon.stop());

  it('answers as the client expects when requests succeed, fail, miss or are abandoned', () => {
    expect(outcomes).toEqual([200, 200, 200, 200, 500, 200, 200, 'aborted', 404, 404, 404]);
  });

  it('times a route by its template when it has a parameter', () => {
    expect(timer('users._id.GET.200')).toHaveLength(2);
    expect(timer('root.GET.200')).toHaveLength(1);
  });

  it('names a route of nested routers by its full template', () => {
    expect(timer('api.v1.items._id.GET.200')).toHaveLength(1);
  });

  it('records the handler metrics sent through the request helper', () => {
    expect(snapshot.counters[`${prefix}.counters.users.lookups`]).toBe(2);
    expect(timer('users.lookup')).toHaveLength(2);
  });

  it('records a thrown error with the 500 the client gets', () => {
    expect(timer('fail.GET.500')).toHaveLength(1);
  });

  it('puts every unknown URL into the one unmatched bucket', () => {
    expect(timer('unmatched.GET.404')).toHaveLength(randomPaths.length);
    const names = Object.keys(snapshot.timers).join('\n');
    expect(names).not.toMatch(/wp-login|random|\.env/);
  });

  it('tells an abandoned request from a completed one', () => {
    expect(timer('slow.GET.aborted')).toHaveLength(1);
    expect(timer('slow.GET.200')).toHaveLength(1);
  });

  it('skips the health check', () => {
    expect(Object.keys(snapshot.timers).filter((key) => key.includes('health'))).toEqual([]);
  });

  it('reports the failing handler to the application, and no client that went away', () => {
    const messages = appErrors.map((error) => (error as Error).message);
    expect(messages).toEqual(['Simulated failure in GET /fail']);
  });

  it('sends only lines the daemon accepts', () => {
    expect(snapshot.badLines).toBe(0);
  });
});

describe('demo', () => {
  let result: DemoResult;
  const lines: string[] = [];

  beforeAll(async () => {
    result = await runDemo({ log: (line) => lines.push(line) });
  });

  it('finishes with no problems when the daemon receives everything', () => {
    expect(result.problems).toEqual([]);
    expect(result.snapshot.badLines).toBe(0);
    expect(lines.length).toBeGreaterThan(0);
  });

  it('aggregates the request timers of every app and the worker counters', () => {
    const { counters, timers } = result.snapshot;
    for (const app of ['express-app', 'koa-app', 'fastify-app']) {
      const base = `applications.${app}.demo.timers`;
      expect(timers[`${base}.users._id.GET.200`]).toHaveLength(4);
      expect(timers[`${base}.api.v1.items._id.GET.200`]).toHaveLength(3);
      expect(timers[`${base}.fail.GET.500`]).toHaveLength(2);
      expect(timers[`${base}.slow.GET.aborted`]).toHaveLength(2);
      expect(timers[`${base}.unmatched.GET.404`]).toHaveLength(4);
    }
    expect(counters['applications.worker.demo.counters.jobs.done']).toBe(result.worker.done);
    expect(counters['applications.worker.demo.counters.jobs.failed']).toBe(result.worker.failed);
  });

  it('accounts every metric of every connector as sent', () => {
    for (const source of result.sources) {
      expect(source.stats).toMatchObject({ dropped: 0, queued: 0 });
      expect(source.stats.sent).toBeGreaterThan(0);
    }
  });

  it('prints a table with every source and metric name', () => {
    const report = formatReport(result);
    for (const source of result.sources) expect(report).toContain(source.prefix);
    expect(report).toContain('timers.api.v1.items._id.GET.200');
    expect(report).toContain('counters.jobs.done');
    expect(report).toContain('0 bad lines');
  });

  describe('tagged app', () => {
    it('tags request timers by route template, method and status with a dogstatsd connector', () => {
      const { tagged } = result;
      expect(tagged.dialect).toBe('dogstatsd');
      expect(tagged.requests).toEqual([
        { route: '/', method: 'GET', status: '200', count: 3 },
        { route: '/api/v1/items/:id', method: 'GET', status: '200', count: 3 },
        { route: '/fail', method: 'GET', status: '500', count: 2 },
        { route: '/slow', method: 'GET', status: '200', count: 1 },
        { route: '/slow', method: 'GET', status: 'aborted', count: 2 },
        { route: '/users/:id', method: 'GET', status: '200', count: 4 },
        { route: 'unmatched', method: 'DELETE', status: '404', count: 1 },
        { route: 'unmatched', method: 'GET', status: '404', count: 4 },
      ]);
    });

    it('sends DogStatsD lines: one timer name, the service and env as tags', () => {
      const timers = result.tagged.lines.filter((line) => line.includes('|ms|'));
      expect(timers.length).toBeGreaterThan(0);
      for (const line of timers) {
        expect(line).toMatch(
          /^(?:http\.request|users\.lookup):[\d.]+(?::[\d.]+)*\|ms\|#env:demo,service:express-app(?:,|$)/,
        );
      }
    });

    it('delivers one event and one service check to the sink', () => {
      expect(result.tagged.events).toEqual([
        expect.objectContaining({
          title: DEMO_EVENT.title,
          text: DEMO_EVENT.text,
          alertType: 'success',
          tags: ['env:demo', 'service:express-app'],
        }),
      ]);
      expect(result.tagged.checks).toEqual([
        expect.objectContaining({ name: DEMO_CHECK.name, status: 0, message: DEMO_CHECK.message }),
      ]);
    });

    it('accounts every metric as sent and received', () => {
      expect(result.tagged.stats).toMatchObject({ dropped: 0, queued: 0 });
      expect(result.tagged.received).toBe(result.tagged.stats.sent);
    });

    it('packs the values of one timer series that share a packet on one line', () => {
      const packed = result.tagged.lines.filter((line) =>
        /^http\.request:[\d.]+:[\d.]+/.test(line),
      );
      expect(packed.length).toBeGreaterThan(0);
      expect(result.tagged.lines.length).toBeLessThan(result.tagged.stats.sent);
    });

    it('prints the tagged timers, the event and the check next to the daemon tables', () => {
      const report = formatReport(result);
      expect(report).toMatch(/^ {2}\/users\/:id +GET +200 +4$/m);
      expect(report).toMatch(/^ {2}unmatched +GET +404 +4$/m);
      expect(report).toContain(`event "${DEMO_EVENT.title}" (success): ${DEMO_EVENT.text}`);
      expect(report).toContain(`service check ${DEMO_CHECK.name}, status 0 ok`);
      expect(report.indexOf('a dogstatsd connector')).toBeGreaterThan(
        report.indexOf('counters.jobs.done'),
      );
    });
  });
});
