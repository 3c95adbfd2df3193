import type { SeriesName } from './packed-values.js';
import { sanitize, utf8Extra } from './sanitize.js';
import { TagCache } from './tag-cache.js';
import type { TagFormat, Tags } from './types.js';

/** Where a metric path goes under the prefix: `<prefix>.counters.<path>` and so on. */
export const Kind = {
  counter: 0,
  gauge: 1,
  timer: 2,
  set: 3,
  histogram: 4,
  distribution: 5,
  /** `injectMetric`: the path right under the prefix. */
  raw: 6,
} as const;
/** One of the {@link Kind} values. */
export type Kind = (typeof Kind)[keyof typeof Kind];

/** The segments by {@link Kind}; without kind segments every one is `''`. */
const KIND_SEGMENTS: readonly string[] = [
  'counters.',
  'gauges.',
  'timers.',
  'sets.',
  'histograms.',
  'distributions.',
  '',
];
const NO_SEGMENTS: readonly string[] = KIND_SEGMENTS.map(() => '');

/** Names remembered per kind; past it the cache starts over, so memory stays bounded. */
const NAME_CACHE_SIZE = 10_000;

interface NameEntry extends SeriesName {
  /** Prefix, kind segment and sanitized path, with the fixed tags for Influx and Graphite. */
  readonly head: string;
  /** UTF-8 bytes beyond `head.length`. */
  readonly extra: number;
  /**
   * The last line written for the name without call tags, with its value and type: a counter
   * incremented by the same amount again reuses it instead of building a new string.
   */
  value: string;
  type: string;
  line: string;
}

/** Call tags rendered for one line, with the UTF-8 bytes they add beyond their length. */
interface RenderedTags {
  readonly text: string;
  readonly extra: number;
}

/** Why a metric call could not be written: its path is empty once sanitized, or its tags have no text. */
export const LineFault = { path: 1, tags: 2 } as const;
/** One of the {@link LineFault} values. */
export type LineFault = (typeof LineFault)[keyof typeof LineFault];

/** Where finished lines go: the pipeline that owns the queue. */
export interface LineSink {
  /** Queues one unit (a line, or lines that must travel together) of `bytes` bytes. */
  accept(unit: string, bytes: number, metrics: number): void;
  /**
   * Queues one value of a series, the line `<name.head><infix>:<value><type><tail>` of `bytes`
   * bytes, which may share the line of its series (`packValues`).
   */
  acceptValue(
    name: SeriesName,
    infix: string,
    value: string,
    type: string,
    tail: string,
    bytes: number,
  ): void;
}

/** What a formatter needs to know: the prefix, the kind segments, the tag syntax and fixed tags. */
export interface FormatterSettings {
  /** Empty, or ends with a dot. */
  readonly prefix: string;
  /** Whether paths get `counters.`, `gauges.` … after the prefix. */
  readonly kindSegments: boolean;
  readonly tagFormat: TagFormat;
  /** Non-ASCII replaced by `_` (stream transports) instead of sent as UTF-8. */
  readonly ascii: boolean;
  /** Global and child tags, rendered once. */
  readonly fixedTags: string;
  /** Whether values of timers, histograms and distributions go to `acceptValue` (`packValues`). */
  readonly packValues: boolean;
}

/**
 * Builds metric lines. Sanitizing a name costs a few regular expressions, so the finished head of
 * each (kind, path) pair is cached: a repeated metric costs one map lookup and a concatenation.
 */
export class MetricFormatter {
  readonly settings: FormatterSettings;
  readonly #caches: Map<string, NameEntry>[] = [];
  readonly #segments: readonly string[];
  readonly #infix: string;
  readonly #suffix: string;
  readonly #extra: number;
  readonly #renderedTags = new WeakMap<Tags, RenderedTags>();
  readonly #tagCache: TagCache;
  /** By {@link Kind}: whether its values may share a line (timers, histograms, distributions). */
  readonly #packs: readonly boolean[];
  /** UTF-8 bytes of the last call tags beyond their length, set by `#callTags`. */
  #tagsExtra = 0;
  /** UTF-8 bytes of the last line beyond its length (0 for ASCII), set by `#line`. */
  #lineExtra = 0;

