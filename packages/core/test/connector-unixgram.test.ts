import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, StatsdError } from '../src/errors.js';
import { kTransportFactory, type InternalOptions } from '../src/internal.js';
import { resolveOptions } from '../src/options.js';
import { loadUnixDgram, type UnixDgramModule } from '../src/transports/unix-dgram-loader.js';
import { UnixgramTransport } from '../src/transports/unixgram-transport.js';
import type { ConnectorOptions } from '../src/types.js';
import {
  connectorFor,
  errorLog,
  expectBalanced,
  nextTurn,
  stopConnectors,
  until,
} from './helpers/connector-harness.js';
import { UnixgramListener } from './helpers/unixgram-listener.js';

// protocol: 'unixgram' against a real unix datagram listener (a child process that can stop
// reading, so that the kernel queue for its socket fills).

let dir: string;
const listeners: UnixgramListener[] = [];

async function listen(path: string): Promise<UnixgramListener> {
  const listener = await UnixgramListener.start(path);
  listeners.push(listener);
  return listener;
}

/**
 * The unix datagram sockets this process holds open (Linux: its socket descriptors, looked up in
 * /proc/net/unix, type 0002). `unix-dgram` keeps the process alive while one is open, and
 * `process.getActiveResourcesInfo()` does not show it.
 */
function openUnixDatagramSockets(): number {
  const datagramInodes = new Set<string>();
  for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[4] === '0002' && fields[6] !== undefined) datagramInodes.add(fields[6]);
  }
  let open = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match !== null && datagramInodes.has(match[1] as string)) open++;
    } catch {
      // The descriptor closed while we looked.
    }
  }
  return open;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'statsd-unixgram-'));
});

afterEach(async () => {
  await stopConnectors();
  await Promise.all(listeners.splice(0).map((listener) => listener.kill()));
  rmSync(dir, { recursive: true, force: true });
});

