import type { ValuePacking } from './dialect.js';

/** Series (tags, type, rate) tracked per name in one packet; more each get lines of their own. */
const MAX_SERIES_PER_NAME = 8;

/**
 * A metric name as the formatter caches it, which also holds the lines of its series: a value
 * finds its series' line without a lookup by name. The formatter's name cache bounds them.
 */
export interface SeriesName {
  /** Prefix, kind segment and sanitized path. */
  readonly head: string;
  /** Lines of the name's series, one per tag set, type and rate; `undefined` until a first value. */
  series: SeriesLine | undefined;
}

/**
 * The line of one series (name, tags, type and rate) in the open packet, which later values of
 * the series join. Kept on its name and reused packet after packet: a repeated series allocates
 * nothing.
 */
export interface SeriesLine {
  /** The name the line is kept on. */
  readonly name: SeriesName;
  /** Influx and Graphite call tags, after the name. */
  infix: string;
  /** The type with its rate (`|ms`, `|h|@0.5`). */
  type: string;
  /** DogStatsD tags (`|#…`) or nothing. */
  tail: string;
  /** The value the line was written with. */
  first: string;
  /** What later values add: `:7:3` (shared) or `:7|ms:3|ms` (typed); empty for one value. */
  more: string;
  /** Where the line is in the open packet's lines. */
  index: number;
  /** The open packet the line is in (see {@link PackedValues.track}). */
  packet: number;
  /** Another series of the same name. */
  next: SeriesLine | undefined;
}

/**
 * Packs values of one timer, histogram or distribution waiting in the same packet into its one
 * line: `name:12|ms:7|ms` (`typed`: the reference daemon, Telegraf) or `name:12:7|ms` (`shared`:
 * DogStatsD protocol v1.1). The packet queue owns the packet; this keeps, per series, where its
 * line is and what joined it, and rewrites the grown lines when the packet is sealed. Values
 * never join a line of another packet, so a packet holds whole lines and the server reads each
 * value as it would have read it on a line of its own.
 */
export class PackedValues {
  readonly #shared: boolean;
  /** Lines that more than one value share, to be rewritten at sealing. */
  readonly #grown: SeriesLine[] = [];
  // What the last `find` saw, for `track`: a line of an earlier packet (free to reuse), how many
  // lines of the name are in the packet, and the packet.
  #free: SeriesLine | undefined;
  #count = 0;
  #foundIn = -1;

  constructor(packing: ValuePacking) {
    this.#shared = packing === 'shared';
  }

  /**
   * The line of this series in `packet`, or `undefined`. The next {@link PackedValues.track}
   * must be for the same name.
   */
  find(
    name: SeriesName,
    infix: string,
    type: string,
    tail: string,
    packet: number,
  ): SeriesLine | undefined {
    this.#free = undefined;
    this.#foundIn = packet;
    let count = 0;
    for (let line = name.series; line !== undefined; line = line.next) {
      if (line.packet !== packet) {
        // A line of an earlier packet: free to take this series' next line.
        this.#free ??= line;
        continue;
      }
      if (line.type === type && line.infix === infix && line.tail === tail) return line;
      count++;
    }
    this.#count = count;
    return undefined;
  }

  /** Bytes a value adds to a line it joins. */
  added(value: string, type: string): number {
    // Values and types are ASCII: their length is their size in bytes.
    return this.#shared ? 1 + value.length : 1 + value.length + type.length;
  }

  /** Adds `value` to `line`. */
  join(line: SeriesLine, value: string, type: string): void {
    if (line.more === '') this.#grown.push(line);
    line.more += this.#shared ? ':' + value : ':' + value + type;
  }

  /**
   * Remembers the line just queued at `index` of `packet` for the name last given to
   * {@link PackedValues.find}, so that later values of its series can join it.
   */
  track(
    name: SeriesName,
    infix: string,
    value: string,
    type: string,
    tail: string,
    index: number,
    packet: number,
  ): void {
    let line = this.#free;
    // The packet `find` saw was sealed since: every line of the name is free.
    if (line === undefined && packet !== this.#foundIn) line = name.series;
    if (line === undefined) {
      // As many series of this name in this packet as are tracked: the line stays alone.
      if (this.#count >= MAX_SERIES_PER_NAME) return;
      const next = name.series;
      name.series = { name, infix, type, tail, first: value, more: '', index, packet, next };
      return;
    }
    line.infix = infix;
    line.type = type;
    line.tail = tail;
    line.first = value;
    line.index = index;
    line.packet = packet;
  }

  /** Rewrites each line that values joined in `lines`, the packet's lines, before it is sealed. */
  finish(lines: string[]): void {
    const grown = this.#grown;
    if (grown.length === 0) return;
    for (const line of grown) {
      const { infix, first, more, type, tail } = line;
      const head = line.name.head;
      lines[line.index] = this.#shared
        ? head + infix + ':' + first + more + type + tail
        : head + infix + ':' + first + type + more + tail;
      line.more = '';
    }
    grown.length = 0;
  }

  /** Forgets the values joined in the open packet, which was emptied without being sealed. */
  discard(): void {
    for (const line of this.#grown) line.more = '';
    this.#grown.length = 0;
  }
}
