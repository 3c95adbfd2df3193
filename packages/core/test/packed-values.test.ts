import fc from 'fast-check';
import { StatsdError } from '../src/index.js';
import type { SeriesName } from '../src/packed-values.js';
import {
  PacketQueue,
  PushResult,
  type Packet,
  type PacketQueueLimits,
} from '../src/packet-queue.js';
import {
  MemoryConnector,
  parseMetrics,
  type MemoryConnectorOptions,
} from '../src/testing/index.js';

const SHARED: PacketQueueLimits = {
  maxMetrics: 1000,
  maxBytes: 100_000,
  maxPacketSize: 1432,
  terminateLines: false,
  ascii: false,
  valuePacking: 'shared',
};

function drain(queue: PacketQueue): string[] {
  queue.seal();
  const packets: string[] = [];
  for (let packet: Packet | undefined; (packet = queue.shift()) !== undefined;) {
    packets.push(packet.data.toString('utf8'));
    queue.release(packet);
  }
  return packets;
}

/** The names of each queue, as a formatter keeps them: one object per name. */
const names = new WeakMap<PacketQueue, Map<string, SeriesName>>();

function nameOf(queue: PacketQueue, head: string): SeriesName {
  let known = names.get(queue);
  if (known === undefined) names.set(queue, (known = new Map<string, SeriesName>()));
  let name = known.get(head);
  if (name === undefined) known.set(head, (name = { head, series: undefined }));
  return name;
}

/** Pushes the value of an ASCII series line `<name><infix>:<value><type><tail>`. */
function pushValue(
  queue: PacketQueue,
  name: string,
  value: string,
  type = '|ms',
  { infix = '', tail = '' } = {},
): PushResult {
  const bytes = name.length + infix.length + 1 + value.length + type.length + tail.length;
  return queue.pushValue(nameOf(queue, name), infix, value, type, tail, bytes);
}

function memory(options: MemoryConnectorOptions): MemoryConnector {
  return new MemoryConnector({ onError: () => undefined, ...options });
}

