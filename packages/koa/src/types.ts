import type { Connector } from '@statsd/core';
import type {
  MiddlewareControls,
  RequestMetricsOptions,
  ShutdownSignalOptions,
} from '@statsd/core/framework';
import type { Middleware, ParameterizedContext } from 'koa';

declare module 'koa' {
  // Every Koa context's state (and so @koa/router's handlers) knows `ctx.state.statsd`: no cast.
  interface DefaultState {
    /** The application's StatsD connector, set by `statsdMiddleware` on every request. */
    statsd: Connector;
  }
}

/** What `statsdMiddleware` puts on `ctx.state`. */
export interface StatsdState {
  /** The application's StatsD connector: `ctx.state.statsd.incr('lookups')`. */
  statsd: Connector;
}

/** Options of {@link StatsdMiddleware}: the connector's settings plus how requests are named. */
export interface StatsdMiddlewareOptions extends RequestMetricsOptions {
  /**
   * Names a request's route yourself. Return a route template (`'/users/:id'`, `'/static'`),
   * which is named like @koa/router's own templates (see `naming`), or `undefined` to keep the
   * default. Called once per request, when the response is over, so `ctx._matchedRoute` and
   * `ctx.status` are final. Never return the raw URL: every distinct value becomes a metric name
   * or tag value. If it throws, the default name is used and the error reported to `onError`
   * (`ERR_STATSD_REQUEST_HOOK`).
   * @default undefined (the template @koa/router matched, or `unmatched`)
   */
  routeName?: (ctx: ParameterizedContext) => string | undefined;
  /**
   * Return `true` to leave a request untimed (health checks, metrics scrapes). Called before
   * the request is handled; `ctx.state.statsd` is set either way.
   * @default undefined (every request is timed)
   */
  skip?: (ctx: ParameterizedContext) => boolean;
}

/** Options of {@link StatsdMiddleware.stopOnShutdown}. */
export type StatsdShutdownOptions = ShutdownSignalOptions;

/**
 * The Koa middleware returned by `statsdMiddleware`: times every request and puts the connector
 * on `ctx.state.statsd`. `connector` is the connector it records with;
 * `stopOnShutdown(server?, options?)` delivers its queue and stops it when `server` closes or
 * the process receives SIGTERM or SIGINT, keeping the application's own signal handling.
 */
export interface StatsdMiddleware extends Middleware<StatsdState>, MiddlewareControls {}
