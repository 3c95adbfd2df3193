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

/**
 * Starts a request's clock and calls `record` once, when the response is over, with the
 * request's outcome and its duration in milliseconds (monotonic clock).
 *
 * 'close' comes once per response, after 'finish' or when the connection is lost first: the one
 * moment where the duration covers the whole body (which Koa writes after the middleware chain
 * has settled), the status is the one the client got (error handlers included), and an abandoned
 * response can be told from a finished one. `route` is called then, when the framework's routing
 * state is final.
 */
export function bindResponse(
  res: ObservedResponse,
  req: ObservedRequest,
  route: () => string,
  record: (outcome: RequestOutcome, milliseconds: number) => void,
): void {
  const startedAt = performance.now();
  let recorded = false;
  const onClose = (): void => {
    // `on` and this flag rather than `once`, which wraps the listener anew for every request.
    if (recorded) return;
    recorded = true;
    const milliseconds = performance.now() - startedAt;
    try {
      const aborted = !completed(res);
      record({ route: route(), method: req.method, status: res.statusCode, aborted }, milliseconds);
    } catch {
      // Runs in an event listener: a throw here would crash the process, not fail a request.
    }
  };
  // The client may already be gone when an earlier middleware waited for something.
  if (res.closed) onClose();
  else res.on('close', onClose);
}

/** Whether the whole response was handed to the operating system before the connection closed. */
function completed(res: ObservedResponse): boolean {
  // Node's HTTP/2 compatibility layer reports an abandoned, never ended response as finished.
  return res.writableEnded && res.writableFinished;
}
