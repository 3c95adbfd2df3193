import { sanitize, sanitizeColonValue, utf8Extra } from './sanitize.js';
import type { TagFormat } from './types.js';

/** Keys and values remembered per formatter; past it a cache starts over, so memory stays bounded. */
const TAG_CACHE_SIZE = 10_000;

/** A tag key or value as it goes on the wire, with its UTF-8 bytes beyond its length. */
export interface TagPiece {
  readonly text: string;
  /** Keys only: the tag with no value (`true` or `''`): `route` in DogStatsD, else `route=true`. */
  readonly bare: string;
  readonly extra: number;
}

/** A key that sanitizes to nothing: the tag is left out. */
const NO_KEY: TagPiece = Object.freeze({ text: '', bare: '', extra: 0 });

/**
 * Sanitized tag keys and values of one tag syntax, cached: a service writes the same few keys
 * (`route`, `method`, `status`) and a bounded set of values (route templates, methods) on every
 * call, so after the first call each costs one map lookup instead of regular expressions and a
 * UTF-8 byte count. A key is kept with its pair character (`route:` or `route=`), so a tag is
 * two lookups and one concatenation. The results are exactly those of `renderTags`.
 */
export class TagCache {
  readonly #ascii: boolean;
  readonly #pair: string;
  readonly #colonValues: boolean;
  readonly #keys = new Map<string, TagPiece>();
  readonly #values = new Map<string, TagPiece>();

  constructor(format: TagFormat, ascii: boolean) {
    this.#ascii = ascii;
    this.#pair = format === 'dogstatsd' ? ':' : '=';
    // A DogStatsD tag value keeps its colons (see `sanitizeColonValue`).
    this.#colonValues = format === 'dogstatsd';
  }

  /** `key` and the pair character (`route:`), or an empty text when the key sanitizes to nothing. */
  key(key: string): TagPiece {
    const cached = this.#keys.get(key);
    if (cached !== undefined) return cached;
    const safe = sanitize(key, this.#ascii);
    const bare = this.#pair === ':' ? safe : safe + '=true';
    const piece = safe === '' ? NO_KEY : this.#piece(safe + this.#pair, bare);
    if (this.#keys.size >= TAG_CACHE_SIZE) this.#keys.clear();
    this.#keys.set(key, piece);
    return piece;
  }

  /** A string tag value, made wire-safe. */
  value(value: string): TagPiece {
    const cached = this.#values.get(value);
    if (cached !== undefined) return cached;
    const ascii = this.#ascii;
    const safe = this.#colonValues ? sanitizeColonValue(value, ascii) : sanitize(value, ascii);
    const piece = this.#piece(safe, '');
    if (this.#values.size >= TAG_CACHE_SIZE) this.#values.clear();
    this.#values.set(value, piece);
    return piece;
  }

  #piece(text: string, bare: string): TagPiece {
    return { text, bare, extra: this.#ascii ? 0 : utf8Extra(text) };
  }
}
