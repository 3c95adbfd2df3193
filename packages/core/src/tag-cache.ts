import { sanitize, sanitizeColonValue, utf8Extra } from './sanitize.js';
import { renderTags } from './tags.js';
import type { TagFormat, Tags } from './types.js';

/** Keys and values remembered per formatter; past it a cache starts over, so memory stays bounded. */
const TAG_CACHE_SIZE = 10_000;

/** A tag key, a tag value or rendered call tags as they go on the wire. */
export interface TagPiece {
  readonly text: string;
  /** Keys only: the tag with no value (`true` or `''`): `route` in DogStatsD, else `route=true`. */
  readonly bare: string;
  /** UTF-8 bytes beyond the text's length (for call tags: of the tags, not of the lead). */
  readonly extra: number;
}

/** A key that sanitizes to nothing: the tag is left out. */
const NO_KEY: TagPiece = Object.freeze({ text: '', bare: '', extra: 0 });
/** The value of a tag written as a bare key (`true`, `''`). */
const BARE: TagPiece = Object.freeze({ text: '', bare: '', extra: 0 });
/** No call tags left once `null`, `undefined` and `false` values are left out. */
const NO_TAGS: TagPiece = Object.freeze({ text: '', bare: '', extra: 0 });

/**
 * Renders call tags for one formatter, as `renderTags` renders them, with what a service
 * repeats cached. Keys (`route` → `route:`), string values (`/users/:id`) and numbers (`200`)
 * are sanitized once and kept in bounded maps with their UTF-8 byte counts, so a tag costs two
 * lookups. The calls of one unit of work (a request's counter, timer, …) usually carry the same
 * tags: when every key and value is the one of the previous call, its rendering is returned as
 * it is, and no string is built at all.
 */
export class TagCache {
  readonly #format: TagFormat;
  readonly #ascii: boolean;
  readonly #pair: string;
  /** Before the tags: `|#` and the fixed tags for DogStatsD, the separator otherwise. */
  readonly #lead: string;
  readonly #separator: string;
  readonly #keys = new Map<string, TagPiece>();
  readonly #values = new Map<string, TagPiece>();
  readonly #numbers = new Map<number | bigint, TagPiece>();
  /** The previous call's keys and values, in pairs; reused, never reallocated per call. */
  readonly #previous: TagPiece[] = [];
  /** The keys and values given for `#previous`, in the same places. */
  readonly #raw: unknown[] = [];
  /** Entries of `#previous` in use; -1 when they describe no rendering. */
  #previousLength = -1;
  #previousResult: TagPiece = NO_TAGS;

  constructor(format: TagFormat, ascii: boolean, lead: string) {
    this.#format = format;
    this.#ascii = ascii;
    this.#pair = format === 'dogstatsd' ? ':' : '=';
    this.#lead = lead;
    this.#separator = format === 'graphite' ? ';' : ',';
  }

  /**
   * The lead and the rendered tags (an empty text when no tag remains), or `undefined` when the
   * tags cannot be written (see `renderTags`).
   */
  render(tags: Tags): TagPiece | undefined {
    if (Array.isArray(tags)) return this.#list(tags as readonly string[]);
    const object = tags as Readonly<Record<string, unknown>>;
    const previous = this.#previous;
    const raw = this.#raw;
    let length = 0;
    let changed = false;
    for (const key in object) {
      const value = object[key];
      // The same key and value as the previous call's at this place: its pieces are in place.
      if (raw[length] === key && raw[length + 1] === value) {
        length += 2;
        continue;
      }
      if (value === undefined || value === null || value === false) continue;
      let safe: TagPiece;
      const type = typeof value;
      if (type === 'string') safe = value === '' ? BARE : this.#value(value as string);
      else if (type === 'number' || type === 'bigint') safe = this.#number(value as number);
      else if (value === true) safe = BARE;
      else {
        // `#previous` may be half overwritten: it describes nothing any more.
        this.#previousLength = -1;
        return undefined;
      }
      const name = this.#key(key);
      if (name === NO_KEY) continue;
      raw[length] = key;
      raw[length + 1] = value;
      previous[length] = name;
      previous[length + 1] = safe;
      changed = true;
      length += 2;
    }
    if (!changed && length === this.#previousLength) return this.#previousResult;
    const result = length === 0 ? NO_TAGS : this.#join(length);
    this.#previousLength = length;
    this.#previousResult = result;
    return result;
  }

  /** The first `length` entries of `#previous` as the tags' text. */
  #join(length: number): TagPiece {
    const previous = this.#previous;
    const separator = this.#separator;
    let text = this.#lead;
    let extra = 0;
    for (let i = 0; i < length; i += 2) {
      const name = previous[i] as TagPiece;
      const safe = previous[i + 1] as TagPiece;
      if (i > 0) text += separator;
      text += safe === BARE ? name.bare : name.text + safe.text;
      extra += safe === BARE ? name.extra : name.extra + safe.extra;
    }
    return { text, bare: '', extra };
  }

  /** A list of ready `key:value` strings: rare enough to be rendered each time. */
  #list(tags: readonly string[]): TagPiece | undefined {
    const text = renderTags(tags, this.#format, this.#ascii);
    if (text === undefined) return undefined;
    if (text === '') return NO_TAGS;
    return { text: this.#lead + text, bare: '', extra: this.#ascii ? 0 : utf8Extra(text) };
  }

  /** `key` and the pair character (`route:`), or {@link NO_KEY} when it sanitizes to nothing. */
  #key(key: string): TagPiece {
    const cached = this.#keys.get(key);
    if (cached !== undefined) return cached;
    const safe = sanitize(key, this.#ascii);
    const bare = this.#pair === ':' ? safe : safe + '=true';
    const piece = safe === '' ? NO_KEY : this.#piece(safe + this.#pair, bare);
    if (this.#keys.size >= TAG_CACHE_SIZE) this.#keys.clear();
    this.#keys.set(key, piece);
    return piece;
  }

  /** A string tag value, made wire-safe (a DogStatsD value keeps its colons). */
  #value(value: string): TagPiece {
    const cached = this.#values.get(value);
    if (cached !== undefined) return cached;
    const ascii = this.#ascii;
    const safe =
      this.#format === 'dogstatsd' ? sanitizeColonValue(value, ascii) : sanitize(value, ascii);
    const piece = this.#piece(safe, '');
    if (this.#values.size >= TAG_CACHE_SIZE) this.#values.clear();
    this.#values.set(value, piece);
    return piece;
  }

  /** A number or bigint value: digits, `.`, `-`, `e+`, nothing to sanitize. */
  #number(value: number | bigint): TagPiece {
    const cached = this.#numbers.get(value);
    if (cached !== undefined) return cached;
    const piece: TagPiece = { text: String(value), bare: '', extra: 0 };
    if (this.#numbers.size >= TAG_CACHE_SIZE) this.#numbers.clear();
    this.#numbers.set(value, piece);
    return piece;
  }

  #piece(text: string, bare: string): TagPiece {
    return { text, bare, extra: this.#ascii ? 0 : utf8Extra(text) };
  }
}
