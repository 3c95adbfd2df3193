import { ErrorCode } from '../src/errors.js';
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

// Far beyond Jest's test timeout: a stop() that waited for it would fail the test.
const FOREVER = 600_000;

afterEach(async () => {
  await stopConnectors();
  await stopServers();
});

describe('Connector.stop with the server down', () => {
  it('returns without waiting for stopTimeout when the server refused the last attempt', async () => {
    const port = await closedPort('tcp');
    const { errors, onError } = errorLog();
    const statsd = connectorFor({
      host: '127.0.0.1',
      port,
      stopTimeout: FOREVER,
      reconnectMinDelay: 60_000,
      reconnectMaxDelay: 60_000,
      onError,
    });
    await statsd.start();
    await until(() => errors.length > 0, 'the refused connection to be reported');
    for (let i = 0; i < 5; i++) statsd.incr('jobs');

    await statsd.stop();

    const stats = statsd.stats();
    expect(stats).toMatchObject({ enqueued: 5, sent: 0, dropped: 5, queued: 0, connected: false });
    expect(stats.dropReasons.stopTimeout).toBe(5);
    expectBalanced(stats);
    const stopError = errors.find((error) => error.code === ErrorCode.StopTimeout);
    expect(stopError?.message).toBe(
      `stop() could not deliver 5 queued metrics: StatsD at 127.0.0.1:${port} is unreachable ` +
        '(the last connection attempt failed); they were dropped',
    );
  });

  it('returns once the connection attempt in progress at stop() is refused', async () => {
    const port = await closedPort('tcp');
    const { errors, onError } = errorLog();
    const statsd = connectorFor({ host: '127.0.0.1', port, stopTimeout: FOREVER, onError });
    await statsd.start();
    statsd.incr('jobs');

    await statsd.stop();

    expect(statsd.stats()).toMatchObject({ enqueued: 1, dropped: 1, queued: 0 });
    expect(statsd.stats().dropReasons.stopTimeout).toBe(1);
    const refused = errors.find((error) => error.code === ErrorCode.Transport);
    expect(refused?.message).toMatch(/cannot connect/);
    expect(refused?.message).not.toMatch(/retrying/);
  });

  it('still reconnects at stop() and delivers when the connection was lost, not refused', async () => {
    const server = await serverFor({ protocol: 'tcp' });
    const port = server.port;
    const statsd = connectorFor({
      host: server.host,
      port,
      stopTimeout: FOREVER,
      reconnectMinDelay: 60_000,
      reconnectMaxDelay: 60_000,
    });
    await statsd.start();
    statsd.incr('before');
    await server.waitForLines(1);
    await server.stop();
    await until(() => !statsd.stats().connected, 'the closed connection to be noticed');
    const again = await serverFor({ protocol: 'tcp', port });
    statsd.incr('after');

    await statsd.stop();

    expect(await again.waitForLines(1)).toEqual(['counters.after:1|c']);
    expect(statsd.stats()).toMatchObject({ enqueued: 2, sent: 2, dropped: 0 });
  });
});

describe('a refused TCP connection', () => {
  it('is reported with the hint that the server may listen on UDP only, and how to switch', async () => {
    const port = await closedPort('tcp');
    const { errors, onError } = errorLog();
    const statsd = connectorFor({ host: '127.0.0.1', port, onError });
    await statsd.start();
    await until(() => errors.length > 0, 'the refused connection to be reported');

    const message = errors[0]?.message ?? '';
    expect(errors[0]?.code).toBe(ErrorCode.Transport);
    expect(message).toMatch(/ECONNREFUSED/);
    expect(message).toMatch(/may listen on UDP only/);
    expect(message).toContain("`protocol: 'udp'`");
    expect(message).toContain('STATSD_PROTOCOL=udp');
  });
});
