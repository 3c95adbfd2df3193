import {
  closedPort,
  connectorFor,
  errorLog,
  expectBalanced,
  nextTurn,
  serverFor,
  stopConnectors,
  stopServers,
  until,
} from './helpers/connector-harness.js';

afterEach(async () => {
  await stopConnectors();
  await stopServers();
});

/** Packs lines the way a datagram budget allows, counting UTF-8 bytes and the `\n` between lines. */
function packInBytes(lines: readonly string[], budget: number): string[] {
  const packets: string[] = [];
  let open = '';
  for (const line of lines) {
    const joined = open === '' ? line : `${open}\n${line}`;
    if (Buffer.byteLength(joined) <= budget) {
      open = joined;
    } else {
      packets.push(open);
      open = line;
    }
  }
  if (open !== '') packets.push(open);
  return packets;
}

describe('Connector over UDP', () => {
  it('packs whole lines into datagrams of at most maxPacketSize bytes when names are multi-byte UTF-8', async () => {
    const server = await serverFor();
    const maxPacketSize = 100;
    const statsd = connectorFor({
      host: server.host,
      port: server.port,
      protocol: 'udp',
      prefix: 'caf\u00e9',
      maxPacketSize,
    });
    await statsd.start();
    const expected: string[] = [];
    for (let i = 0; i < 30; i++) {
      // Two bytes per character in UTF-8: a budget counted in characters would overflow.
      const name = `\u00e9t\u00e9.${'\u00fc'.repeat(i % 7)}.${i}`;
      statsd.incr(name, i);
      expected.push(`caf\u00e9.counters.${name}:${i}|c`);
    }
    expect(await statsd.flush()).toBe(true);
    const datagrams = packInBytes(expected, maxPacketSize);
    await server.waitForLines(expected.length);
    const received = server.packets.map((packet) => packet.data);
    expect(received.map((data) => data.toString('utf8'))).toEqual(datagrams);
    for (const data of received) expect(data.length).toBeLessThanOrEqual(maxPacketSize);
    expect(datagrams.length).toBeLessThan(expected.length);
    const stats = statsd.stats();
    expect(stats).toMatchObject({
      sent: expected.length,
      packetsSent: datagrams.length,
      bytesSent: received.reduce((sum, data) => sum + data.length, 0),
      queued: 0,
      queuedBytes: 0,
    });
  });

  it('sends a negative absolute gauge as 0 then the value in one datagram', async () => {
    const server = await serverFor();
    const statsd = connectorFor({ host: server.host, port: server.port, protocol: 'udp' });
    await statsd.start();
    statsd.gauge('level', -5);
    expect(await server.waitForLines(2)).toEqual(['gauges.level:0|g', 'gauges.level:-5|g']);
    expect(server.packets.map((packet) => packet.data.toString())).toEqual([
      'gauges.level:0|g\ngauges.level:-5|g',
    ]);
    expect(statsd.stats()).toMatchObject({ enqueued: 1, sent: 1 });
  });

  it('reports refusals that arrive between sends when nothing listens on the port', async () => {
    const port = await closedPort('udp');
    const { errors, onError } = errorLog();
    const statsd = connectorFor({ host: '127.0.0.1', port, protocol: 'udp', onError });
    await statsd.start();
    // One datagram per flush: each refusal reaches the socket before the next send does.
    for (let i = 0; i < 20 && errors.length === 0; i++) {
      statsd.incr('spaced');
      await statsd.flush();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(errors[0]).toMatchObject({
      code: 'ERR_STATSD_TRANSPORT',
      message: expect.stringContaining('ECONNREFUSED') as unknown,
    });
    expectBalanced(statsd.stats());
  });

  it('counts refused datagrams as dropped, never as sent, when nothing listens on the port', async () => {
    const port = await closedPort('udp');
    const { errors, onError } = errorLog();
    const statsd = connectorFor({
      host: '127.0.0.1',
      port,
      protocol: 'udp',
      maxPacketSize: 64,
      onError,
    });
    await statsd.start();
    await until(() => statsd.stats().connected, 'the UDP socket');
    // One flush of many datagrams: the kernel's port-unreachable answer to one send fails the
    // next send on the connected socket.
    for (let i = 0; i < 40; i++) statsd.incr(`refused.${i}`);
    await statsd.flush();
    // Spaced sends: the refusal then arrives as a socket error between sends, which must not
    // crash the process.
    for (let i = 0; i < 5; i++) {
      statsd.incr('spaced');
      await statsd.flush();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await nextTurn();
    const stats = statsd.stats();
    expect(stats.enqueued).toBe(45);
    expect(stats.dropReasons.sendError).toBeGreaterThan(0);
    expect(stats.dropped).toBe(stats.dropReasons.sendError);
    expect(stats.sent).toBeLessThan(45);
    expectBalanced(stats);
    expect(errors[0]).toMatchObject({
      code: 'ERR_STATSD_TRANSPORT',
      message: expect.stringContaining('ECONNREFUSED') as unknown,
    });
  });
});
