import { isRegExp } from 'node:util/types';
import { UNMATCHED_ROUTE } from '@statsd/core/framework';

/** The part of an @koa/router layer read here (`ctx.matched` holds them). */
interface RouteLayer {
  readonly path: string | RegExp;
  readonly methods: readonly string[];
}

/** What @koa/router sets on the context, read without depending on the router's types. */
export interface RoutedContext {
  readonly method: string;
  readonly _matchedRoute?: unknown;
  readonly matched?: unknown;
}

/**
 * The template of the route @koa/router matched (`/api/users/:id`, with the prefixes of nested
 * routers), or `unmatched` when no route matched the path and method.
 */
export function matchedRouteTemplate(ctx: RoutedContext): string {
  const template = routeTemplate(ctx);
  if (template === undefined) return UNMATCHED_ROUTE;
  // `^\/files\/(\d+)$` reads as the template `/files/(d+)`.
  return typeof template === 'string' ? template : template.source.replace(/[\\^$]/g, '');
}

/**
 * @koa/router writes the path of every layer it runs into `ctx._matchedRoute`, router
 * middleware (`router.use`) included. When such a middleware answered or threw before its
 * route ran (an auth check's 401), the value is the middleware's internal pattern
 * (`/api(?:\/|$)`); the request is named after the route it was about to reach instead.
 */
function routeTemplate(ctx: RoutedContext): string | RegExp | undefined {
  const route = ctx._matchedRoute;
  if (typeof route !== 'string' && !isRegExp(route)) return undefined;
  if (!Array.isArray(ctx.matched)) return route;
  const layers = ctx.matched as readonly RouteLayer[];
  let at = layers.length - 1;
  while (at >= 0 && layers[at]?.path !== route) at--;
  if (at < 0 || (layers[at] as RouteLayer).methods.length > 0) return route;
  const method = ctx.method.toUpperCase();
  return routeFrom(layers, at + 1, method) ?? routeFrom(layers, 0, method);
}

function routeFrom(
  layers: readonly RouteLayer[],
  from: number,
  method: string,
): string | RegExp | undefined {
  for (let i = from; i < layers.length; i++) {
    const layer = layers[i] as RouteLayer;
    if (layer.methods.includes(method)) return layer.path;
  }
  return undefined;
}