describe('packed values', () => {
  describe('on the wire, by dialect', () => {
    it('writes DogStatsD values of a series once typed, with the rate and tags once (v1.1)', () => {
      const statsd = memory({ dialect: 'dogstatsd', globalTags: { env: 'prod' } });
      const tags = { route: '/users/:id' };
      statsd.timing('db', 0.012, { tags, sampleRate: 1 });
      statsd.timing('db', 0.007, { tags });
      statsd.histogram('size', 3);
      statsd.histogram('size', 4);
      statsd.distribution('size', 5);
      expect(statsd.lines).toEqual([
        'db:12:7|ms|#env:prod,route:/users/:id',
        'size:3:4|h|#env:prod',
        'size:5|d|#env:prod',
      ]);
    });

    it('repeats the type after each value for Telegraf, Influx tags in the name', () => {
      const statsd = memory({ dialect: 'telegraf' });
      statsd.timing('db', 0.012, { tags: { shard: 'a' } });
      statsd.timing('db', 0.007, { tags: { shard: 'a' } });
      statsd.distribution('size', 3);
      statsd.distribution('size', 4);
      expect(statsd.lines).toEqual(['timers.db,shard=a:12|ms:7|ms', 'distributions.size:3|h:4|h']);
    });

    it("keeps Telegraf's DogStatsD tags once, after every value, where statsd.go takes them off", () => {
      const statsd = memory({ dialect: 'telegraf', tagFormat: 'dogstatsd' });
      statsd.timing('db', 0.012, { tags: { route: '/a/:id' } });
      statsd.timing('db', 0.007, { tags: { route: '/a/:id' } });
      expect(statsd.lines).toEqual(['timers.db:12|ms:7|ms|#route:/a/:id']);
    });

    it('leaves statsd lines alone unless packValues is set, for collectd', () => {
      const plain = memory({});
      plain.timing('db', 0.012);
      plain.timing('db', 0.007);
      expect(plain.lines).toEqual(['timers.db:12|ms', 'timers.db:7|ms']);
      const packed = memory({ packValues: true, globalTags: { shard: 'a' } });
      packed.timing('db', 0.012, { sampleRate: 0.999_999_999 });
      packed.timing('db', 0.007);
      packed.timing('db', 0.005);
      expect(packed.lines).toEqual([
        expect.stringMatching(/^timers\.db;shard=a:12\|ms\|@0\.99\d+$/),
        'timers.db;shard=a:7|ms:5|ms',
      ]);
    });

    it('packs nothing for DogStatsD or Telegraf with packValues: false', () => {
      for (const dialect of ['dogstatsd', 'telegraf'] as const) {
        const statsd = memory({ dialect, packValues: false, kindSegments: false });
        statsd.timing('db', 0.012);
        statsd.timing('db', 0.007);
        expect(statsd.lines).toEqual(['db:12|ms', 'db:7|ms']);
      }
    });

    it('never packs counters, gauges, sets or injected metrics', () => {
      const statsd = memory({ dialect: 'telegraf', kindSegments: false });
      for (let i = 0; i < 2; i++) {
        statsd.incr('c');
        statsd.gauge('g', 1);
        statsd.set('s', 'a');
        statsd.injectMetric('raw', 1, 'ms');
      }
      expect(statsd.lines).toEqual([
        'c:1|c',
        'g:1|g',
        's:a|s',
        'raw:1|ms',
        'c:1|c',
        'g:1|g',
        's:a|s',
        'raw:1|ms',
      ]);
    });

    it('gives each tag set, type and rate a line of its own', () => {
      const statsd = memory({ dialect: 'dogstatsd' });
      statsd.timing('db', 0.001, { tags: { shard: 'a' } });
      statsd.timing('db', 0.002, { tags: { shard: 'b' } });
      statsd.timing('db', 0.003, { tags: { shard: 'a' }, sampleRate: 0.999_999_999 });
      statsd.histogram('db', 4, { tags: { shard: 'a' } });
      statsd.timing('db', 0.005, { tags: { shard: 'b' } });
      statsd.timing('db', 0.006, { tags: { shard: 'a' } });
      expect(statsd.lines).toEqual([
        'db:1:6|ms|#shard:a',
        'db:2:5|ms|#shard:b',
        expect.stringMatching(/^db:3\|ms\|@0\.99\d+\|#shard:a$/),
        'db:4|h|#shard:a',
      ]);
    });

    it('ends every line with \\n over a stream, packed or not', () => {
      const queue = new PacketQueue({ ...SHARED, terminateLines: true, ascii: true });
      pushValue(queue, 'a', '1');
      queue.push('c:1|c', 5, 1);
      pushValue(queue, 'a', '2');
      expect(drain(queue)).toEqual(['a:1:2|ms\nc:1|c\n']);
    });
  });

  describe('in the queue', () => {
    it('never lets a value join a line of another packet', () => {
      // 'a:1|ms' is 6 bytes: two values fit with the separator and ':2', a third does not.
      const queue = new PacketQueue({ ...SHARED, maxPacketSize: 10 });
      expect(pushValue(queue, 'a', '1')).toBe(PushResult.Queued);
      expect(pushValue(queue, 'a', '2')).toBe(PushResult.Queued);
      expect(pushValue(queue, 'a', '3')).toBe(PushResult.Queued);
      expect(pushValue(queue, 'a', '4')).toBe(PushResult.Queued);
      expect(pushValue(queue, 'a', '5')).toBe(PushResult.Queued);
      expect(drain(queue)).toEqual(['a:1:2:3|ms', 'a:4:5|ms']);
    });

    it('counts each value as a metric, and a packed value by the bytes it adds', () => {
      const queue = new PacketQueue({ ...SHARED, valuePacking: 'typed' });
      pushValue(queue, 'a', '12');
      pushValue(queue, 'a', '7');
      expect(queue.metrics).toBe(2);
      expect(queue.bytes).toBe('a:12|ms:7|ms'.length);
      queue.seal();
      const packet = queue.shift() as Packet;
      expect(packet.metrics).toBe(2);
      expect(packet.data.toString()).toBe('a:12|ms:7|ms');
    });

    it('refuses a value that would pass maxQueueSize, and keeps the line as it was', () => {
      const queue = new PacketQueue({ ...SHARED, maxMetrics: 2 });
      pushValue(queue, 'a', '1');
      pushValue(queue, 'a', '2');
      expect(pushValue(queue, 'a', '3')).toBe(PushResult.Full);
      expect(queue.metrics).toBe(2);
      expect(drain(queue)).toEqual(['a:1:2|ms']);
    });

    it('forgets the values of an emptied packet, and packs again afterwards', () => {
      const queue = new PacketQueue(SHARED);
      pushValue(queue, 'a', '1');
      pushValue(queue, 'a', '2');
      expect(queue.clear()).toBe(2);
      pushValue(queue, 'b', '1');
      pushValue(queue, 'a', '3');
      pushValue(queue, 'a', '4');
      expect(drain(queue)).toEqual(['b:1|ms\na:3:4|ms']);
    });

    it('keeps a line alone past eight series of one name in a packet', () => {
      const queue = new PacketQueue(SHARED);
      for (let round = 0; round < 2; round++) {
        for (let shard = 0; shard < 9; shard++) {
          pushValue(queue, 'a', String(round), '|ms', { tail: `|#s:${shard}` });
        }
      }
      const lines = (drain(queue)[0] as string).split('\n');
      expect(lines.slice(0, 8)).toEqual(
        Array.from({ length: 8 }, (_, shard) => `a:0:1|ms|#s:${shard}`),
      );
      expect(lines.slice(8)).toEqual(['a:0|ms|#s:8', 'a:1|ms|#s:8']);
    });

    it('holds whole lines within maxPacketSize whose values read back in order, per series', () => {
      const series = fc.record({
        // Few series, so that values often find their line in the open packet.
        name: fc.constantFrom('a', 'timers.db'),
        tail: fc.constantFrom('', '|#route:/u/:id'),
        type: fc.constantFrom('|ms', '|h|@0.5'),
      });
      const value = fc.integer({ min: 0, max: 99_999 }).map(String);
      fc.assert(
        fc.property(
          fc.array(fc.tuple(series, value), { maxLength: 80 }),
          fc.integer({ min: 40, max: 200 }),
          fc.constantFrom<('typed' | 'shared')[]>('typed', 'shared'),
          fc.boolean(),
          (calls, maxPacketSize, valuePacking, stream) => {
            const queue = new PacketQueue({
              ...SHARED,
              maxPacketSize,
              valuePacking,
              terminateLines: stream,
              ascii: stream,
            });
            const expected = new Map<string, string[]>();
            for (const [{ name, tail, type }, v] of calls) {
              if (pushValue(queue, name, v, type, { tail }) !== PushResult.Queued) continue;
              const key = name + type + tail;
              expected.set(key, [...(expected.get(key) ?? []), v]);
            }
            const bytes = queue.bytes;
            const packets = drain(queue);
            const received = new Map<string, string[]>();
            let total = 0;
            for (const packet of packets) {
              const size = Buffer.byteLength(packet);
              expect(size).toBeLessThanOrEqual(maxPacketSize);
              total += size;
              for (const line of packet.split('\n').filter((text) => text !== '')) {
                for (const metric of parseMetrics(line)) {
                  const rate = metric.sampleRate === 1 ? '' : `|@${metric.sampleRate}`;
                  const tags = metric.tags.length === 0 ? '' : `|#${metric.tags.join(',')}`;
                  const key = `${metric.name}|${metric.type}${rate}${tags}`;
                  received.set(key, [...(received.get(key) ?? []), metric.value]);
                }
              }
            }
            expect(total).toBe(bytes);
            expect(received).toEqual(expected);
            expect(queue.heldBytes).toBe(0);
          },
        ),
      );
    });
  });

  describe('the option', () => {
    it.each([['yes'], [1], [null]])('refuses packValues %p, naming it', (value) => {
      const build = (): MemoryConnector => memory({ packValues: value as unknown as boolean });
      expect(build).toThrow(StatsdError);
      expect(build).toThrow(/`packValues`.*true or false/);
    });

    it('reaches children, which pack into the family packet', () => {
      const statsd = memory({ dialect: 'dogstatsd' });
      const child = statsd.child({ tags: { team: 'a' } });
      child.timing('db', 0.001);
      child.timing('db', 0.002);
      statsd.timing('db', 0.003);
      expect(statsd.lines).toEqual(['db:1:2|ms|#team:a', 'db:3|ms']);
    });
  });
});