  constructor(settings: FormatterSettings) {
    this.settings = settings;
    for (let i = 0; i < KIND_SEGMENTS.length; i++) this.#caches.push(new Map());
    this.#segments = settings.kindSegments ? KIND_SEGMENTS : NO_SEGMENTS;
    const { tagFormat, fixedTags } = settings;
    const separator = tagFormat === 'graphite' ? ';' : ',';
    this.#infix = fixedTags !== '' && tagFormat !== 'dogstatsd' ? separator + fixedTags : '';
    this.#suffix = fixedTags !== '' && tagFormat === 'dogstatsd' ? '|#' + fixedTags : '';
    this.#extra = settings.ascii ? 0 : utf8Extra(this.#suffix);
    // Before the call tags: `|#` and the fixed tags for DogStatsD, the separator otherwise.
    const lead =
      tagFormat !== 'dogstatsd' ? separator : fixedTags === '' ? '|#' : '|#' + fixedTags + ',';
    this.#tagCache = new TagCache(tagFormat, settings.ascii, lead);
    const packed: readonly Kind[] = [Kind.timer, Kind.histogram, Kind.distribution];
    this.#packs = KIND_SEGMENTS.map(
      (_, kind) => settings.packValues && packed.includes(kind as Kind),
    );
  }

  /**
   * Writes `<head>:<value><type>` with the dialect's tags to `sink` as one metric, or returns
   * why it cannot: the path is empty after sanitizing, or the tags have no text (see
   * `renderTags`). `type` is the ready suffix such as `|c` or `|ms|@0.1`. Tags `null` are no
   * tags, as for untyped callers `options: null` is no options.
   */
  write(
    sink: LineSink,
    kind: Kind,
    path: string,
    value: string,
    type: string,
    tags: Tags | undefined,
  ): LineFault | undefined {
    if (this.#packs[kind] === true) return this.#writeValue(sink, kind, path, value, type, tags);
    const line = this.#line(kind, path, value, type, tags);
    if (typeof line !== 'string') return line;
    sink.accept(line, line.length + this.#lineExtra, 1);
    return undefined;
  }

  /** As {@link MetricFormatter.write}, in pieces, for a value that may share its series' line. */
  #writeValue(
    sink: LineSink,
    kind: Kind,
    path: string,
    value: string,
    type: string,
    tags: Tags | undefined,
  ): LineFault | undefined {
    const entry = this.#nameEntry(kind, path);
    if (entry === undefined) return LineFault.path;
    let infix = '';
    let tail = this.#suffix;
    let extra = entry.extra;
    if (tags != null) {
      const text = this.#callTags(tags);
      if (text === undefined) return LineFault.tags;
      extra += this.#tagsExtra;
      if (this.settings.tagFormat === 'dogstatsd') tail = text;
      else infix = text;
    }
    const bytes =
      entry.head.length + infix.length + 1 + value.length + type.length + tail.length + extra;
    // The entry is the name the queue keeps the lines of its series on.
    sink.acceptValue(entry, infix, value, type, tail, bytes);
    return undefined;
  }

  /**
   * As {@link MetricFormatter.write}, for a negative gauge value on a server that reads a lone
   * `-5` as a change: `0` first, then the value, as one unit so that they stay in order.
   */
  writeAfterZero(
    sink: LineSink,
    kind: Kind,
    path: string,
    value: string,
    type: string,
    tags: Tags | undefined,
  ): LineFault | undefined {
    const line = this.#line(kind, path, value, type, tags);
    if (typeof line !== 'string') return line;
    const bytes = line.length + this.#lineExtra;
    const zero = this.#line(kind, path, '0', type, tags) as string;
    sink.accept(zero + '\n' + line, bytes + zero.length + this.#lineExtra + 1, 1);
    return undefined;
  }

  /**
   * The line with an empty value (`name:|c|#tags`), which names the series: the aggregator's
   * key. Or why it cannot be written, as for {@link MetricFormatter.write}.
   */
  template(kind: Kind, path: string, type: string, tags: Tags | undefined): string | LineFault {
    return this.#line(kind, path, '', type, tags);
  }

  #line(
    kind: Kind,
    path: string,
    value: string,
    type: string,
    tags: Tags | undefined,
  ): string | LineFault {
    const entry = this.#nameEntry(kind, path);
    if (entry === undefined) return LineFault.path;
    // Numbers are ASCII; a set member is the one value that may hold UTF-8.
    const extra =
      type === '|s' && !this.settings.ascii ? entry.extra + utf8Extra(value) : entry.extra;
    if (tags == null) {
      this.#lineExtra = extra;
      if (entry.value === value && entry.type === type) return entry.line;
      const line = entry.head + ':' + value + type + this.#suffix;
      entry.value = value;
      entry.type = type;
      entry.line = line;
      return line;
    }
    const text = this.#callTags(tags);
    if (text === undefined) return LineFault.tags;
    this.#lineExtra = extra + this.#tagsExtra;
    return this.settings.tagFormat === 'dogstatsd'
      ? entry.head + ':' + value + type + text
      : entry.head + text + ':' + value + type;
  }

  /**
   * Call tags as they go on the line: the whole `|#…` suffix for DogStatsD (fixed tags first),
   * the `,…`/`;…` infix for Influx and Graphite; their extra UTF-8 bytes go to `#tagsExtra`. A
   * frozen tags object cannot change, so its rendering is kept (weakly) and a constant
   * `Object.freeze({ … })` costs one lookup per call.
   */
  #callTags(tags: Tags): string | undefined {
    // Untyped callers: a string or a number is frozen too, and no WeakMap key.
    if (typeof tags !== 'object' || tags === null) return undefined;
    const frozen = Object.isFrozen(tags);
    if (frozen) {
      const cached = this.#renderedTags.get(tags);
      if (cached !== undefined) {
        this.#tagsExtra = cached.extra;
        return cached.text;
      }
    }
    const rendered = this.#tagCache.render(tags);
    if (rendered === undefined) return undefined;
    // The entry's extra bytes already count the fixed DogStatsD suffix that the text replaces.
    const text = rendered.text === '' ? this.#suffix : rendered.text;
    this.#tagsExtra = rendered.extra;
    if (frozen) this.#renderedTags.set(tags, { text, extra: rendered.extra });
    return text;
  }

  /** The cached entry of (kind, path), made on first use; `undefined` for an empty path. */
  #nameEntry(kind: Kind, path: string): NameEntry | undefined {
    const cache = this.#caches[kind] as Map<string, NameEntry>;
    let entry = cache.get(path);
    if (entry === undefined) {
      entry = this.#entry(kind, path);
      if (entry === undefined) return undefined;
      if (cache.size >= NAME_CACHE_SIZE) cache.clear();
      cache.set(path, entry);
    }
    return entry;
  }

  #entry(kind: Kind, path: string): NameEntry | undefined {
    if (typeof path !== 'string') return undefined;
    const name = sanitize(path, this.settings.ascii);
    if (name === '' || name === '.') return undefined;
    const head = this.settings.prefix + (this.#segments[kind] as string) + name + this.#infix;
    const extra = this.settings.ascii ? 0 : utf8Extra(head) + this.#extra;
    // Types start with `|`: the empty type never matches, so the first call builds its line.
    return { head, extra, value: '', type: '', line: '', series: undefined };
  }
}
