import {
  connectorFor,
  errorLog,
  expectBalanced,
  nextTurn,
  serverFor,
  stopConnectors,
  stopServers,
  until,
} from '../helpers/connector-harness.js';
import { expectIntactSequence } from './fault-peers.js';

/** Keeps the event loop busy for `ms` milliseconds, as a long synchronous task would. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Busy: no timer, no I/O callback runs meanwhile.
  }
}

afterEach(async () => {
  await stopConnectors();
  await stopServers();
});

describe('Connector when the event loop is blocked', () => {
  it('keeps a connection whose handshake completed while the loop was blocked past connectTimeout', async () => {
    const server = await serverFor({ protocol: 'tcp' });
    const { errors, onError } = errorLog();
    const statsd = connectorFor({
      host: server.host,
      port: server.port,
      connectTimeout: 100,
      onError,
    });
    // start() calls net.connect, which connects on the next tick; block right after that.
    void statsd.start();
    process.nextTick(() => block(400));
    statsd.incr('after.block');
    expect(await server.waitForLines(1)).toEqual(['counters.after.block:1|c']);
    await until(() => statsd.stats().connected, 'the connection');
    await nextTurn();
    expect(errors.map((error) => error.message)).toEqual([]);
    expect(server.connectionsAccepted).toBe(1);
    expect(statsd.stats()).toMatchObject({ reconnects: 0, sent: 1, dropped: 0 });
  });

  it('loses nothing when the loop is blocked for 2 s mid-stream', async () => {
    const server = await serverFor({ protocol: 'tcp' });
    const statsd = connectorFor({ host: server.host, port: server.port });
    await statsd.start();
    let total = 0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 250; i++) statsd.incr(`seq.${total++}`);
      if (round === 20) block(2000);
      await nextTurn();
    }
    await server.waitForLines(total);
    await statsd.stop();
    const stats = statsd.stats();
    expect(stats).toMatchObject({ enqueued: total, sent: total, dropped: 0, queued: 0 });
    expect(stats.reconnects).toBe(0);
    expectBalanced(stats);
    expectIntactSequence(server.lines, total);
  });
});
