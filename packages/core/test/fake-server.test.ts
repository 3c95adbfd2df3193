import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ErrorCode, StatsdError } from '../src/errors.js';
import { FakeStatsdServer, type FakeStatsdServerOptions } from '../src/testing/fake-server.js';

const servers: FakeStatsdServer[] = [];
const clients: Socket[] = [];

async function startServer(options?: FakeStatsdServerOptions): Promise<FakeStatsdServer> {
  const server = await FakeStatsdServer.start(options);
  servers.push(server);
  return server;
}

async function sendDatagram(server: FakeStatsdServer, payload: string | Buffer): Promise<void> {
  const client = createSocket(server.host === '::1' ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      client.send(payload, server.port, server.host, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  } finally {
    client.close();
  }
}

async function connectTo(server: FakeStatsdServer): Promise<Socket> {
  const client =
    server.protocol === 'unix'
      ? connect({ path: server.path ?? '' })
      : connect({ host: server.host, port: server.port });
  clients.push(client);
  await once(client, 'connect');
  client.setNoDelay(true);
  return client;
}

async function write(client: Socket, data: string | Buffer): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    client.write(data, (error) => (error ? reject(error) : resolve()));
  });
}

/** For conditions the server exposes no event for (a chunk read, a connection closed). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const hasIPv6Loopback = Object.values(networkInterfaces()).some((addresses) =>
  addresses?.some((address) => address.address === '::1'),
);

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

describe('FakeStatsdServer', () => {
  it('splits a UDP datagram into its lines when it carries several lines', async () => {
    const server = await startServer();
    await sendDatagram(server, 'jobs:1|c\npool:12|g\n\ndb:320|ms\n');
    expect(await server.waitForLines(3)).toEqual(['jobs:1|c', 'pool:12|g', 'db:320|ms']);
    expect(server.received).toBe(3);
    expect(server.packets).toHaveLength(1);
  });

  it('counts and waits for metrics, one per value of a line with packed values', async () => {
    const server = await startServer();
    await sendDatagram(server, 'db:12:7|ms|#route:/u/:id\nq:1|h:2|h:3|h\n_sc|up|0|#a:b');
    expect(await server.waitForMetrics(6)).toHaveLength(3);
    expect(server.receivedMetrics).toBe(6);
    expect(server.metrics.map((metric) => metric.value)).toEqual(['12', '7', '1', '2', '3']);
    await expect(server.waitForMetrics(7, { timeout: 50 })).rejects.toThrow(
      /received 6 of 7 metrics in 3 lines/,
    );
    server.clear();
    expect(server.receivedMetrics).toBe(0);
  });

  it('keeps the exact bytes of each datagram in packets when a line is not valid UTF-8', async () => {
    const server = await startServer();
    const payload = Buffer.concat([Buffer.from('caf\u00e9:1|c\nbad'), Buffer.from([0xff, 0x0a])]);
    const before = performance.now();
    await sendDatagram(server, payload);
    expect(await server.waitForLines(2)).toEqual(['caf\u00e9:1|c', 'bad\ufffd']);
    const [packet] = server.packets;
    expect(packet?.data.equals(payload)).toBe(true);
    expect(packet?.at).toBeGreaterThanOrEqual(before);
    expect(packet?.at).toBeLessThanOrEqual(performance.now());
  });

  it('joins a TCP line when it arrives split across chunks', async () => {
    const server = await startServer({ protocol: 'tcp' });
    const client = await connectTo(server);
    await write(client, 'jobs:');
    await until(() => server.packets.length === 1, 'the first chunk');
    await write(client, '1|c\npool:');
    await until(() => server.packets.length === 2, 'the second chunk');
    expect(server.lines).toEqual(['jobs:1|c']);
    await write(client, '12|g\n');
    expect(await server.waitForLines(2)).toEqual(['jobs:1|c', 'pool:12|g']);
    expect(Buffer.concat(server.packets.map((packet) => packet.data)).toString()).toBe(
      'jobs:1|c\npool:12|g\n',
    );
  });

  it('decodes a UTF-8 character intact when its bytes are split across TCP chunks', async () => {
    const server = await startServer({ protocol: 'tcp' });
    const client = await connectTo(server);
    const line = Buffer.from('caf\u00e9:1|c\n');
    const split = line.indexOf(0xc3) + 1;
    await write(client, line.subarray(0, split));
    await until(() => server.packets.length === 1, 'the first chunk');
    await write(client, line.subarray(split));
    expect(await server.waitForLines(1)).toEqual(['caf\u00e9:1|c']);
  });

  it('keeps a pending tail per connection when two TCP connections interleave', async () => {
    const server = await startServer({ protocol: 'tcp' });
    const first = await connectTo(server);
    const second = await connectTo(server);
    await write(first, 'jobs:');
    await until(() => server.packets.length === 1, 'the first chunk');
    await write(second, 'pool:12|g\n');
    await server.waitForLines(1);
    await write(first, '1|c\n');
    expect(await server.waitForLines(2)).toEqual(['pool:12|g', 'jobs:1|c']);
  });

  it('discards an unterminated TCP tail when its connection closes', async () => {
    const server = await startServer({ protocol: 'tcp' });
    const client = await connectTo(server);
    client.end('jobs:1|c\npool:12|g');
    await until(() => server.connectionsAccepted === 1 && server.connections === 0, 'the close');
    expect(server.lines).toEqual(['jobs:1|c']);
    expect(server.received).toBe(1);
  });

  it('resolves waitForLines with the lines when they arrive after the call', async () => {
    const server = await startServer();
    const waiting = server.waitForLines(2);
    await sendDatagram(server, 'a:1|c');
    await sendDatagram(server, 'b:2|c');
    await expect(waiting).resolves.toEqual(['a:1|c', 'b:2|c']);
  });

  it('resolves waitForLines at once when enough lines already arrived', async () => {
    const server = await startServer();
    await sendDatagram(server, 'a:1|c\nb:2|c');
    await server.waitForLines(2);
    await expect(server.waitForLines(1, { timeout: 1 })).resolves.toEqual(['a:1|c', 'b:2|c']);
  });

  it('rejects waitForLines with the count and the last lines when it times out', async () => {
    const server = await startServer({ protocol: 'tcp' });
    const client = await connectTo(server);
    await write(client, 'jobs:1|c\npool:12|g');
    await until(() => server.received === 1, 'the first line');
    const error = await server.waitForLines(3, { timeout: 20 }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(StatsdError);
    expect((error as Error).message).toBe(
      `Timed out after 20 ms: received 1 of 3 lines on tcp://127.0.0.1:${server.port}` +
        ' (1 packet, 1 open connection, 9 bytes pending without a final "\\n").\n' +
        'Last lines:\n  "jobs:1|c"',
    );
  });

  it('rejects start with the system error when the TCP port is taken', async () => {
    const first = await startServer({ protocol: 'tcp' });
    await expect(startServer({ protocol: 'tcp', port: first.port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });

  it('rejects start with the system error when the UDP port is taken', async () => {
    const first = await startServer();
    await expect(startServer({ port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('rejects pending waits when the server stops', async () => {
    const server = await startServer();
    const waiting = server.waitForLines(1);
    await server.stop();
    await expect(waiting).rejects.toThrow('The server was stopped: received 0 of 1 lines');
  });

  it('resolves waitForConnection when a client connects', async () => {
    const server = await startServer({ protocol: 'tcp' });
    const waiting = server.waitForConnection();
    await connectTo(server);
    await expect(waiting).resolves.toBeUndefined();
    expect(server.connections).toBe(1);
    expect(server.connectionsAccepted).toBe(1);
  });

  it('rejects waitForConnection when the server is UDP', async () => {
    const server = await startServer();
    await expect(server.waitForConnection()).rejects.toThrow("needs a 'tcp' or 'unix' server");
  });

  it('lets the client writes back up when read is false', async () => {
    const server = await startServer({ protocol: 'tcp', read: false });
    const client = await connectTo(server);
    await server.waitForConnection();
    const line = `${'x'.repeat(1023)}\n`;
    let accepted = true;
    // Bounded: loopback kernel buffers hold a few MiB at most.
    for (let written = 0; accepted && written < 256 * 1024 * 1024; written += line.length) {
      accepted = client.write(line);
    }
    expect(accepted).toBe(false);
    // A reading server would drain the backlog within this window; this one must not.
    const drained = await Promise.race([
      once(client, 'drain').then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 200)),
    ]);
    expect(drained).toBe(false);
    expect(client.writableLength).toBeGreaterThan(0);
    expect(server.received).toBe(0);
    expect(server.packets).toHaveLength(0);
  });

  it('makes the client see ECONNRESET when resetConnections is called', async () => {
    const server = await startServer({ protocol: 'tcp' });
    const client = await connectTo(server);
    await server.waitForConnection();
    const failed = once(client, 'error');
    server.resetConnections();
    const [error] = (await failed) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNRESET');
    await until(() => server.connections === 0, 'the server side to close');
  });

  it('binds the same TCP port again when restarted after connections were closed', async () => {
    const first = await startServer({ protocol: 'tcp' });
    const client = await connectTo(first);
    await first.waitForConnection();
    const closed = once(client, 'close');
    // The server closes first, so its side of the connection lingers in TIME_WAIT on the port.
    await first.stop();
    await closed;
    const second = await startServer({ protocol: 'tcp', port: first.port });
    expect(second.port).toBe(first.port);
    await write(await connectTo(second), 'jobs:1|c\n');
    expect(await second.waitForLines(1)).toEqual(['jobs:1|c']);
  });

  it('receives lines over a unix socket when given a path', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'statsd-fake-'));
    try {
      const path = join(directory, 'statsd.sock');
      const server = await startServer({ protocol: 'unix', path });
      expect(server.path).toBe(path);
      await write(await connectTo(server), 'jobs:1|c\npool:12|g\n');
      expect(await server.waitForLines(2)).toEqual(['jobs:1|c', 'pool:12|g']);
      await server.stop();
      // The socket file is gone, so the same path can be listened on again.
      await (await startServer({ protocol: 'unix', path })).stop();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  (hasIPv6Loopback ? it : it.skip)('receives UDP lines on ::1 when the host is ::1', async () => {
    const server = await startServer({ host: '::1' });
    expect(server.host).toBe('::1');
    await sendDatagram(server, 'jobs:1|c');
    expect(await server.waitForLines(1)).toEqual(['jobs:1|c']);
  });

  (hasIPv6Loopback ? it : it.skip)('receives TCP lines on ::1 when the host is ::1', async () => {
    const server = await startServer({ protocol: 'tcp', host: '::1' });
    await write(await connectTo(server), 'jobs:1|c\n');
    expect(await server.waitForLines(1)).toEqual(['jobs:1|c']);
  });

  it('keeps only the newest maxLines lines and packets while received keeps counting', async () => {
    const server = await startServer({ maxLines: 10 });
    for (let index = 0; index < 30; index += 1) {
      await sendDatagram(server, `a:${index}|c\nb:${index}|c`);
    }
    const lines = await server.waitForLines(60);
    expect(server.received).toBe(60);
    expect(lines).toEqual(
      Array.from({ length: 5 }, (_, offset) => [`a:${25 + offset}|c`, `b:${25 + offset}|c`]).flat(),
    );
    expect(server.packets.map((packet) => packet.data.toString())).toEqual(
      Array.from({ length: 10 }, (_, offset) => `a:${20 + offset}|c\nb:${20 + offset}|c`),
    );
  });

  it('forgets lines and packets and resets received when cleared', async () => {
    const server = await startServer();
    await sendDatagram(server, 'a:1|c');
    await server.waitForLines(1);
    server.clear();
    expect(server.lines).toEqual([]);
    expect(server.packets).toEqual([]);
    expect(server.received).toBe(0);
    await sendDatagram(server, 'b:2|c');
    expect(await server.waitForLines(1)).toEqual(['b:2|c']);
  });

  it('closes connections and refuses new ones when stopped, once however often it is called', async () => {
    const server = await startServer({ protocol: 'tcp' });
    const client = await connectTo(server);
    await server.waitForConnection();
    const closed = once(client, 'close');
    const stopping = server.stop();
    expect(server[Symbol.asyncDispose]()).toBe(stopping);
    await stopping;
    await closed;
    expect(server.connections).toBe(0);
    const refused = connect({ host: server.host, port: server.port });
    clients.push(refused);
    const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
  });

  it.each<[string, FakeStatsdServerOptions]>([
    ['protocol', { protocol: 'sctp' as 'udp' }],
    ['host', { host: '0.0.0.0' }],
    ['host', { host: 'localhost' }],
    ['port', { port: 65536 }],
    ['path', { protocol: 'unix' }],
    ['path', { protocol: 'tcp', path: '/tmp/x.sock' }],
    ['port', { protocol: 'unix', path: '/tmp/x.sock', port: 8125 }],
    ['maxLines', { maxLines: 0 }],
    ['read', { read: false }],
  ])(
    'rejects with ERR_STATSD_INVALID_OPTION naming %s when it is invalid',
    async (name, options) => {
      const error = await FakeStatsdServer.start(options).catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(StatsdError);
      expect((error as StatsdError).code).toBe(ErrorCode.InvalidOption);
      expect((error as StatsdError).message).toContain(`\`${name}\``);
    },
  );
});
