import { performance } from 'node:perf_hooks';
import type { FakeStatsdServer } from '../src/testing/index.js';
import {
  closedPort,
  connectorFor,
  errorLog,
  expectBalanced,
  serverFor,
  stopConnectors,
  stopServers,
  until,
} from './helpers/connector-harness.js';

function tcpServer(port?: number): Promise<FakeStatsdServer> {
  return serverFor({ protocol: 'tcp', port });
}

afterEach(async () => {
  await stopConnectors();
  await stopServers();
});

/** Runs `stop()` and returns how long it took, in milliseconds. */
async function timedStop(statsd: { stop(): Promise<void> }): Promise<number> {
  const started = performance.now();
  await statsd.stop();
  return performance.now() - started;
}

describe('Connector.stop', () => {
  it('resolves within stopTimeout and drops exactly what was queued when the server is never up', async () => {
    const port = await closedPort('tcp');
    const { errors, onError } = errorLog();
    const stopTimeout = 500;
    const statsd = connectorFor({ host: '127.0.0.1', port, stopTimeout, onError });
    await statsd.start();
    for (let i = 0; i < 5; i++) statsd.incr('jobs');
    statsd.gauge('level', -1);
    statsd.timing('db', 0.1);
    // A bound for correctness (stop() must not hang), far above the deadline itself.
    expect(await timedStop(statsd)).toBeLessThan(stopTimeout + 1000);
    const stats = statsd.stats();
    expect(stats).toMatchObject({ enqueued: 7, sent: 0, dropped: 7, queued: 0, queuedBytes: 0 });
    expect(stats.dropReasons.stopTimeout).toBe(7);
    expectBalanced(stats);
    const stopError = errors.find((error) => error.code === 'ERR_STATSD_STOP_TIMEOUT');
    expect(stopError?.message).toMatch(/could not deliver 7 queued metrics/);
    expect(errors.some((error) => error.code === 'ERR_STATSD_TRANSPORT')).toBe(true);
  });

  it('resolves within stopTimeout and drops the queue when the server went away before the stop', async () => {
    const server = await tcpServer();
    const stopTimeout = 500;
    const statsd = connectorFor({
      host: server.host,
      port: server.port,
      stopTimeout,
    });
    await statsd.start();
    statsd.incr('before');
    await server.waitForLines(1);
    await server.stop();
    await until(() => !statsd.stats().connected, 'the closed connection to be noticed');
    statsd.incr('after', 1);
    statsd.incr('after', 2);
    expect(await timedStop(statsd)).toBeLessThan(stopTimeout + 1000);
    expect(statsd.stats()).toMatchObject({ enqueued: 3, sent: 1, dropped: 2, queued: 0 });
    expect(statsd.stats().dropReasons.stopTimeout).toBe(2);
  });

  it('drops nothing when the server is down but nothing is queued', async () => {
    const port = await closedPort('tcp');
    const statsd = connectorFor({ host: '127.0.0.1', port, stopTimeout: 500 });
    await statsd.start();
    await statsd.stop();
    expect(statsd.stats()).toMatchObject({ enqueued: 0, dropped: 0, queued: 0 });
  });

  it('resolves every call when stop() is called twice at once and again later', async () => {
    const server = await tcpServer();
    const statsd = connectorFor({ host: server.host, port: server.port });
    await statsd.start();
    statsd.incr('jobs');
    await Promise.all([statsd.stop(), statsd.stop()]);
    await statsd.stop();
    expect(statsd.stats()).toMatchObject({ sent: 1, dropped: 0, connected: false });
    expect(await server.waitForLines(1)).toEqual(['counters.jobs:1|c']);
  });

  it('resolves at once when the connector was never started', async () => {
    const port = await closedPort('tcp');
    const statsd = connectorFor({ host: '127.0.0.1', port, stopTimeout: 60_000 });
    statsd.incr('jobs');
    await statsd.stop();
    expect(statsd.stats()).toMatchObject({ enqueued: 1, queued: 1, dropped: 0 });
  });
});

describe('Connector.start', () => {
  it('opens one connection when start() is called twice', async () => {
    const server = await tcpServer();
    const statsd = connectorFor({ host: server.host, port: server.port });
    await Promise.all([statsd.start(), statsd.start()]);
    await statsd.start();
    statsd.incr('jobs');
    expect(await server.waitForLines(1)).toEqual(['counters.jobs:1|c']);
    await statsd.stop();
    expect(server.connectionsAccepted).toBe(1);
  });

  it('delivers metrics recorded before start() once started', async () => {
    const server = await tcpServer();
    const statsd = connectorFor({ host: server.host, port: server.port });
    statsd.incr('early');
    statsd.gauge('level', 3);
    expect(statsd.stats()).toMatchObject({ enqueued: 2, queued: 2, connected: false });
    await statsd.start();
    expect(await server.waitForLines(2)).toEqual(['counters.early:1|c', 'gauges.level:3|g']);
  });

  it('connects and delivers again when a stopped connector is started again', async () => {
    const server = await tcpServer();
    const statsd = connectorFor({ host: server.host, port: server.port });
    await statsd.start();
    statsd.incr('first');
    await statsd.stop();
    statsd.incr('between');
    expect(statsd.stats()).toMatchObject({ sent: 1, queued: 1, connected: false });
    await statsd.start();
    statsd.incr('second');
    expect(await server.waitForLines(3)).toEqual([
      'counters.first:1|c',
      'counters.between:1|c',
      'counters.second:1|c',
    ]);
    expect(await statsd.flush()).toBe(true);
    expect(statsd.stats()).toMatchObject({ enqueued: 3, sent: 3, queued: 0 });
    expect(server.connectionsAccepted).toBe(2);
  });

  it('waits for a stop in progress before starting again', async () => {
    const port = await closedPort('tcp');
    const statsd = connectorFor({ host: '127.0.0.1', port, stopTimeout: 300 });
    await statsd.start();
    statsd.incr('early');
    const order: string[] = [];
    const stopping = statsd.stop().then(() => order.push('stopped'));
    const server = await tcpServer(port);
    await statsd.start();
    order.push('started');
    await stopping;
    expect(order).toEqual(['stopped', 'started']);
    statsd.incr('kept');
    await until(() => server.lines.includes('counters.kept:1|c'), 'the metric sent after start');
    expect(server.lines.at(-1)).toBe('counters.kept:1|c');
    // The stop may still have delivered the early metric to the server that came up meanwhile.
    const stats = statsd.stats();
    expect(stats.dropReasons.stopTimeout + stats.sent).toBe(2);
  });
});

describe('Connector.flush', () => {
  it('resolves false when the server is down and true once the queue is delivered', async () => {
    const port = await closedPort('tcp');
    const statsd = connectorFor({ host: '127.0.0.1', port });
    await statsd.start();
    statsd.incr('jobs');
    expect(await statsd.flush(50)).toBe(false);
    const server = await tcpServer(port);
    expect(await statsd.flush(5000)).toBe(true);
    expect(await server.waitForLines(1)).toEqual(['counters.jobs:1|c']);
    expectBalanced(statsd.stats());
  });
});
