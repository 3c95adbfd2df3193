import fc from 'fast-check';
import {
  PacketQueue,
  PushResult,
  type Packet,
  type PacketQueueLimits,
} from '../src/packet-queue.js';

const STREAM: PacketQueueLimits = {
  maxMetrics: 1000,
  maxBytes: 100_000,
  maxPacketSize: 64,
  terminateLines: true,
  ascii: true,
  valuePacking: 'none',
};
const DATAGRAM: PacketQueueLimits = { ...STREAM, terminateLines: false, ascii: false };

function queueOf(limits: Partial<PacketQueueLimits>, base = DATAGRAM): PacketQueue {
  return new PacketQueue({ ...base, ...limits });
}

/** Pushes an ASCII line as one metric. */
function push(queue: PacketQueue, line: string): PushResult {
  return queue.push(line, Buffer.byteLength(line), 1);
}

function drain(queue: PacketQueue): Packet[] {
  const packets: Packet[] = [];
  for (let packet = queue.shift(); packet !== undefined; packet = queue.shift()) {
    packets.push(packet);
  }
  return packets;
}

const text = (packet: Packet | undefined): string | undefined => packet?.data.toString('utf8');

describe('PacketQueue', () => {
  it('ends every line with \\n when lines are terminated for a stream', () => {
    const queue = queueOf({}, STREAM);
    push(queue, 'a:1|c');
    push(queue, 'b:2|g');
    queue.seal();
    const packet = queue.shift();
    expect(text(packet)).toBe('a:1|c\nb:2|g\n');
    expect(packet).toMatchObject({ metrics: 2, seq: 1, retried: false });
  });

  it('joins lines with \\n and no trailing \\n when packing a datagram', () => {
    const queue = queueOf({});
    push(queue, 'a:1|c');
    push(queue, 'b:2|g');
    expect(queue.bytes).toBe(11);
    queue.seal();
    expect(text(queue.shift())).toBe('a:1|c\nb:2|g');
  });

  it('seals the open packet when the next line would pass maxPacketSize', () => {
    const queue = queueOf({ maxPacketSize: 12 });
    push(queue, 'aaaaa');
    push(queue, 'bbbbb');
    expect(queue.hasSealed).toBe(false);
    push(queue, 'cc');
    expect(queue.hasSealed).toBe(true);
    queue.seal();
    expect(drain(queue).map(text)).toEqual(['aaaaa\nbbbbb', 'cc']);
  });

  it('sizes packets by the byte count it is given when lines hold multi-byte UTF-8', () => {
    const queue = queueOf({ maxPacketSize: 20 });
    const line = '\u00e9t\u00e9:1|c';
    expect(line.length).toBe(7);
    // 9 bytes each: two fit in 20 with their separator, a third does not.
    for (let i = 0; i < 3; i++) expect(queue.push(line, Buffer.byteLength(line), 1)).toBe(0);
    queue.seal();
    const packets = drain(queue);
    expect(packets.map((packet) => packet.data.length)).toEqual([19, 9]);
    expect(queue.bytes).toBe(0);
  });

  it('refuses a line larger than maxPacketSize, counting the stream terminator', () => {
    const stream = queueOf({ maxPacketSize: 10 }, STREAM);
    expect(push(stream, 'x'.repeat(10))).toBe(PushResult.TooLong);
    expect(push(stream, 'x'.repeat(9))).toBe(PushResult.Queued);
    const datagram = queueOf({ maxPacketSize: 10 });
    expect(push(datagram, 'x'.repeat(10))).toBe(PushResult.Queued);
    expect(push(datagram, 'x'.repeat(11))).toBe(PushResult.TooLong);
  });

  it('refuses the newest metric and changes nothing when maxMetrics would be passed', () => {
    const queue = queueOf({ maxMetrics: 3 });
    expect(queue.push('a:0|g\na:-1|g', 12, 2)).toBe(PushResult.Queued);
    expect(push(queue, 'b:1|c')).toBe(PushResult.Queued);
    expect(push(queue, 'c:1|c')).toBe(PushResult.Full);
    expect(queue.push('d:0|g\nd:-1|g', 12, 2)).toBe(PushResult.Full);
    expect({ metrics: queue.metrics, bytes: queue.bytes }).toEqual({ metrics: 3, bytes: 18 });
    queue.seal();
    expect(drain(queue).map(text)).toEqual(['a:0|g\na:-1|g\nb:1|c']);
  });

  it('never holds more than maxBytes when datagram lines are joined by a separator', () => {
    // 14-byte lines: the first packet holds four (59 bytes); the second is open at 29 bytes
    // (88 in all) and one more line with its separator would make 103.
    const queue = queueOf({ maxPacketSize: 64, maxBytes: 102 });
    const results = Array.from({ length: 7 }, (_, i) => push(queue, `name.${i}.xxx:1|c`));
    expect(results).toEqual([0, 0, 0, 0, 0, 0, PushResult.Full]);
    expect(queue.bytes).toBe(88);
    queue.seal();
    expect(drain(queue).reduce((sum, packet) => sum + packet.data.length, 0)).toBe(88);
  });

  it('hands out sealed packets oldest first and keeps its counts when they leave', () => {
    const queue = queueOf({ maxPacketSize: 8 });
    for (const line of ['one:1|c', 'two:2|c', 'six:6|c']) push(queue, line);
    expect({ metrics: queue.metrics, bytes: queue.bytes }).toEqual({ metrics: 3, bytes: 21 });
    queue.seal();
    expect(text(queue.shift())).toBe('one:1|c');
    expect({ metrics: queue.metrics, bytes: queue.bytes }).toEqual({ metrics: 2, bytes: 14 });
    expect(drain(queue).map(text)).toEqual(['two:2|c', 'six:6|c']);
    expect(queue.shift()).toBeUndefined();
    expect({ metrics: queue.metrics, bytes: queue.bytes }).toEqual({ metrics: 0, bytes: 0 });
  });

  it('counts packets taken by the sender against its bounds until they are released', () => {
    const queue = queueOf({ maxPacketSize: 8, maxMetrics: 3 });
    for (const line of ['one:1|c', 'two:2|c', 'six:6|c']) push(queue, line);
    queue.seal();
    const taken = queue.shift() as Packet;
    expect({ metrics: queue.heldMetrics, bytes: queue.heldBytes }).toEqual({
      metrics: 3,
      bytes: 21,
    });
    expect(push(queue, 'ten:1|c')).toBe(PushResult.Full);
    queue.release(taken);
    expect({ metrics: queue.heldMetrics, bytes: queue.heldBytes }).toEqual({
      metrics: 2,
      bytes: 14,
    });
    expect(push(queue, 'ten:1|c')).toBe(PushResult.Queued);
  });

  it('never passes maxMetrics when a packet being written is put back', () => {
    const queue = queueOf({ maxPacketSize: 8, maxMetrics: 2 });
    for (const line of ['one:1|c', 'two:2|c']) push(queue, line);
    queue.seal();
    const taken = queue.shift() as Packet;
    expect(push(queue, 'six:6|c')).toBe(PushResult.Full);
    queue.requeue([taken]);
    expect(queue.heldMetrics).toBe(2);
    expect(drain(queue).map(text)).toEqual(['one:1|c', 'two:2|c']);
  });

  it('puts requeued packets back at the head, oldest first, before newer packets', () => {
    const queue = queueOf({ maxPacketSize: 8 });
    for (const line of ['one:1|c', 'two:2|c', 'six:6|c']) push(queue, line);
    queue.seal();
    const taken = [queue.shift(), queue.shift()] as Packet[];
    queue.requeue(taken);
    expect({ metrics: queue.metrics, bytes: queue.bytes }).toEqual({ metrics: 3, bytes: 21 });
    expect(queue.oldestSeq).toBe(1);
    expect(drain(queue).map(text)).toEqual(['one:1|c', 'two:2|c', 'six:6|c']);
  });

  it('keeps the order when packets are requeued after the array was compacted', () => {
    const queue = queueOf({ maxPacketSize: 8, maxMetrics: 10_000, maxBytes: 1_000_000 });
    for (let i = 0; i < 3000; i++) push(queue, `m:${String(i).padStart(4, '0')}|c`);
    queue.seal();
    const taken: Packet[] = [];
    for (let i = 0; i < 2000; i++) taken.push(queue.shift() as Packet);
    queue.requeue(taken.slice(-3));
    const rest = drain(queue).map(text);
    expect(rest.slice(0, 4)).toEqual(['m:1997|c', 'm:1998|c', 'm:1999|c', 'm:2000|c']);
    expect(rest).toHaveLength(1003);
    expect(rest.at(-1)).toBe('m:2999|c');
  });

  it('tells the sequence of the oldest waiting packet and of the last one', () => {
    const queue = queueOf({});
    expect(queue.oldestSeq).toBe(Infinity);
    expect(queue.lastSeq).toBe(0);
    push(queue, 'a:1|c');
    // The open packet will be sealed as number 1.
    expect([queue.oldestSeq, queue.lastSeq]).toEqual([1, 1]);
    queue.seal();
    push(queue, 'b:1|c');
    expect([queue.oldestSeq, queue.lastSeq]).toEqual([1, 2]);
    queue.shift();
    expect([queue.oldestSeq, queue.lastSeq]).toEqual([2, 2]);
  });

  it('empties itself and returns the metrics it held when cleared', () => {
    const queue = queueOf({});
    push(queue, 'one:1|c');
    queue.seal();
    queue.push('a:0|g\na:-1|g', 12, 2);
    expect(queue.clear()).toBe(3);
    expect({ metrics: queue.metrics, bytes: queue.bytes, sealed: queue.hasSealed }).toEqual({
      metrics: 0,
      bytes: 0,
      sealed: false,
    });
    expect(queue.shift()).toBeUndefined();
  });

  it('packs any lines into packets within budget whose bytes match its count', () => {
    const line = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 30 })
      .filter((value) => !value.includes('\n'));
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 60 }),
        fc.integer({ min: 40, max: 200 }),
        fc.boolean(),
        (lines, maxPacketSize, stream) => {
          const queue = queueOf(
            { maxPacketSize, terminateLines: stream, ascii: false },
            stream ? STREAM : DATAGRAM,
          );
          const kept: string[] = [];
          for (const unit of lines) {
            if (queue.push(unit, Buffer.byteLength(unit), 1) === PushResult.Queued) kept.push(unit);
          }
          const bytes = queue.bytes;
          queue.seal();
          const packets = drain(queue);
          let total = 0;
          for (const packet of packets) {
            expect(packet.data.length).toBeLessThanOrEqual(maxPacketSize);
            total += packet.data.length;
          }
          expect(total).toBe(bytes);
          const joined = packets.map(text).join(stream ? '' : '\n');
          expect(joined).toBe(stream ? kept.map((unit) => unit + '\n').join('') : kept.join('\n'));
          expect(packets.reduce((sum, packet) => sum + packet.metrics, 0)).toBe(kept.length);
        },
      ),
    );
  });
});
