import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeStatsdServer } from '../src/testing/index.js';
import {
  connectorFor,
  errorLog,
  expectBalanced,
  nextTurn,
  serverFor,
  stopConnectors,
  stopServers,
  until,
} from './helpers/connector-harness.js';

function tcpServer(options: { port?: number; read?: boolean } = {}): Promise<FakeStatsdServer> {
  return serverFor({ protocol: 'tcp', ...options });
}

/** Everything the server read, as one string: shows blank lines the line list leaves out. */
function rawStream(server: FakeStatsdServer): string {
  return Buffer.concat(server.packets.map((packet) => packet.data)).toString('utf8');
}

// A long name makes each line ~120 bytes, so a few thousand calls fill the socket buffers.
const LONG = 'x'.repeat(100);

afterEach(async () => {
  jest.restoreAllMocks();
  await stopConnectors();
  await stopServers();
});

describe('Connector over TCP', () => {
  it('reconnects without duplicating or breaking lines when the server resets the connection', async () => {
    const server = await tcpServer();
    const { errors, onError } = errorLog();
    const statsd = connectorFor({ host: server.host, port: server.port, onError });
    await statsd.start();
    const first = Array.from({ length: 10 }, (_, i) => `counters.first.${i}:1|c`);
    const second = Array.from({ length: 10 }, (_, i) => `counters.second.${i}:1|c`);
    for (let i = 0; i < 10; i++) statsd.incr(`first.${i}`);
    await server.waitForLines(10);
    server.resetConnections();
    await until(() => !statsd.stats().connected, 'the reset to be noticed');
    for (let i = 0; i < 10; i++) statsd.incr(`second.${i}`);
    expect(await server.waitForLines(20)).toEqual([...first, ...second]);
    expect(await statsd.flush()).toBe(true);
    expect(rawStream(server)).toBe([...first, ...second].join('\n') + '\n');
    expect(server.connectionsAccepted).toBe(2);
    expect(statsd.stats()).toMatchObject({ reconnects: 1, sent: 20, dropped: 0, queued: 0 });
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      ['ERR_STATSD_TRANSPORT', expect.stringMatching(/lost the connection .*(ECONNRESET|EPIPE)/)],
    ]);
  });

  it('delivers metrics sent while disconnected in order when the server comes back', async () => {
    const first = await tcpServer();
    const port = first.port;
    const statsd = connectorFor({ host: first.host, port, prefix: 'app' });
    await statsd.start();
    await until(() => statsd.stats().connected, 'the first connection');
    await first.stop();
    await until(() => !statsd.stats().connected, 'the closed connection to be noticed');
    const expected: string[] = [];
    for (let i = 0; i < 50; i++) {
      if (i % 3 === 0) {
        statsd.incr(`jobs.${i}`, i);
        expected.push(`app.counters.jobs.${i}:${i}|c`);
      } else if (i % 3 === 1) {
        statsd.gauge('level', i);
        expected.push(`app.gauges.level:${i}|g`);
      } else {
        statsd.timing('db', i / 1000);
        expected.push(`app.timers.db:${i}|ms`);
      }
      if (i % 10 === 9) await nextTurn();
    }
    expect(statsd.stats().queued).toBe(50);
    const second = await tcpServer({ port });
    expect(await second.waitForLines(50)).toEqual(expected);
    expect(rawStream(second)).toBe(expected.join('\n') + '\n');
    expect(statsd.stats()).toMatchObject({ reconnects: 1, sent: 50, dropped: 0, queued: 0 });
  });

  it('resends the writes cut off by a dying connection whole, once, and in order', async () => {
    const stalled = await tcpServer({ read: false });
    const port = stalled.port;
    const statsd = connectorFor({
      host: stalled.host,
      port,
      maxQueueSize: 10_000_000,
      maxQueueBytes: 64 * 1024 * 1024,
    });
    await statsd.start();
    await until(() => statsd.stats().connected, 'the connection');
    // Fill the kernel's buffers until writes wait in the socket: those are the ones in flight.
    let total = 0;
    for (let round = 0; round < 500; round++) {
      for (let i = 0; i < 2000; i++) statsd.incr(`${LONG}.${total++}`);
      if (!(await statsd.flush(200))) break;
    }
    const blocked = statsd.stats();
    expect(blocked.queued).toBeGreaterThan(0);
    expect(blocked.dropped).toBe(0);
    // Closing a connection with unread data resets it: every write still waiting fails.
    await stalled.stop();
    await until(() => !statsd.stats().connected, 'the reset to be noticed');
    // What the first server's kernel accepted was counted as sent and went down with it (that is
    // TCP); everything else must arrive on the next connection whole, once and in order.
    const sentBefore = statsd.stats().sent;
    expect(sentBefore).toBeLessThan(total);
    const reading = await tcpServer({ port });
    await reading.waitForLines(total - sentBefore);
    // A graceful stop ends the stream after the last write: a late duplicate would be counted.
    await statsd.stop();
    expect(statsd.stats()).toMatchObject({
      enqueued: total,
      sent: total,
      dropped: 0,
      queued: 0,
      reconnects: 1,
    });
    expect(reading.received).toBe(total - sentBefore);
    const expected = Array.from(
      { length: total - sentBefore },
      (_, i) => `counters.${LONG}.${sentBefore + i}:1|c`,
    );
    expect(rawStream(reading)).toBe(expected.join('\n') + '\n');
  });

  it('keeps every line whole and writes none more than twice when the connection resets mid-burst', async () => {
    const server = await tcpServer();
    const statsd = connectorFor({
      host: server.host,
      port: server.port,
      maxQueueSize: 1_000_000,
    });
    await statsd.start();
    await until(() => statsd.stats().connected, 'the connection');
    let total = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 1000; i++) statsd.incr(`burst.${total++}`);
      if (round === 10) server.resetConnections();
      await nextTurn();
    }
    await until(() => statsd.stats().queued === 0, 'the queue to drain');
    await statsd.stop();
    const stats = statsd.stats();
    expect(stats).toMatchObject({ enqueued: total, sent: total, dropped: 0, queued: 0 });
    expect(stats.reconnects).toBeGreaterThanOrEqual(1);
    // A write cut off mid-packet leaves an unterminated tail the server discards; the packet
    // is then resent whole, so the lines it completed before the cut may arrive twice.
    const times = new Map<string, number>();
    const broken: string[] = [];
    for (const line of server.lines) {
      if (!/^counters\.burst\.\d+:1\|c$/.test(line)) broken.push(line);
      times.set(line, (times.get(line) ?? 0) + 1);
    }
    expect(broken).toEqual([]);
    expect(Math.max(...times.values())).toBeLessThanOrEqual(2);
    const raw = rawStream(server);
    expect(raw.startsWith('\n') || raw.includes('\n\n')).toBe(false);
  });

  it('keeps memory bounded and counts drops as queueFull when the peer never reads', async () => {
    const server = await tcpServer({ read: false });
    const { errors, onError } = errorLog();
    const maxQueueBytes = 64 * 1024;
    const maxPacketSize = 1432;
    const statsd = connectorFor({
      host: server.host,
      port: server.port,
      maxQueueBytes,
      maxPacketSize,
      // The stalled queue can never drain: the stop after the test need not wait long for it.
      stopTimeout: 100,
      onError,
    });
    await statsd.start();
    await until(() => statsd.stats().connected, 'the connection');
    for (let round = 0; round < 500 && statsd.stats().dropReasons.queueFull === 0; round++) {
      for (let i = 0; i < 2000; i++) statsd.incr(`${LONG}.${i}`);
      await nextTurn();
    }
    await nextTurn();
    const stats = statsd.stats();
    expect(stats.dropReasons.queueFull).toBeGreaterThan(0);
    expect(stats.dropped).toBe(stats.dropReasons.queueFull);
    // Packets being written count against the bound too.
    expect(stats.queuedBytes).toBeLessThanOrEqual(maxQueueBytes);
    expectBalanced(stats);
    expect(errors[0]?.code).toBe('ERR_STATSD_QUEUE_FULL');
  });

  it('delivers newline-terminated lines when the stream is a unix socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statsd-core-'));
    try {
      const server = await serverFor({ protocol: 'unix', path: join(dir, 's.sock') });
      const statsd = connectorFor({ protocol: 'unix', path: server.path, prefix: 'app' });
      await statsd.start();
      statsd.incr('jobs');
      statsd.gauge('level', -2);
      await statsd.stop();
      expect(await server.waitForLines(3)).toEqual([
        'app.counters.jobs:1|c',
        'app.gauges.level:0|g',
        'app.gauges.level:-2|g',
      ]);
      expect(rawStream(server)).toBe(server.lines.join('\n') + '\n');
      expect(statsd.stats()).toMatchObject({ enqueued: 2, sent: 2, queued: 0 });
    } finally {
      await stopServers();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('connects by host name and passes the name to net.connect on every attempt', async () => {
    const server = await tcpServer();
    const connect = jest.spyOn(net, 'connect');
    const statsd = connectorFor({ host: 'localhost', port: server.port });
    await statsd.start();
    statsd.incr('one');
    expect(await server.waitForLines(1)).toEqual(['counters.one:1|c']);
    server.resetConnections();
    await until(() => statsd.stats().reconnects === 1, 'a reconnect');
    statsd.incr('two');
    expect(await server.waitForLines(2)).toEqual(['counters.one:1|c', 'counters.two:1|c']);
    // The transport calls connect({ host, port, noDelay }): the name, never an address.
    const hosts = connect.mock.calls.map((call) => (call[0] as unknown as { host?: string }).host);
    expect(hosts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(hosts)).toEqual(new Set(['localhost']));
  });
});
