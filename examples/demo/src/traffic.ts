import { request } from 'node:http';
import { randomBytes } from 'node:crypto';

/** One request of the burst. */
export interface Visit {
  /** Path and query, as sent. */
  readonly path: string;
  /** HTTP method. */
  readonly method: string;
  /** Walk away once the response headers arrive, before the body is complete. */
  readonly abort: boolean;
  /** The middleware does not time this path (health checks). */
  readonly skipped: boolean;
}

/** What the client saw: a status code, or `'aborted'` for a request it walked away from. */
export type VisitOutcome = number | 'aborted';

/**
 * The burst sent to each application: known routes, a nested router, a health check that is
 * skipped, failures, a slow response that completes and two that the client abandons, and URLs
 * no route matches (some random, as scanners send them) that must all land in one bucket.
 */
export function trafficPlan(): Visit[] {
  const get = (path: string, more: Partial<Visit> = {}): Visit => ({
    path,
    method: 'GET',
    abort: false,
    skipped: false,
    ...more,
  });
  return [
    get('/'),
    get('/'),
    get('/'),
    ...[1, 2, 3, 4].map((id) => get(`/users/${id}`)),
    ...[7, 8, 9].map((id) => get(`/api/v1/items/${id}`)),
    get('/health', { skipped: true }),
    get('/health', { skipped: true }),
    get('/fail'),
    get('/fail'),
    get('/slow?ms=20'),
    // Long enough that the client is always gone first; the apps cancel the timer on close.
    get('/slow?ms=10000', { abort: true }),
    get('/slow?ms=10000', { abort: true }),
    get('/wp-login.php'),
    get('/.env'),
    get(`/random/${randomBytes(6).toString('hex')}`),
    get(`/random/${randomBytes(6).toString('hex')}`),
    get('/users/1', { method: 'DELETE' }),
  ];
}

/**
 * Sends one request with plain `node:http` and no keep-alive, and resolves with its status, or
 * with `'aborted'` once the request was destroyed after the response headers arrived (so the
 * server has seen the request and holds an unfinished response).
 */
export function visit(host: string, port: number, target: Visit): Promise<VisitOutcome> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: target.path, method: target.method, agent: false });
    req.once('error', reject);
    req.once('response', (res) => {
      if (target.abort) {
        // Destroying the request tears the connection down: the response ends with an error
        // here and as a closed, unfinished response on the server.
        res.once('error', () => {});
        req.off('error', reject);
        req.once('error', () => {});
        req.once('close', () => resolve('aborted'));
        req.destroy();
        return;
      }
      res.once('error', reject);
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.end();
  });
}

/** Sends every visit at once and returns the outcomes in plan order. */
export function sendBurst(
  host: string,
  port: number,
  plan: readonly Visit[],
): Promise<VisitOutcome[]> {
  return Promise.all(plan.map((target) => visit(host, port, target)));
}

/** `{ '200': 9, '404': 5, aborted: 2 }`: how many visits ended each way. */
export function tally(outcomes: readonly VisitOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = String(outcome);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
