import { ErrorCode, StatsdError } from '@statsd/core';
import {
  RequestRecorder,
  UNMATCHED_ROUTE,
  stopOnShutdown,
  type ObservedResponse,
} from '@statsd/core/framework';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StatsdPlugin, StatsdPluginOptions } from './types.js';

/**
 * Fastify plugin that times every request into StatsD as
 * `<prefix>.timers.<route>.<METHOD>.<status>` (milliseconds, monotonic clock) and decorates the
 * application and every request with `statsd`, the connector. With no options, the connector is
 * configured from the `STATSD_*` environment variables, as `createConnector` does, and started
 * when the plugin loads; `app.close()` delivers its queue and stops it.
 *
 * ```ts
 * await app.register(statsdPlugin, { service: 'my-service', environment: 'production' });
 * ```
 *
 * It applies to the whole application, like a plugin wrapped in `fastify-plugin`: register it
 * before the routes and plugins it should time. Bad options reject the registration with a
 * `StatsdError` (`ERR_STATSD_INVALID_OPTION`), never a request.
 */
// Async, with nothing to wait for: Fastify turns the rejection of a throw into a failed boot.
// eslint-disable-next-line @typescript-eslint/require-await
async function statsdPlugin(app: FastifyInstance, options: StatsdPluginOptions): Promise<void> {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', options, 'an object of options, or nothing');
  }
  const { stopOnShutdown: shutdown = false, ...middlewareOptions } = options;
  if (typeof shutdown !== 'boolean' && (typeof shutdown !== 'object' || shutdown === null)) {
    throw invalidOption('stopOnShutdown', shutdown, "true, false or { signals: ['SIGTERM'] }");
  }
  // Decorated first, through getters: a second registration fails here, before it starts a
  // connector nobody would stop. `request.statsd` sits on the prototype: nothing per request.
  app.decorate('statsd', { getter: () => connector });
  app.decorateRequest('statsd', { getter: () => connector });
  const recorder = new RequestRecorder<[FastifyRequest, FastifyReply]>(
    middlewareOptions,
    '(request, reply)',
  );
  const connector = recorder.connector;
  // A shared connector is its owner's to stop.
  const owned = middlewareOptions.connector === undefined;
  if (owned) app.addHook('onClose', () => connector.stop());
  const named = middlewareOptions.routeName !== undefined;

  app.addHook('onRequest', function statsdOnRequest(request, reply, done) {
    if (recorder.skips(request, reply)) return done();
    // Named when the response closes, from the route Fastify matched (its own routing ran
    // before this hook) or the application's `routeName`, which takes the reply too.
    const route = named ? () => recorder.routeName(request, reply) ?? routeOf(request) : routeOf;
    recorder.bindResponse(observed(reply.raw), request, route);
    done();
  });

  // `app.close()` closes `app.server` (also when it never listened), which undoes the binding.
  if (shutdown === false) return;
  try {
    stopOnShutdown(connector, { ...(shutdown === true ? {} : shutdown), server: app.server });
  } catch (error) {
    // Bad `signals`: the boot fails, and the connector started above must not outlive it.
    if (owned) void connector.stop();
    throw error;
  }
}

/** The route template Fastify matched (prefixes included), or `unmatched` (404s). */
function routeOf(request: FastifyRequest): string {
  const template = request.routeOptions.url;
  return template === undefined ? UNMATCHED_ROUTE : template;
}

/**
 * `app.inject()` (light-my-request) ends a response on a socket that never drains, so Node
 * never reports it finished: there, a response counts as completed once it was ended.
 */
function observed(res: FastifyReply['raw']): ObservedResponse {
  // Set by light-my-request 5 (Fastify 4) and 6 (Fastify 5) on every response it makes.
  if ((res as { _lightMyRequest?: unknown })._lightMyRequest === undefined) return res;
  return {
    get statusCode() {
      return res.statusCode;
    },
    get closed() {
      return res.closed;
    },
    get writableEnded() {
      return res.writableEnded;
    },
    get writableFinished() {
      return res.writableEnded;
    },
    on: (event, listener) => res.on(event, listener),
  };
}

/** The core's message for a bad option, showing only the value's type. */
function invalidOption(option: string, value: unknown, expected: string): StatsdError {
  const received = value === null ? 'null' : typeof value;
  return new StatsdError(
    ErrorCode.InvalidOption,
    `Invalid option \`${option}\`: received ${received}, expected ${expected}.`,
  );
}

// What `fastify-plugin` would set: the plugin is not encapsulated (its hooks and decorators
// reach the whole application), has a name for `app.hasPlugin()`, and says which Fastify it needs.
const exported: StatsdPlugin = Object.assign(statsdPlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@statsd/fastify',
  [Symbol.for('plugin-meta')]: { name: '@statsd/fastify', fastify: '>=4.10.0 <6' },
});

export { exported as statsdPlugin };
