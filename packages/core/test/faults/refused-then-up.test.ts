import net from 'node:net';
import { FakeStatsdServer } from '../../src/testing/index.js';
import {
  closedPort,
  connectorFor,
  errorLog,
  expectBalanced,
  stopConnectors,
  until,
} from '../helpers/connector-harness.js';
import { expectIntactSequence } from './fault-peers.js';

let server: FakeStatsdServer | undefined;

afterEach(async () => {
  jest.restoreAllMocks();
  await stopConnectors();
  await server?.stop();
});

describe('Connector when the server refuses connections, then comes up', () => {
  it('retries within its backoff bounds and delivers the backlog in order once it is up', async () => {
    const port = await closedPort('tcp');
    const attempts: number[] = [];
    const connect = net.connect.bind(net);
    jest.spyOn(net, 'connect').mockImplementation((...args: Parameters<typeof net.connect>) => {
      attempts.push(performance.now());
      return connect(...args);
    });
    const { errors, onError } = errorLog();
    const reconnectMinDelay = 20;
    const reconnectMaxDelay = 80;
    const statsd = connectorFor({
      host: '127.0.0.1',
      port,
      reconnectMinDelay,
      reconnectMaxDelay,
      onError,
    });
    await statsd.start();
    let total = 0;
    while (attempts.length < 8) {
      for (let i = 0; i < 100; i++) statsd.incr(`seq.${total++}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(statsd.stats()).toMatchObject({ connected: false, queued: total, sent: 0 });
    server = await FakeStatsdServer.start({ protocol: 'tcp', port });
    const up = attempts.length;
    await until(() => statsd.stats().connected, 'the connection', 5000);
    for (let i = 0; i < 100; i++) statsd.incr(`seq.${total++}`);
    await server.waitForLines(total);
    await statsd.stop();
    const stats = statsd.stats();
    expect(stats).toMatchObject({ enqueued: total, sent: total, dropped: 0, queued: 0 });
    expectBalanced(stats);
    expectIntactSequence(server.lines, total);
    // Never sooner than reconnectMinDelay (timers may fire up to 1 ms early by the clock read
    // here), and, once the server is up, connected within a couple of the longest delays.
    const gaps = attempts.slice(1, up + 1).map((at, i) => at - (attempts[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(reconnectMinDelay - 1);
    expect(attempts.length - up).toBeLessThanOrEqual(2);
    expect(errors.every((error) => error.code === 'ERR_STATSD_TRANSPORT')).toBe(true);
    expect(errors[0]?.message).toMatch(/cannot connect .*ECONNREFUSED/);
  });
});
