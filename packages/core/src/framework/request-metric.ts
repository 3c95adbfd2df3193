/** How the response status is written in the request timer's name. */
export type StatusSegment =
  /** `200` */
  | 'code'
  /** `2xx`: five names per route and method instead of one per status code. */
  | 'class'
  /** `2xx.200` */
  | 'both';

/** The outcome of one request, as the framework glue saw it. */
export interface RequestOutcome {
  /** Metric path of the route (see `routeMetricName`), or `UNMATCHED_ROUTE`. */
  readonly route: string;
  /** HTTP method as received. */
  readonly method: string;
  /** Status code the client got. */
  readonly status: number;
  /** The client went away before the response was finished. */
  readonly aborted: boolean;
}

/** Status segment of requests whose client went away before the response finished. */
export const ABORTED_STATUS = 'aborted';

/**
 * The request timer's path under `timers.`: `<route>.<METHOD>.<status>`, where the status is
 * `aborted` for requests the client abandoned, so they never mix with completed ones.
 */
export function requestMetricPath(outcome: RequestOutcome, statusSegment: StatusSegment): string {
  const method = /^[A-Za-z]{1,16}$/.test(outcome.method) ? outcome.method.toUpperCase() : 'OTHER';
  return outcome.route + '.' + method + '.' + statusText(outcome, statusSegment);
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

/** Status key of aborted requests in {@link RequestPathCache}: no status code is negative. */
const ABORTED_KEY = -1;

/**
 * Request timer paths by route, method and status, all forgotten at once when `capacity` are
 * held. A request to a known route then costs three map lookups and passes the connector the
 * same string object every time, whose hash its own name cache has already computed.
 */
export class RequestPathCache {
  readonly #paths = new Map<string, Map<string, Map<unknown, string>>>();
  readonly #statusSegment: StatusSegment;
  readonly #capacity: number;
  #size = 0;

  constructor(statusSegment: StatusSegment, capacity: number) {
    this.#statusSegment = statusSegment;
    this.#capacity = capacity;
  }

  /** The timer path of `outcome` (see {@link requestMetricPath}), computed once. */
  path(outcome: RequestOutcome): string {
    const key: unknown = outcome.aborted ? ABORTED_KEY : outcome.status;
    let methods = this.#paths.get(outcome.route);
    let statuses = methods?.get(outcome.method);
    let path = statuses?.get(key);
    if (path !== undefined) return path;
    path = requestMetricPath(outcome, this.#statusSegment);
    if (this.#size >= this.#capacity) {
      this.#paths.clear();
      this.#size = 0;
      methods = undefined;
      statuses = undefined;
    }
    if (methods === undefined) {
      methods = new Map();
      this.#paths.set(outcome.route, methods);
    }
    if (statuses === undefined) {
      statuses = new Map();
      methods.set(outcome.method, statuses);
    }
    statuses.set(key, path);
    this.#size++;
    return path;
  }
}
