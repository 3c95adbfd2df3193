import type { RequestNaming } from './request-naming.js';
import {
  requestTimer,
  type RequestOutcome,
  type RequestTimer,
  type StatusSegment,
} from './request-metric.js';

/** Status key of aborted requests: no status code is negative. */
const ABORTED_KEY = -1;

/**
 * Request timers by route, method and status, all forgotten at once when `capacity` are held.
 * Routes are templates and methods are few, so this holds every timer an application uses: a
 * request to a known route costs three map lookups and hands the connector the same path and
 * the same frozen tags every time, whose name and tags the connector has already rendered.
 */
export class RequestTimerCache {
  readonly #timers = new Map<string, Map<string, Map<number, RequestTimer>>>();
  readonly #naming: RequestNaming;
  readonly #statusSegment: StatusSegment;
  readonly #capacity: number;
  #size = 0;

  constructor(naming: RequestNaming, statusSegment: StatusSegment, capacity: number) {
    this.#naming = naming;
    this.#statusSegment = statusSegment;
    this.#capacity = capacity;
  }

  /** The timer of `outcome` (see `requestTimer`), computed once. */
  timer(outcome: RequestOutcome): RequestTimer {
    const key = outcome.aborted ? ABORTED_KEY : outcome.status;
    let methods = this.#timers.get(outcome.route);
    let statuses = methods?.get(outcome.method);
    let timer = statuses?.get(key);
    if (timer !== undefined) return timer;
    timer = requestTimer(outcome, this.#naming, this.#statusSegment);
    if (this.#size >= this.#capacity) {
      this.#timers.clear();
      this.#size = 0;
      methods = undefined;
      statuses = undefined;
    }
    if (methods === undefined) {
      methods = new Map();
      this.#timers.set(outcome.route, methods);
    }
    if (statuses === undefined) {
      statuses = new Map();
      methods.set(outcome.method, statuses);
    }
    statuses.set(key, timer);
    this.#size++;
    return timer;
  }
}