describe("protocol: 'unixgram'", () => {
  it('delivers metrics, events and checks as UTF-8 datagrams', async () => {
    const listener = await listen(join(dir, 'dsd.socket'));
    const statsd = connectorFor({
      protocol: 'unixgram',
      path: listener.path,
      dialect: 'dogstatsd',
      kindSegments: true,
      prefix: 'app',
    });
    await statsd.start();
    statsd.incr('jobs', 1, { tags: { queue: 'é' } });
    statsd.event('déployé', 'ok');
    statsd.check('db.up', 0);
    expect(await statsd.flush()).toBe(true);
    await listener.waitFor(() => listener.datagrams.length === 1);
    expect(listener.lines).toEqual([
      'app.counters.jobs:1|c|#queue:é',
      '_e{9,2}:déployé|ok',
      '_sc|db.up|0',
    ]);
    expect(statsd.stats()).toMatchObject({ enqueued: 3, sent: 3, dropped: 0, packetsSent: 1 });
  });

  it('defaults maxPacketSize to 8192, what the agent reads per datagram', () => {
    expect(resolveOptions({ protocol: 'unixgram', path: '/x' }).maxPacketSize).toBe(8192);
    expect(resolveOptions({ protocol: 'udp', host: 'x' }).maxPacketSize).toBe(1432);
  });

  it('keeps congested packets queued and delivers every one once the listener reads again', async () => {
    const listener = await listen(join(dir, 'dsd.socket'));
    const { errors, onError } = errorLog();
    const statsd = connectorFor({
      protocol: 'unixgram',
      path: listener.path,
      maxPacketSize: 64,
      onError,
    });
    await statsd.start();
    statsd.incr('warmup');
    await statsd.flush();
    await listener.waitFor(() => listener.datagrams.length === 1);
    await listener.pause();
    // Well beyond what the kernel holds for a socket nobody reads (10 datagrams by default on
    // Linux, at most about 300 small ones within the default send buffer).
    const COUNT = 4000;
    for (let i = 0; i < COUNT; i++) statsd.incr(`metric.number.${i}`);
    await nextTurn();
    // The kernel queue is full: the rest waits in ours.
    const congested = statsd.stats();
    expect(congested.queued).toBeGreaterThan(0);
    expect(congested.dropped).toBe(0);
    expectBalanced(congested);
    await listener.resume();
    await until(() => statsd.stats().queued === 0, 'the queue drained');
    await listener.waitFor(() => listener.lines.length === COUNT + 1);
    expect(listener.lines.slice(1)).toEqual(
      Array.from({ length: COUNT }, (_, i) => `counters.metric.number.${i}:1|c`),
    );
    expect(statsd.stats()).toMatchObject({ enqueued: COUNT + 1, sent: COUNT + 1, dropped: 0 });
    expect(errors).toEqual([]);
  });

  it('tries a congested socket again only when it signals room, never in a loop', async () => {
    const listener = await listen(join(dir, 'dsd.socket'));
    // The real unix-dgram, with its sends counted.
    const real = loadUnixDgram();
    let attempts = 0;
    const counting: UnixDgramModule = {
      createSocket(type) {
        const socket = real.createSocket(type);
        const send = socket.send.bind(socket);
        socket.send = (data, callback) => {
          attempts++;
          send(data, callback);
        };
        return socket;
      },
    };
    const options: ConnectorOptions & InternalOptions = {
      protocol: 'unixgram',
      path: listener.path,
      maxPacketSize: 64,
      [kTransportFactory]: (target, events) => new UnixgramTransport(target, events, counting),
    };
    const statsd = connectorFor(options);
    await statsd.start();
    await listener.pause();
    for (let i = 0; i < 4000; i++) statsd.incr(`metric.number.${i}`);
    await nextTurn();
    const accepted = statsd.stats().packetsSent;
    expect(statsd.stats().queued).toBeGreaterThan(0);
    // Time passes while the listener reads nothing: a loop would send thousands of times.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statsd.stats().packetsSent).toBe(accepted);
    // The sends the kernel took, the one that found the queue full, and no more than one retry
    // (the fallback retry comes after a second).
    expect(attempts - accepted).toBeGreaterThanOrEqual(1);
    expect(attempts - accepted).toBeLessThanOrEqual(2);
    await listener.resume();
    await until(() => statsd.stats().queued === 0, 'the queue drained');
    expect(statsd.stats()).toMatchObject({ sent: 4000, dropped: 0 });
  });

  it('counts what a congested socket still holds at stop() as stopTimeout drops', async () => {
    const listener = await listen(join(dir, 'dsd.socket'));
    const statsd = connectorFor({
      protocol: 'unixgram',
      path: listener.path,
      maxPacketSize: 64,
      stopTimeout: 100,
    });
    await statsd.start();
    await listener.pause();
    for (let i = 0; i < 4000; i++) statsd.incr(`metric.number.${i}`);
    await nextTurn();
    await statsd.stop();
    const stats = statsd.stats();
    expectBalanced(stats);
    expect(stats.queued).toBe(0);
    expect(stats.dropped).toBe(stats.dropReasons.stopTimeout);
    expect(stats.dropReasons.stopTimeout).toBe(4000 - stats.sent);
    expect(stats.dropReasons.stopTimeout).toBeGreaterThan(0);
  });

  it('keeps metrics queued while the listener is gone and delivers them when it is back', async () => {
    const path = join(dir, 'dsd.socket');
    let listener = await listen(path);
    const { errors, onError } = errorLog();
    const statsd = connectorFor({ protocol: 'unixgram', path, onError });
    await statsd.start();
    statsd.incr('before');
    await statsd.flush();
    await listener.waitFor(() => listener.lines.length === 1);
    await listener.kill();
    statsd.incr('while.gone.1');
    statsd.incr('while.gone.2');
    await until(() => statsd.stats().connected === false, 'the loss noticed');
    // Reconnecting fails (nobody reads the socket file) and is retried with backoff.
    await until(() => errors.length >= 3, 'reconnect attempts reported');
    statsd.incr('while.gone.3');
    expectBalanced(statsd.stats());
    expect(statsd.stats()).toMatchObject({ dropped: 0, queued: 3 });
    listener = await listen(path);
    await until(() => statsd.stats().queued === 0, 'the queue delivered');
    await listener.waitFor(() => listener.lines.length === 3);
    expect(listener.lines).toEqual([
      'counters.while.gone.1:1|c',
      'counters.while.gone.2:1|c',
      'counters.while.gone.3:1|c',
    ]);
    expect(statsd.stats()).toMatchObject({ enqueued: 4, sent: 4, dropped: 0 });
    expect(statsd.stats().reconnects).toBeGreaterThanOrEqual(1);
    expect(new Set(errors.map((e) => e.code))).toEqual(new Set([ErrorCode.Transport]));
  });

  // Reading the process's open sockets needs Linux's /proc.
  (existsSync('/proc/net/unix') ? it : it.skip)(
    'closes its socket while idle, so the process can exit, and opens a new one to send',
    async () => {
      const path = join(dir, 'dsd.socket');
      const first = await listen(path);
      const { errors, onError } = errorLog();
      const statsd = connectorFor({ protocol: 'unixgram', path, onError });
      const before = openUnixDatagramSockets();
      await statsd.start();
      statsd.incr('first');
      await statsd.flush();
      await first.waitFor(() => first.lines.length === 1);
      expect(openUnixDatagramSockets()).toBe(before + 1);
      await until(() => openUnixDatagramSockets() === before, 'the idle socket closed');
      // The agent restarts while the connector is idle.
      await first.kill();
      const second = await listen(path);
      statsd.incr('second');
      await statsd.flush();
      await second.waitFor(() => second.lines.length === 1);
      expect(second.lines).toEqual(['counters.second:1|c']);
      // A socket kept open would have found the old agent gone first, and reported it.
      expect(errors).toEqual([]);
      expect(statsd.stats()).toMatchObject({ sent: 2, dropped: 0, reconnects: 0 });
    },
  );

  it('waits for the socket file to appear when it starts before the agent', async () => {
    const path = join(dir, 'later.socket');
    const statsd = connectorFor({ protocol: 'unixgram', path });
    await statsd.start();
    statsd.incr('early');
    await until(() => statsd.stats().queued === 1, 'the metric queued');
    const listener = await listen(path);
    await listener.waitFor(() => listener.lines.length === 1);
    expect(listener.lines).toEqual(['counters.early:1|c']);
    expect(statsd.stats()).toMatchObject({ sent: 1, dropped: 0 });
  });
});

describe('unix-dgram loading', () => {
  it('throws ERR_STATSD_MISSING_DEPENDENCY naming the package when it cannot be found', () => {
    let thrown: unknown;
    try {
      loadUnixDgram(undefined, 'unix-dgram-that-is-not-installed');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StatsdError);
    expect((thrown as StatsdError).code).toBe(ErrorCode.MissingDependency);
    expect((thrown as StatsdError).message).toMatch(/npm install unix-dgram/);
  });

  it('loads the installed package when a connector is built', () => {
    expect(typeof loadUnixDgram().createSocket).toBe('function');
    expect(() => connectorFor({ protocol: 'unixgram', path: join(dir, 'x') })).not.toThrow();
  });
});
