import { Connector } from '../src/connector.js';
import { ErrorCode, type StatsdError } from '../src/errors.js';
import { FakeStatsdServer } from '../src/testing/fake-server.js';
import { MemoryConnector } from '../src/testing/memory-connector.js';
import { parseLine } from '../src/testing/parse-line.js';

function lineBytes(line: string): number {
  return Buffer.byteLength(line, 'utf8');
}

describe('packing into packets', () => {
  it('joins lines with \\n in one datagram, without a trailing \\n, over UDP', () => {
    const statsd = new MemoryConnector({ protocol: 'udp' });
    statsd.incr('a');
    statsd.gauge('b', 2);
    statsd.set('c', 'x');
    expect(statsd.packets).toEqual(['counters.a:1|c\ngauges.b:2|g\nsets.c:x|s']);
  });

  it('ends every line with \\n in one write over TCP', () => {
    const statsd = new MemoryConnector({ protocol: 'tcp' });
    statsd.incr('a');
    statsd.gauge('b', 2);
    expect(statsd.packets).toEqual(['counters.a:1|c\ngauges.b:2|g\n']);
  });

  it.each(['udp', 'tcp'] as const)(
    'fills each %s packet up to the byte budget and never beyond it',
    (protocol) => {
      const statsd = new MemoryConnector({ protocol, maxPacketSize: 100 });
      for (let i = 0; i < 200; i++) statsd.incr(`name.${'x'.repeat(i % 37)}`, i);
      const packets = statsd.packets;
      expect(packets.flatMap((p) => p.split('\n').filter(Boolean))).toHaveLength(200);
      for (let i = 0; i < packets.length; i++) {
        const packet = packets[i] as string;
        expect(lineBytes(packet)).toBeLessThanOrEqual(100);
        const next = packets[i + 1];
        if (next === undefined) continue;
        // Greedy: the first line of the next packet did not fit in this one.
        const first = next.split('\n')[0] as string;
        const extra = protocol === 'udp' ? 1 + lineBytes(first) : lineBytes(first) + 1;
        expect(lineBytes(packet) + extra).toBeGreaterThan(100);
      }
    },
  );

  it('counts bytes, not characters, for non-ASCII names over UDP', () => {
    const statsd = new MemoryConnector({ protocol: 'udp', maxPacketSize: 64 });
    for (let i = 0; i < 20; i++) statsd.incr('名前名前名前');
    for (const packet of statsd.packets) expect(lineBytes(packet)).toBeLessThanOrEqual(64);
    expect(statsd.lines).toHaveLength(20);
  });

  it('counts the UTF-8 bytes of set members against the budget over UDP', () => {
    const statsd = new MemoryConnector({ protocol: 'udp', maxPacketSize: 64 });
    // 24 characters but 54 bytes per line: two would fit in 64 counted in characters.
    statsd.set('s', '名'.repeat(15));
    statsd.set('s', '名'.repeat(15));
    const packets = statsd.packets;
    expect(packets).toHaveLength(2);
    for (const packet of packets) expect(lineBytes(packet)).toBeLessThanOrEqual(64);
  });

  it.each([
    ['udp', 64],
    ['tcp', 63],
  ] as const)('sends a %s line of exactly the budget (%i bytes plus any \\n)', (protocol, size) => {
    const statsd = new MemoryConnector({ protocol, maxPacketSize: 64 });
    const name = 'x'.repeat(size - 'counters.:1|c'.length);
    statsd.incr(name);
    expect(statsd.packets.map(lineBytes)).toEqual([64]);
  });

  it('drops a line larger than the budget, reports it, and still sends the others', () => {
    const errors: StatsdError[] = [];
    const statsd = new MemoryConnector({
      protocol: 'udp',
      maxPacketSize: 64,
      onError: (e) => errors.push(e),
    });
    statsd.incr('ok');
    statsd.incr('x'.repeat(60));
    statsd.incr('ok');
    expect(statsd.lines).toEqual(['counters.ok:1|c', 'counters.ok:1|c']);
    expect(statsd.stats()).toMatchObject({ enqueued: 3, sent: 2, dropped: 1 });
    expect(statsd.stats().dropReasons.tooLong).toBe(1);
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.LineTooLong]);
  });

  it('drops a line whose UTF-8 bytes exceed the budget though its characters do not', () => {
    const statsd = new MemoryConnector({ protocol: 'udp', maxPacketSize: 64, onError: () => {} });
    statsd.incr('😀'.repeat(20)); // 40 UTF-16 units, 80 bytes
    expect(statsd.lines).toEqual([]);
    expect(statsd.stats().dropReasons.tooLong).toBe(1);
  });

  it('keeps the 0 and the negative value of a gauge in the same packet', () => {
    const statsd = new MemoryConnector({ protocol: 'udp', maxPacketSize: 64 });
    statsd.incr('x'.repeat(30)); // 43 bytes: the 0 line alone would still fit, the pair (32 bytes) does not
    statsd.gauge('temp', -4);
    expect(statsd.packets).toEqual([
      `counters.${'x'.repeat(30)}:1|c`,
      'gauges.temp:0|g\ngauges.temp:-4|g',
    ]);
  });

  it('refuses a maxPacketSize outside 64 to 65507 at construction', () => {
    for (const maxPacketSize of [63, 65_508, 1.5]) {
      expect(() => new Connector({ host: '127.0.0.1', maxPacketSize })).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidOption }) as Error,
      );
    }
  });
});

