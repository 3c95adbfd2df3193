/** The route segment of every request that matched no route: one bucket, whatever the URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The route segment of the root path `/`. */
export const ROOT_ROUTE = 'root';

const MAX_SEGMENT = 64;

/**
 * Metric paths by route template, all forgotten at once when `capacity` templates are held.
 * Keys are templates from the application's code (never URLs), so one entry per route; the cap
 * only guards against applications that build routes per request.
 */
export class RouteNameCache {
  readonly #names = new Map<string, string>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** How many templates are held. */
  get size(): number {
    return this.#names.size;
  }

  /** The metric path of `template` (see {@link routeMetricName}), computed once. */
  name(template: string): string {
    let name = this.#names.get(template);
    if (name === undefined) {
      name = metricPath(template);
      if (this.#names.size >= this.#capacity) this.#names.clear();
      this.#names.set(template, name);
    }
    return name;
  }
}

// Shared by every middleware in the process: Express and Koa apps reuse each other's names.
const cache = new RouteNameCache(1000);

/**
 * Turns a route template into a metric path, by one documented rule:
 * - slashes separate segments, which are joined by `.`; empty segments are dropped;
 * - a parameter (`:id`, `*path`, `{/:id}`) becomes `_` followed by its name: `/users/:id` →
 *   `users._id`; optional braces and parameter patterns (`:id(\\d+)`, `?`) are left out;
 * - any other character outside `A-Z a-z 0-9 _ -` becomes `_` (so a `.` in a template does not
 *   add a level), and a segment is cut at 64 characters;
 * - the root template `/` (or an empty one) is `root`.
 * Only templates written in the application's code reach this function, never raw URLs, so the
 * number of names is bounded by the number of routes. Names are remembered (up to 1,000
 * templates, then forgotten all at once), so a middleware may call it on every request.
 */
export function routeMetricName(template: string): string {
  return cache.name(template);
}

function metricPath(template: string): string {
  let out = '';
  for (const raw of template.split('/')) {
    const segment = metricSegment(raw);
    if (segment !== '') out = out === '' ? segment : out + '.' + segment;
  }
  return out === '' ? ROOT_ROUTE : out;
}

function metricSegment(raw: string): string {
  let text = raw.replace(/[{}]/g, '');
  const parameter = /^[:*]([A-Za-z0-9_$]*)/.exec(text);
  if (parameter !== null) text = '_' + (parameter[1] === '' ? 'param' : (parameter[1] as string));
  return text.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, MAX_SEGMENT);
}
