import { once } from 'node:events';
import type Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { Connector, StatsdError } from '@statsd/core';
import type {
  AdapterDriver,
  AdapterOptions,
  AppSpec,
  Handler,
  StartedApp,
  StartedHttp2App,
} from '@statsd-internal/daemon/jest';
import { frameworkHookOptions } from '@statsd-internal/daemon/jest';
import { statsdPlugin } from '../src/index.js';
import type { StatsdPluginOptions } from '../src/index.js';
import { portOf } from './support.js';

/** Answers a Fastify request with what a shared-suite handler returns. */
function fastifyHandler(handler: Handler): RouteHandlerMethod {
  return async (request, reply) => {
    const answer = await handler({
      statsd: request.statsd,
      closed: () => once(reply.raw, 'close').then(() => undefined),
    });
    return reply.type('text/plain').send(answer);
  };
}

function pluginOptions(options: AdapterOptions): StatsdPluginOptions {
  return {
    ...frameworkHookOptions<[FastifyRequest, FastifyReply]>(
      options,
      (request) => request.url,
      (_request, reply) => reply.statusCode,
    ),
    // The suite hands back only connectors this driver's createConnector made.
    ...(options.connector && { connector: options.connector as Connector }),
  };
}

/** Builds the app of `spec` with the plugin, the way a Fastify application is built. */
function build(app: FastifyInstance, options: AdapterOptions, spec: AppSpec): void {
  const { beforeAdapter, replaceErrors, fallback, guarded } = spec;
  if (beforeAdapter) {
    app.addHook('onRequest', async (_request, reply) => {
      await beforeAdapter(once(reply.raw, 'close').then(() => undefined));
    });
  }
  void app.register(statsdPlugin, pluginOptions(options));
  if (replaceErrors) {
    app.setErrorHandler((_error, _request, reply) =>
      reply.code(replaceErrors.status).send(replaceErrors.body),
    );
  }
  for (const route of spec.routes ?? []) app.get(route.path, fastifyHandler(route.handler));
  if (guarded)
    void app.register(guardedPlugin(guarded.mounts.slice(1), guarded.routes), {
      prefix: guarded.mounts[0],
    });
  if (fallback) {
    app.setNotFoundHandler((request, reply) => {
      const answer = fallback(request.url);
      return answer === undefined ? reply.code(404).send() : reply.send(answer);
    });
  }
}

/** Plugins nested at `mounts`, the innermost one guarded by a preHandler hook. */
function guardedPlugin(
  mounts: readonly string[],
  routes: NonNullable<AppSpec['guarded']>['routes'],
): (scope: FastifyInstance) => Promise<void> {
  return async (scope) => {
    const [next, ...rest] = mounts;
    if (next !== undefined) {
      await scope.register(guardedPlugin(rest, routes), { prefix: next });
      return;
    }
    scope.addHook('preHandler', async (request, reply) => {
      if (request.headers.authorization === undefined) await reply.code(401).send();
    });
    for (const route of routes) scope.get(route.path, fastifyHandler(route.handler));
  };
}

/** The error registering the plugin with `options` fails the boot of a `fastify` app with. */
export async function bootError(fastify: typeof Fastify, options: unknown): Promise<unknown> {
  const app = fastify();
  try {
    await app.register(statsdPlugin, options as StatsdPluginOptions);
  } catch (error) {
    return error;
  } finally {
    await app.close();
  }
  throw new Error('expected the registration to fail');
}

/** The shared adapter suite's driver for `statsdPlugin` on `fastify`. */
export function fastifyDriver(name: string, fastify: typeof Fastify): AdapterDriver {
  return {
    name,
    // Fastify answers a known path with an unknown method with its not-found handler.
    wrongMethodStatus: 404,
    errorClass: StatsdError,
    setUpError: (options) => bootError(fastify, options),
    createConnector: ({ host, port, prefix }) =>
      new Connector({ host, port, protocol: 'tcp', prefix }),
    async start(options, spec): Promise<StartedApp> {
      const app = fastify();
      build(app, options, spec);
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { server: app.server, connector: app.statsd, close: () => app.close() };
    },
    async startHttp2(options, spec): Promise<StartedHttp2App> {
      const app = fastify({ http2: true }) as unknown as FastifyInstance;
      build(app, options, spec);
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { port: portOf(app), close: () => app.close() };
    },
  };
}
