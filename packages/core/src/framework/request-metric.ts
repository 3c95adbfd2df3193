import type { MetricOptions } from '../types.js';
import { REQUEST_TIMER_PATH, type RequestNaming } from './request-naming.js';
import { routeMetricName } from './route-name.js';

/** How the response status is written in the request timer's name or `status` tag. */
export type StatusSegment =
  /** `200` */
  | 'code'
  /** `2xx`: five names per route and method instead of one per status code. */
  | 'class'
  /** `2xx.200` */
  | 'both';

/** The outcome of one request, as the framework glue saw it. */
export interface RequestOutcome {
  /**
   * The route template as the application wrote it (`/users/:id`, with the prefixes of mounted
   * routers), or `UNMATCHED_ROUTE`. Never the URL: every distinct value is a distinct timer.
   */
  readonly route: string;
  /** HTTP method as received. */
  readonly method: string;
  /** Status code the client got. */
  readonly status: number;
  /** The client went away before the response was finished. */
  readonly aborted: boolean;
}

/** The tags of a request timer in `'tags'` naming. */
export interface RequestTags {
  /** The route template (`/users/:id`), `/` for an empty one, or `unmatched`. */
  readonly route: string;
  /** The method in upper case, or `OTHER`. */
  readonly method: string;
  /** `200`, `2xx` or `2xx.200` (see `StatusSegment`), or `aborted`. */
  readonly status: string;
}

/** One request's timer as it is handed to the connector: `timing(path, seconds, options)`. */
export interface RequestTimer {
  /** The metric path, under the connector's `timers.`. */
  readonly path: string;
  /** `{ tags }` in `'tags'` naming (frozen, so the connector renders it once); else `undefined`. */
  readonly options: Readonly<MetricOptions> | undefined;
}

/** Status segment of requests whose client went away before the response finished. */
export const ABORTED_STATUS = 'aborted';

/**
 * The request timer's path in `'path'` naming: `<route>.<METHOD>.<status>`, the route written
 * by `routeMetricName`, the status `aborted` for requests the client abandoned, so they never
 * mix with completed ones.
 */
export function requestMetricPath(outcome: RequestOutcome, statusSegment: StatusSegment): string {
  return (
    routeMetricName(outcome.route) +
    '.' +
    methodText(outcome.method) +
    '.' +
    statusText(outcome, statusSegment)
  );
}

/** The request timer's tags in `'tags'` naming, by the same rules as the path's segments. */
export function requestMetricTags(
  outcome: RequestOutcome,
  statusSegment: StatusSegment,
): RequestTags {
  return {
    route: outcome.route === '' ? '/' : outcome.route,
    method: methodText(outcome.method),
    status: statusText(outcome, statusSegment),
  };
}

/**
 * The timer of one request in the given naming. Computed afresh on every call: a middleware's
 * `RequestRecorder` keeps each one it computed, so a repeated request costs a lookup.
 */
export function requestTimer(
  outcome: RequestOutcome,
  naming: RequestNaming,
  statusSegment: StatusSegment,
): RequestTimer {
  if (naming === 'path')
    return { path: requestMetricPath(outcome, statusSegment), options: undefined };
  const tags = Object.freeze(requestMetricTags(outcome, statusSegment));
  return { path: REQUEST_TIMER_PATH, options: Object.freeze({ tags }) };
}

// Node's parser accepts a fixed list of methods; other servers may pass anything.
function methodText(method: string): string {
  return /^[A-Za-z]{1,16}$/.test(method) ? method.toUpperCase() : 'OTHER';
}

function statusText(outcome: RequestOutcome, statusSegment: StatusSegment): string {
  if (outcome.aborted) return ABORTED_STATUS;
  const status =
    Number.isInteger(outcome.status) && outcome.status >= 100 && outcome.status <= 999
      ? outcome.status
      : 0;
  if (statusSegment === 'code') return String(status);
  const statusClass = `${Math.floor(status / 100)}xx`;
  return statusSegment === 'class' ? statusClass : statusClass + '.' + String(status);
}
