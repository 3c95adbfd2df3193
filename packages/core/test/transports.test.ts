import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connector } from '../src/connector.js';
import { ErrorCode } from '../src/errors.js';
import { FakeStatsdServer } from '../src/testing/fake-server.js';
import type { ConnectorOptions } from '../src/types.js';

const hasIPv6Loopback = Object.values(networkInterfaces()).some((addresses) =>
  addresses?.some((address) => address.address === '::1'),
);
const itWithIPv6 = hasIPv6Loopback ? it : it.skip;

let server: FakeStatsdServer | undefined;
let statsd: Connector | undefined;
let dir: string | undefined;

afterEach(async () => {
  await statsd?.stop();
  await server?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  statsd = undefined;
  server = undefined;
  dir = undefined;
});

async function connectTo(options: ConnectorOptions): Promise<Connector> {
  statsd = new Connector({ stopTimeout: 2000, ...options });
  await statsd.start();
  return statsd;
}

describe('unix domain socket transport', () => {
  async function startUnixServer(): Promise<FakeStatsdServer> {
    dir = mkdtempSync(join(tmpdir(), 'statsd-core-'));
    server = await FakeStatsdServer.start({ protocol: 'unix', path: join(dir, 'statsd.sock') });
    return server;
  }

  it('sends \\n-terminated lines over the socket at `path`', async () => {
    const unix = await startUnixServer();
    const client = await connectTo({ protocol: 'unix', path: unix.path ?? '', prefix: 'app' });
    client.incr('jobs');
    client.gauge('pool', -2);
    await expect(client.flush()).resolves.toBe(true);
    expect(await unix.waitForLines(3)).toEqual([
      'app.counters.jobs:1|c',
      'app.gauges.pool:0|g',
      'app.gauges.pool:-2|g',
    ]);
    const bytes = Buffer.concat(unix.packets.map((packet) => packet.data));
    expect(bytes.toString('latin1').endsWith('\n')).toBe(true);
    expect(client.stats()).toMatchObject({ enqueued: 2, sent: 2, connected: true });
  });

  it('replaces non-ASCII characters, as over TCP', async () => {
    const unix = await startUnixServer();
    const client = await connectTo({ protocol: 'unix', path: unix.path ?? '' });
    client.set('größe', '名前');
    await client.flush();
    expect(await unix.waitForLines(1)).toEqual(['sets.gr__e:__|s']);
  });

  it('delivers the queue on stop() though the flush interval is long', async () => {
    const unix = await startUnixServer();
    const client = await connectTo({
      protocol: 'unix',
      path: unix.path ?? '',
      flushInterval: 600_000,
    });
    client.incr('first');
    await expect(client.flush()).resolves.toBe(true);
    client.incr('last');
    await client.stop();
    expect(await unix.waitForLines(2)).toEqual(['counters.first:1|c', 'counters.last:1|c']);
    expect(client.stats()).toMatchObject({ sent: 2, dropped: 0 });
  });

  it('refuses protocol unix without a path at construction', () => {
    expect(() => new Connector({ protocol: 'unix' })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOption }) as Error,
    );
  });
});

describe('IPv6 literal hosts', () => {
  itWithIPv6('sends UDP datagrams to ::1', async () => {
    server = await FakeStatsdServer.start({ protocol: 'udp', host: '::1' });
    const client = await connectTo({ host: '::1', port: server.port, protocol: 'udp' });
    client.incr('v6');
    await client.flush();
    expect(await server.waitForLines(1)).toEqual(['counters.v6:1|c']);
    expect(client.stats()).toMatchObject({ sent: 1, packetsSent: 1 });
  });

  itWithIPv6('sends TCP lines to ::1', async () => {
    server = await FakeStatsdServer.start({ protocol: 'tcp', host: '::1' });
    const client = await connectTo({ host: '::1', port: server.port, protocol: 'tcp' });
    client.incr('v6');
    await client.flush();
    expect(await server.waitForLines(1)).toEqual(['counters.v6:1|c']);
    expect(client.stats()).toMatchObject({ sent: 1, connected: true });
  });

  itWithIPv6('accepts the bracketed form [::1]', async () => {
    server = await FakeStatsdServer.start({ protocol: 'tcp', host: '::1' });
    const client = await connectTo({ host: '[::1]', port: server.port, protocol: 'tcp' });
    client.timing('v6', 0.002);
    await client.flush();
    expect(await server.waitForLines(1)).toEqual(['timers.v6:2|ms']);
  });
});
