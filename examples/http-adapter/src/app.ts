import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MiddlewareControls, MiddlewareOptions } from '@statsd/core/framework';
import { statsdHandler, type Handler } from './statsd-handler.js';

export { statsdHandler } from './statsd-handler.js';
export type { Handler } from './statsd-handler.js';

/** One route of the example's router: a method, a template and what answers it. */
interface Route {
  readonly method: string;
  readonly template: string;
  readonly pattern: RegExp;
  readonly answer: (res: ServerResponse) => void;
}

function route(method: string, template: string, answer: (res: ServerResponse) => void): Route {
  const pattern = new RegExp('^' + template.replace(/:\w+/g, '[^/]+') + '$');
  return { method, template, pattern, answer };
}

const ROUTES: readonly Route[] = [
  route('GET', '/', (res) => res.end('home')),
  route('GET', '/users/:id', (res) => res.end('user')),
  route('POST', '/users', (res) => {
    res.statusCode = 201;
    res.end('made');
  }),
];

/**
 * A `node:http` application with a tiny router, timed by the adapter in `statsd-handler.ts`:
 * the router remembers which template answered each request, and the adapter reads it back.
 * Pass the result to `http.createServer`.
 */
export function createApp(
  options: MiddlewareOptions<[IncomingMessage]> = {},
): Handler & MiddlewareControls {
  const templates = new WeakMap<IncomingMessage, string>();
  const router: Handler = (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const matched = ROUTES.find((r) => r.method === req.method && r.pattern.test(path));
    if (matched === undefined) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    templates.set(req, matched.template);
    matched.answer(res);
  };
  return statsdHandler(router, (req) => templates.get(req), options);
}
