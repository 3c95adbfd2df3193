import type { RequestOutcome } from './request-metric.js';
import { UNMATCHED_ROUTE } from './route-name.js';

/** The part of Node's `http.ServerResponse` (or `http2.Http2ServerResponse`) a recorder reads. */
export interface ObservedResponse {
  readonly statusCode: number;
  readonly closed: boolean;
  readonly writableEnded: boolean;
  readonly writableFinished: boolean;
  on(event: 'close', listener: () => void): unknown;
}

/** The part of a framework's request (Express's `req`, Koa's `ctx`) a recorder reads. */
export interface ObservedRequest {
  readonly method: string;
}

/** Receives a request's outcome and its duration in milliseconds. */
export type RecordRequest = (outcome: RequestOutcome, milliseconds: number) => void;

/** Receives what failed while a request was being recorded, and the error. */
export type ReportFailure = (what: string, cause: unknown) => void;

/**
 * Starts a request's clock and calls `record` once, when the response is over, with the
 * request's outcome and its duration in milliseconds (monotonic clock).
 *
 * 'close' comes once per response, after 'finish' or when the connection is lost first: the one
 * moment where the duration covers the whole body (which Koa writes after the middleware chain
 * has settled), the status is the one the client got (error handlers included), and an abandoned
 * response can be told from a finished one. `route(req)` is called then, when the framework's
 * routing state is final; it is one function per middleware, not one per request.
 *
 * This runs in an event listener, where a throw would crash the process: a `route` that throws
 * is reported to `fail` and the request timed as `unmatched`; a `record` that throws is reported
 * to `fail` (the request is then lost, and the report says so).
 *
 * The request's state lives in the listener's closure, never in a field of the response:
 * Express gives every response its own hidden class (it swaps prototypes per request), so a
 * field added there costs V8 a new map on every request, far more than a closure.
 */
export function bindResponse<R extends ObservedRequest>(
  res: ObservedResponse,
  req: R,
  route: (req: R) => string,
  record: RecordRequest,
  fail: ReportFailure,
): void {
  const startedAt = performance.now();
  // The client may already be gone when an earlier middleware waited for something.
  if (res.closed) return settle(res, req, route, record, fail, startedAt);
  res.on('close', () => settle(res, req, route, record, fail, startedAt));
}

function settle<R extends ObservedRequest>(
  res: ObservedResponse,
  req: R,
  route: (req: R) => string,
  record: RecordRequest,
  fail: ReportFailure,
  startedAt: number,
): void {
  const milliseconds = performance.now() - startedAt;
  let name: string;
  try {
    name = route(req);
  } catch (error) {
    fail("the request's route could not be read; it was timed as unmatched", error);
    name = UNMATCHED_ROUTE;
  }
  try {
    const outcome: RequestOutcome = {
      route: name,
      method: req.method,
      status: res.statusCode,
      aborted: !completed(res),
    };
    record(outcome, milliseconds);
  } catch (error) {
    fail('a request could not be recorded; its timer was lost', error);
  }
}

/** Whether the whole response was handed to the operating system before the connection closed. */
function completed(res: ObservedResponse): boolean {
  // Node's HTTP/2 compatibility layer reports an abandoned, never ended response as finished.
  return res.writableEnded && res.writableFinished;
}
