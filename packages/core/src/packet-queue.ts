import type { ValuePacking } from './dialect.js';
import { PackedValues, type SeriesName } from './packed-values.js';

/** A sealed packet: whole lines, at most `maxPacketSize` bytes, ready for one datagram or write. */
export interface Packet {
  readonly data: Buffer;
  /** Metrics in the packet, for the accounting. */
  readonly metrics: number;
  /** Order of sealing: flush waiters compare against it. */
  readonly seq: number;
  /** Set once a failed stream write put it back: a second failure drops it. */
  retried: boolean;
}

/** What {@link PacketQueue.push} did with a unit. */
export const PushResult = { Queued: 0, Full: 1, TooLong: 2 } as const;
/** One of the {@link PushResult} values. */
export type PushResult = (typeof PushResult)[keyof typeof PushResult];

/** Sizes of the queue, validated by the connector's options. */
export interface PacketQueueLimits {
  readonly maxMetrics: number;
  readonly maxBytes: number;
  readonly maxPacketSize: number;
  /** Stream transports end every line with `\n`; datagrams only separate lines. */
  readonly terminateLines: boolean;
  /** Every line is ASCII (stream transports), so Latin-1 encoding is exact and fastest. */
  readonly ascii: boolean;
  /** How values given to `pushValue` share their series' line in a packet, or `'none'`. */
  readonly valuePacking: ValuePacking | 'none';
}

/**
 * The bounded FIFO of metrics waiting for the server. Lines are packed as they arrive into an open
 * packet; when the next line would not fit in the byte budget the open packet is sealed into a
 * Buffer, so memory held is the bytes themselves, not a string per metric.
 */
export class PacketQueue {
  readonly #limits: PacketQueueLimits;
  readonly #separator: number;
  #packets: (Packet | undefined)[] = [];
  #head = 0;
  /** Units of the open packet: joined once at sealing, no string is built per metric. */
  #open: string[] = [];
  #openBytes = 0;
  #openMetrics = 0;
  #metrics = 0;
  #bytes = 0;
  /** Taken by the sender and not yet released: still held, so still under the bounds. */
  #takenMetrics = 0;
  #takenBytes = 0;
  #seq = 0;
  /** Counts the open packets, sealed or emptied: values join lines of the current one only. */
  #openId = 0;
  readonly #packed: PackedValues | undefined;

  constructor(limits: PacketQueueLimits) {
    this.#limits = limits;
    this.#separator = limits.terminateLines ? 0 : 1;
    this.#packed =
      limits.valuePacking === 'none' ? undefined : new PackedValues(limits.valuePacking);
  }

  /** Metrics waiting, open packet included. */
  get metrics(): number {
    return this.#metrics;
  }

  /** Bytes waiting, open packet included. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Metrics held: waiting, and taken by the sender but not yet released (being written). The
   * bound `maxMetrics` covers this figure, so a packet put back after a failed write never
   * takes the queue past it.
   */
  get heldMetrics(): number {
    return this.#metrics + this.#takenMetrics;
  }

  /** Bytes held, waiting or being written; bounded by `maxBytes`. */
  get heldBytes(): number {
    return this.#bytes + this.#takenBytes;
  }

  /** Whether a sealed packet is ready to send. */
  get hasSealed(): boolean {
    return this.#head < this.#packets.length;
  }

  /** Sequence number of the oldest waiting packet, or `Infinity` when nothing waits. */
  get oldestSeq(): number {
    const packet = this.#packets[this.#head];
    if (packet !== undefined) return packet.seq;
    return this.#openMetrics > 0 ? this.#seq + 1 : Infinity;
  }

  /** Sequence number the open packet will get, or of the last sealed one if none is open. */
  get lastSeq(): number {
    return this.#openMetrics > 0 ? this.#seq + 1 : this.#seq;
  }

