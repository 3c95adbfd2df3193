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
