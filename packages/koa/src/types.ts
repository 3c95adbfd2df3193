import type { Connector } from '@statsd/core';
import type {
  ClosableServer,
  RequestMetricsOptions,
  ShutdownOptions,
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
   * which is turned into a metric path by the same rule as @koa/router's templates, or
   * `undefined` to keep the default. Called once per request, when the response is over, so
   * `ctx._matchedRoute` and `ctx.status` are final. Never return the raw URL: every distinct
   * value becomes a metric name. If it throws, the default name is used.
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
export type StatsdShutdownOptions = Omit<ShutdownOptions, 'server'>;

/**
 * The Koa middleware returned by `statsdMiddleware`: times every request and puts the connector
 * on `ctx.state.statsd`.
 */
export interface StatsdMiddleware extends Middleware<StatsdState> {
  /** The connector the middleware records with, for other code and for a graceful shutdown. */
  readonly connector: Connector;
  /**
   * Delivers the queue and stops the connector when `server` closes or the process receives
   * SIGTERM or SIGINT (see `signals`), keeping the application's own signal handling.
   * Returns a function that undoes the binding.
   */
  stopOnShutdown(server?: ClosableServer, options?: StatsdShutdownOptions): () => void;
}
