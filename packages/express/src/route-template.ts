/**
 * The template of an Express route's `path`, ready for `routeMetricName`: a string as written;
 * for a RegExp, its source with escaped slashes read as slashes and the `^` and `$` anchors left
 * out; for an array of paths, the first one. Never anything taken from the request.
 */
export function routePathTemplate(path: unknown): string {
  if (typeof path === 'string') return path;
  if (path instanceof RegExp) {
    return path.source.replace(/\\\//g, '/').replace(/^\^/, '').replace(/\$$/, '');
  }
  if (Array.isArray(path) && path.length > 0) return routePathTemplate(path[0]);
  return '';
}

/**
 * Turns the part of `req.baseUrl` that a mounted router or app added (`/orgs/42/users`) back into
 * its template (`/orgs/:orgId/users`). Express keeps no mount template: only the matched text
 * and, at the moment it enters the router, the mount's parameters in `req.params`. So every
 * parameter's decoded value is looked up among the path segments and replaced by `:name`,
 * right to left (the router's own parameters come last, and a literal segment usually precedes
 * a parameter with the same text). A mount without parameters is returned as is.
 */
export function mountTemplate(added: string, params: unknown): string {
  if (typeof params !== 'object' || params === null) return added;
  const keys = Object.keys(params);
  if (keys.length === 0) return added;
  const segments = added.split('/');
  let end = segments.length;
  for (let k = keys.length - 1; k >= 0; k--) {
    const key = keys[k] as string;
    const parts = valueSegments((params as Record<string, unknown>)[key]);
    if (parts === undefined) continue;
    const at = lastRun(segments, parts, end);
    if (at === -1) continue;
    segments.splice(at, parts.length, ':' + key);
    end = at;
  }
  return segments.join('/');
}

/** A parameter's value as path segments: `'a/b'` (Express 4 `*`) or `['a', 'b']` (Express 5 `*name`). */
function valueSegments(value: unknown): readonly unknown[] | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value.split('/');
  if (Array.isArray(value) && value.length > 0) return value as unknown[];
  return undefined;
}

/** Index of the last run of `parts` in `segments` that ends at or before `end`, or -1. */
function lastRun(segments: string[], parts: readonly unknown[], end: number): number {
  for (let at = end - parts.length; at >= 0; at--) {
    let same = true;
    for (let i = 0; i < parts.length && same; i++) {
      same = decode(segments[at + i] as string) === parts[i];
    }
    if (same) return at;
  }
  return -1;
}

function decode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape (`%E0%A4%A`) is the client's, not a failure: scanners send them all day,
    // and reporting each would flood `onError`. Such a segment is compared as it is.
    return segment;
  }
}
