import type { ValuePacking } from './dialect.js';

/** Series remembered by name; past it the map starts over, so memory stays bounded. */
const MAX_NAMES = 10_000;
/** Series (tags, type, rate) tracked per name in one packet; more each get lines of their own. */
const MAX_SERIES_PER_NAME = 8;

/**
 * The line of one series (name, tags, type and rate) in the open packet, which later values of
 * the series join. Kept per name and reused packet after packet: a repeated series allocates
 * nothing.
 */
interface SeriesLine {
  /** Prefix and path; Influx and Graphite call tags are in `infix`. */
  readonly name: string;
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
  readonly #series = new Map<string, SeriesLine>();
  /** Lines that more than one value share, to be rewritten at sealing. */
  readonly #grown: SeriesLine[] = [];
  /** The first series of the name last looked up, for {@link PackedValues.track}. */
  #head: SeriesLine | undefined;

  constructor(packing: ValuePacking) {
    this.#shared = packing === 'shared';
  }

  /**
   * The line of this series in `packet`, or `undefined`. The next {@link PackedValues.track}
   * must be for the same name.
   */
  find(
    name: string,
    infix: string,
    type: string,
    tail: string,
    packet: number,
  ): SeriesLine | undefined {
    const head = this.#series.get(name);
    this.#head = head;
    for (let line = head; line !== undefined; line = line.next) {
      if (
        line.packet === packet &&
        line.type === type &&
        line.infix === infix &&
        line.tail === tail
      ) {
        return line;
      }
    }
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
    name: string,
    infix: string,
    value: string,
    type: string,
    tail: string,
    index: number,
    packet: number,
  ): void {
    const head = this.#head;
    let free: SeriesLine | undefined;
    let count = 0;
    for (let line = head; line !== undefined; line = line.next) {
      if (line.packet !== packet) {
        free = line;
        break;
      }
      count++;
    }
    if (free === undefined) {
      // As many series of this name in this packet as are tracked: the line stays alone.
      if (count >= MAX_SERIES_PER_NAME) return;
      if (head === undefined && this.#series.size >= MAX_NAMES) this.#series.clear();
      free = { name, infix, type, tail, first: value, more: '', index, packet, next: head };
      this.#series.set(name, free);
      return;
    }
    free.infix = infix;
    free.type = type;
    free.tail = tail;
    free.first = value;
    free.index = index;
    free.packet = packet;
  }

  /** Rewrites each line that values joined in `lines`, the packet's lines, before it is sealed. */
  finish(lines: string[]): void {
    const grown = this.#grown;
    if (grown.length === 0) return;
    for (const line of grown) {
      const { name, infix, first, more, type, tail } = line;
      lines[line.index] = this.#shared
        ? name + infix + ':' + first + more + type + tail
        : name + infix + ':' + first + type + more + tail;
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
