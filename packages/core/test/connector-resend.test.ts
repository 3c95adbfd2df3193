import { Connector } from '../src/connector.js';
import { kTransportFactory, type InternalOptions } from '../src/internal.js';
import type {
  SendCallback,
  Transport,
  TransportEvents,
  TransportFactory,
} from '../src/transports/transport.js';
import type { ConnectorOptions } from '../src/types.js';
import { FAST, errorLog, expectBalanced, until } from './helpers/connector-harness.js';

/**
 * A scripted connection, for what a real socket cannot be made to do on demand: every write of
 * the first `failing` connections fails (as writes to a peer that reset do), and the connection
 * then closes; later connections accept every write.
 */
function scriptedTransports(failing: number): { factory: TransportFactory; writes: string[][] } {
  const writes: string[][] = [];
  const factory: TransportFactory = (_target, events: TransportEvents): Transport => {
    const connection = writes.length;
    const written: string[] = [];
    writes.push(written);
    const pending: SendCallback[] = [];
    return {
      connect: () => Promise.resolve(),
      send(data, callback) {
        written.push(data.toString());
        if (connection >= failing) {
          process.nextTick(callback);
          return true;
        }
        pending.push(callback);
        if (pending.length === 1) {
          setImmediate(() => {
            const error = new Error('write EPIPE');
            for (const failed of pending) failed(error);
            events.onClose(error);
          });
        }
        return true;
      },
      end: () => Promise.resolve(),
      destroy: () => {},
    };
  };
  return { factory, writes };
}

const connectors: Connector[] = [];

function scriptedConnector(factory: TransportFactory, options: ConnectorOptions): Connector {
  const internal: ConnectorOptions & InternalOptions = {
    ...FAST,
    host: '127.0.0.1',
    maxPacketSize: 64,
    ...options,
    [kTransportFactory]: factory,
  };
  const connector = new Connector(internal);
  connectors.push(connector);
  return connector;
}

/** How many times each distinct packet was written, over all connections. */
function writesPerPacket(writes: string[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const data of writes.flat()) counts.set(data, (counts.get(data) ?? 0) + 1);
  return counts;
}

afterEach(async () => {
  await Promise.all(connectors.splice(0).map((connector) => connector.stop()));
});

describe('Connector resending over a stream', () => {
  it('resends a failed write whole, once and in order when the next connection takes it', async () => {
    const { factory, writes } = scriptedTransports(1);
    const statsd = scriptedConnector(factory, {});
    await statsd.start();
    for (let i = 0; i < 12; i++) statsd.incr(`jobs.${i}`);
    await until(() => statsd.stats().sent === 12, 'the resent metrics');
    const [first, second] = writes;
    expect(first?.length).toBeGreaterThan(1);
    expect(second).toEqual(first);
    expect([...writesPerPacket(writes).values()].every((count) => count === 2)).toBe(true);
    expect(statsd.stats()).toMatchObject({ sent: 12, dropped: 0, queued: 0, reconnects: 1 });
  });

  it('writes a packet at most twice and drops it as sendError when both writes fail', async () => {
    const { factory, writes } = scriptedTransports(Infinity);
    const { errors, onError } = errorLog();
    const statsd = scriptedConnector(factory, { onError });
    await statsd.start();
    for (let i = 0; i < 12; i++) statsd.incr(`jobs.${i}`);
    await until(() => statsd.stats().dropped === 12, 'the metrics to be dropped');
    // The next connection is where a third attempt would go.
    await until(() => writes.length >= 3, 'a third connection');
    await statsd.flush();
    expect(writes[2]).toEqual([]);
    const counts = writesPerPacket(writes);
    expect(counts.size).toBeGreaterThan(1);
    expect([...counts.values()]).toEqual(Array(counts.size).fill(2));
    const stats = statsd.stats();
    expect(stats).toMatchObject({ sent: 0, dropped: 12, queued: 0 });
    expect(stats.dropReasons.sendError).toBe(12);
    expectBalanced(stats);
    expect(errors.map((error) => error.message)).toContainEqual(
      expect.stringMatching(/refused a packet of \d+ metrics twice/),
    );
  });
});

describe('Connector over datagrams', () => {
  it('drops a datagram whose send failed without resending it', async () => {
    const failing: TransportFactory = () => ({
      connect: () => undefined,
      send(data, callback) {
        sent.push(data.toString());
        process.nextTick(callback, new Error('send ECONNREFUSED'));
        return true;
      },
      end: () => Promise.resolve(),
      destroy: () => {},
    });
    const sent: string[] = [];
    const { errors, onError } = errorLog();
    const statsd = scriptedConnector(failing, { protocol: 'udp', onError });
    await statsd.start();
    for (let i = 0; i < 12; i++) statsd.incr(`jobs.${i}`);
    await statsd.flush();
    expect(new Set(sent).size).toBe(sent.length);
    expect(statsd.stats()).toMatchObject({ sent: 0, dropped: 12, queued: 0 });
    expect(statsd.stats().dropReasons.sendError).toBe(12);
    expect(errors[0]?.message).toMatch(/refused a packet of \d+ metrics: send ECONNREFUSED/);
  });
});