describe('flushing', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('sends a partly filled packet at the end of the current event-loop turn by default', async () => {
    const statsd = new MemoryConnector({ protocol: 'udp' });
    statsd.incr('a');
    statsd.incr('b');
    expect(statsd.stats().sent).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(statsd.stats()).toMatchObject({ sent: 2, packetsSent: 1 });
  });

  it('holds a partly filled packet for flushInterval milliseconds', () => {
    jest.useFakeTimers();
    const statsd = new MemoryConnector({ protocol: 'udp', flushInterval: 1000 });
    statsd.incr('a');
    jest.advanceTimersByTime(999);
    expect(statsd.stats().sent).toBe(0);
    jest.advanceTimersByTime(1);
    expect(statsd.stats()).toMatchObject({ sent: 1, packetsSent: 1 });
  });

  it('sends a full packet at once, without waiting for the flush interval', () => {
    jest.useFakeTimers();
    const statsd = new MemoryConnector({
      protocol: 'udp',
      flushInterval: 60_000,
      maxPacketSize: 64,
    });
    // 23 bytes each: two fill a packet, which is sealed and sent when the third arrives.
    for (let i = 0; i < 5; i++) statsd.incr('abcdefghij');
    expect(statsd.stats()).toMatchObject({ sent: 4, packetsSent: 2, queued: 1 });
  });

  it('sends the open packet when flush() is called and resolves true once it is sent', async () => {
    const statsd = new MemoryConnector({ protocol: 'udp', flushInterval: 60_000 });
    statsd.incr('a');
    await expect(statsd.flush()).resolves.toBe(true);
    expect(statsd.stats()).toMatchObject({ sent: 1, queued: 0 });
  });
});

describe('UDP datagrams on the wire', () => {
  let server: FakeStatsdServer;
  let statsd: Connector | undefined;

  beforeEach(async () => {
    server = await FakeStatsdServer.start();
  });

  afterEach(async () => {
    await statsd?.stop();
    statsd = undefined;
    await server.stop();
  });

  it.each([512, 1432, 8192, 8932])(
    'never sends a datagram over %i bytes, and packs whole lines up to it',
    async (maxPacketSize) => {
      statsd = new Connector({
        host: server.host,
        port: server.port,
        protocol: 'udp',
        maxPacketSize,
        tagFormat: 'dogstatsd',
      });
      await statsd.start();
      const count = 3000;
      for (let i = 0; i < count; i++) {
        statsd.incr(`packing.${'名'.repeat(i % 11)}${'a'.repeat(i % 29)}`, i, {
          tags: { n: i % 7 },
        });
      }
      await expect(statsd.flush()).resolves.toBe(true);
      const lines = await server.waitForLines(count);
      expect(lines.map((line) => parseLine(line).value)).toEqual(
        Array.from({ length: count }, (_, i) => String(i)),
      );
      const datagrams = server.packets.map((packet) => packet.data);
      expect(datagrams.length).toBe(statsd.stats().packetsSent);
      for (let i = 0; i < datagrams.length; i++) {
        const data = datagrams[i] as Buffer;
        expect(data.length).toBeLessThanOrEqual(maxPacketSize);
        expect(data.at(-1)).not.toBe(0x0a);
        const next = datagrams[i + 1];
        if (next === undefined) continue;
        const firstLine = next.subarray(
          0,
          next.indexOf(0x0a) < 0 ? next.length : next.indexOf(0x0a),
        );
        expect(data.length + 1 + firstLine.length).toBeGreaterThan(maxPacketSize);
      }
      expect(statsd.stats()).toMatchObject({ enqueued: count, sent: count, dropped: 0, queued: 0 });
    },
  );
});
