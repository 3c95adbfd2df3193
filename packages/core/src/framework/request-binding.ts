import type { RequestOutcome } from './request-metric.js';

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

/** A request whose response has not closed yet: what its 'close' needs to record it. */
class PendingRequest<R extends ObservedRequest> {
  readonly startedAt: number;
  readonly req: R;
  readonly route: (req: R) => string;
  readonly record: RecordRequest;

  constructor(startedAt: number, req: R, route: (req: R) => string, record: RecordRequest) {
    this.startedAt = startedAt;
    this.req = req;
    this.route = route;
    this.record = record;
  }

  settle(res: ObservedResponse): void {
    const milliseconds = performance.now() - this.startedAt;
    try {
      const outcome: RequestOutcome = {
        route: this.route(this.req),
        method: this.req.method,
        status: res.statusCode,
        aborted: !completed(res),
      };
      this.record(outcome, milliseconds);
    } catch {
      // Runs in an event listener: a throw here would crash the process, not fail a request.
    }
  }
}

const kPending = Symbol('@statsd/core pending request');

interface BoundResponse extends ObservedResponse {
  [kPending]?: PendingRequest<ObservedRequest> | undefined;
}

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
 * Every response shares one 'close' listener, which finds its request in a field of the
 * response: binding a request allocates one small object and no closure.
 */
export function bindResponse<R extends ObservedRequest>(
  res: ObservedResponse,
  req: R,
  route: (req: R) => string,
  record: RecordRequest,
): void {
  const pending = new PendingRequest(performance.now(), req, route, record);
  // The client may already be gone when an earlier middleware waited for something.
  if (res.closed) return pending.settle(res);
  const bound = res as BoundResponse;
  if (bound[kPending] === undefined) {
    bound[kPending] = pending as unknown as PendingRequest<ObservedRequest>;
    res.on('close', onResponseClose);
  } else {
    // A second middleware timing the same response (nested applications): its own listener.
    res.on('close', () => pending.settle(res));
  }
}

function onResponseClose(this: BoundResponse): void {
  const pending = this[kPending];
  if (pending === undefined) return;
  // Cleared rather than deleted, so that responses keep one shape; and recorded only once.
  this[kPending] = undefined;
  pending.settle(this);
}

/** Whether the whole response was handed to the operating system before the connection closed. */
function completed(res: ObservedResponse): boolean {
  // Node's HTTP/2 compatibility layer reports an abandoned, never ended response as finished.
  return res.writableEnded && res.writableFinished;
}