  /**
   * Adds one unit (a line, or lines that must stay together) holding `metrics` metrics and
   * `bytes` bytes. Returns whether it was queued; when it was not, nothing changed.
   * Sealing a full packet is reported by `hasSealed` turning true.
   */
  push(unit: string, bytes: number, metrics: number): PushResult {
    const limits = this.#limits;
    const size = limits.terminateLines ? bytes + 1 : bytes;
    if (size > limits.maxPacketSize) return PushResult.TooLong;
    const joins =
      this.#openMetrics > 0 && this.#openBytes + this.#separator + size <= limits.maxPacketSize;
    // A datagram's separator is held in memory too: count it against the byte bound.
    const added = joins ? size + this.#separator : size;
    if (this.#wouldOverflow(metrics, added)) return PushResult.Full;
    if (joins) {
      this.#openBytes += added;
    } else {
      this.seal();
      this.#openBytes = size;
    }
    this.#open.push(unit);
    this.#openMetrics += metrics;
    this.#metrics += metrics;
    this.#bytes += added;
    return PushResult.Queued;
  }

  /**
   * Adds one value of a series, the line `<name.head><infix>:<value><type><tail>` of `bytes`
   * bytes: on its series' line in the open packet when the dialect packs values and the line is
   * there with room for it, as a line of its own otherwise. Returns as {@link PacketQueue.push}.
   */
  pushValue(
    name: SeriesName,
    infix: string,
    value: string,
    type: string,
    tail: string,
    bytes: number,
  ): PushResult {
    const packed = this.#packed;
    const head = name.head;
    if (packed === undefined) return this.push(head + infix + ':' + value + type + tail, bytes, 1);
    const line = packed.find(name, infix, type, tail, this.#openId);
    if (line !== undefined) {
      const added = packed.added(value, type);
      if (this.#openBytes + added <= this.#limits.maxPacketSize) {
        if (this.#wouldOverflow(1, added)) return PushResult.Full;
        packed.join(line, value, type);
        this.#openBytes += added;
        this.#openMetrics++;
        this.#metrics++;
        this.#bytes += added;
        return PushResult.Queued;
      }
      // No room left in this packet: the value starts a line in the next one.
    }
    const result = this.push(head + infix + ':' + value + type + tail, bytes, 1);
    if (result === PushResult.Queued) {
      packed.track(name, infix, value, type, tail, this.#open.length - 1, this.#openId);
    }
    return result;
  }

  /** Whether `metrics` more metrics and `bytes` more bytes would pass the queue's bounds. */
  #wouldOverflow(metrics: number, bytes: number): boolean {
    const limits = this.#limits;
    return (
      this.#metrics + this.#takenMetrics + metrics > limits.maxMetrics ||
      this.#bytes + this.#takenBytes + bytes > limits.maxBytes
    );
  }

  /** Closes the open packet, if any, so that it can be sent. */
  seal(): void {
    if (this.#openMetrics === 0) return;
    this.#packed?.finish(this.#open);
    this.#openId++;
    const { terminateLines, ascii } = this.#limits;
    const text = terminateLines ? this.#open.join('\n') + '\n' : this.#open.join('\n');
    const data = Buffer.from(text, ascii ? 'latin1' : 'utf8');
    this.#packets.push({ data, metrics: this.#openMetrics, seq: ++this.#seq, retried: false });
    this.#open = [];
    this.#openBytes = 0;
    this.#openMetrics = 0;
  }

  /**
   * Takes the oldest sealed packet, or `undefined`. It still counts against the bounds until it
   * is given to {@link PacketQueue.release} or {@link PacketQueue.requeue}.
   */
  shift(): Packet | undefined {
    const packet = this.#packets[this.#head];
    if (packet === undefined) return undefined;
    this.#packets[this.#head++] = undefined;
    this.#metrics -= packet.metrics;
    this.#bytes -= packet.data.length;
    this.#takenMetrics += packet.metrics;
    this.#takenBytes += packet.data.length;
    if (this.#head === this.#packets.length) {
      this.#packets = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#packets.length) {
      this.#packets = this.#packets.slice(this.#head);
      this.#head = 0;
    }
    return packet;
  }

  /** Forgets a packet taken by `shift()` that left: sent, or dropped. */
  release(packet: Packet): void {
    this.#takenMetrics -= packet.metrics;
    this.#takenBytes -= packet.data.length;
  }

  /**
   * Puts packets taken by `shift()` back at the front, oldest first, to be sent before anything
   * newer. They never stopped counting against the bounds.
   */
  requeue(packets: readonly Packet[]): void {
    for (let i = packets.length - 1; i >= 0; i--) {
      const packet = packets[i] as Packet;
      if (this.#head > 0) this.#packets[--this.#head] = packet;
      else this.#packets.unshift(packet);
      this.#metrics += packet.metrics;
      this.#bytes += packet.data.length;
      this.release(packet);
    }
  }

  /**
   * Empties the queue; returns how many metrics were waiting. Packets being written stay counted
   * until the sender releases them.
   */
  clear(): number {
    const metrics = this.#metrics;
    this.#packets = [];
    this.#head = 0;
    this.#packed?.discard();
    this.#openId++;
    this.#open = [];
    this.#openBytes = 0;
    this.#openMetrics = 0;
    this.#metrics = 0;
    this.#bytes = 0;
    return metrics;
  }
}
