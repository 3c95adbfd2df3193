import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  RequestRecorder,
  UNMATCHED_ROUTE,
  type MiddlewareControls,
  type MiddlewareOptions,
} from '@statsd/core/framework';

/** A plain `node:http` request handler. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;
/** A request as Node's server hands it over: the method is always set. */
type ServerRequest = IncomingMessage & { method: string };

/**
 * Times every request `handler` serves: one timer per request, named after the route template
 * `routeOf(req)` gives once the response is over (`/users/:id`), or `unmatched`.
 */
export function statsdHandler(
  handler: Handler,
  routeOf: (req: IncomingMessage) => string | undefined,
  options: MiddlewareOptions<[IncomingMessage]> = {},
): Handler & MiddlewareControls {
  // Validates the options, then creates and starts the connector (or takes `connector`).
  const recorder = new RequestRecorder<[IncomingMessage]>(options, '(req)');
  // Made once: asks the application's `routeName` hook first, then the router.
  const route = recorder.routeOf<ServerRequest>(
    (req) => routeOf(req) ?? UNMATCHED_ROUTE,
    (req) => [req],
  );
  function statsdHandler(req: IncomingMessage, res: ServerResponse): void {
    // Starts the clock; records when the response closes (`aborted` if the client left).
    if (!recorder.skips(req)) recorder.bindResponse(res, req as ServerRequest, route);
    handler(req, res);
  }
  // Adds `connector` and `stopOnShutdown(server?, options?)`.
  return recorder.middleware(statsdHandler);
}
