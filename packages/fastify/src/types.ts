import type { Connector } from '@statsd/core';
import type { RequestMetricsOptions, ShutdownSignalOptions } from '@statsd/core/framework';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  // Every request and every instance of the application knows `statsd`: no cast in handlers.
  interface FastifyRequest {
    /** The application's StatsD connector, set by `statsdPlugin`. */
    statsd: Connector;
  }
  interface FastifyInstance {
    /** The application's StatsD connector, set by `statsdPlugin`, for code outside requests. */
    statsd: Connector;
  }
}

/** Options of {@link StatsdPlugin}: the connector's settings plus how requests are named. */
export interface StatsdPluginOptions extends RequestMetricsOptions {
  /**
   * Text put before every metric path, followed by a dot. An empty string means no prefix
   * (Fastify's register options take no `null` here). It is never a route prefix: the plugin
   * is not encapsulated, so Fastify gives it none.
   * @default `STATSD_PREFIX`, else `applications.<service>.<environment>`, else no prefix
   */
  prefix?: string;
  /**
   * Names a request's route yourself. Return a route template (`'/users/:id'`, `'/static'`),
   * which is turned into a metric path by the same rule as Fastify's templates, or `undefined`
   * to keep the default. Called once per request, when the response is over, so
   * `reply.statusCode` is final. Never return the raw URL: every distinct value becomes a metric
   * name. If it throws, the default name is used and the error reported to `onError`
   * (`ERR_STATSD_REQUEST_HOOK`).
   * @default undefined (the template of the route Fastify matched, or `unmatched`)
   */
  routeName?: (request: FastifyRequest, reply: FastifyReply) => string | undefined;
  /**
   * Return `true` to leave a request untimed (health checks, metrics scrapes). Called in the
   * `onRequest` hook, when the route is known. `request.statsd` is set either way.
   * @default undefined (every request is timed)
   */
  skip?: (request: FastifyRequest, reply: FastifyReply) => boolean;
  /**
   * Also deliver the queue and stop the connector when `app.server` closes or the process
   * receives one of `signals` (`true`: SIGTERM and SIGINT), keeping the application's own
   * signal handling. `app.close()` undoes it. Without it, the plugin still stops a connector it
   * created when the application closes.
   * @default false
   */
  stopOnShutdown?: boolean | StatsdShutdownOptions;
}

/** The `stopOnShutdown` option's object form: `{ signals }`. */
export type StatsdShutdownOptions = ShutdownSignalOptions;

/**
 * The Fastify plugin `statsdPlugin`: registered with `app.register(statsdPlugin, options)`, it
 * applies to the whole application (it is not encapsulated), times every request and decorates
 * the application and every request with `statsd`, the connector.
 */
export type StatsdPlugin = FastifyPluginAsync<StatsdPluginOptions>;
