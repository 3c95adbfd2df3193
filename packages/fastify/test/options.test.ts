import { Connector, ErrorCode, StatsdError } from '@statsd/core';
import Fastify from 'fastify';
import { statsdPlugin } from '../src/index.js';
import type { StatsdPlugin, StatsdPluginOptions } from '../src/index.js';
import { bootError as bootErrorOf } from './fastify-driver.js';

type IsAny<T> = 0 extends 1 & T ? true : false;

const DISABLED = { env: { STATSD_ENABLED: 'false' } } as const;

/** The error registering the plugin with `options` fails a Fastify 5 app's boot with. */
function bootError(options: unknown): Promise<unknown> {
  return bootErrorOf(Fastify, options);
}

describe('statsdPlugin options', () => {
  it.each<[string, unknown, RegExp]>([
    ['stopOnShutdown', 'yes', /`stopOnShutdown`: received string, expected true, false or/],
    ['stopOnShutdown', { signals: ['SIGKILL'] }, /`signals`: received \["SIGKILL"\]/],
  ])('fails the boot with ERR_STATSD_INVALID_OPTION naming %s', async (option, value, message) => {
    const error = await bootError({ ...DISABLED, [option]: value });
    expect(error).toBeInstanceOf(StatsdError);
    expect(error).toMatchObject({ code: ErrorCode.InvalidOption });
    expect((error as Error).message).toMatch(message);
  });

  it('fails the boot with ERR_STATSD_INVALID_OPTION when the options are not an object', async () => {
    const error = await bootError('my-service');
    expect(error).toMatchObject({ code: ErrorCode.InvalidOption });
    expect((error as Error).message).toMatch(/`options`: received string/);
  });

  it('stops the connector it started when stopOnShutdown fails the boot', async () => {
    const stop = jest.spyOn(Connector.prototype, 'stop');
    const app = Fastify();
    try {
      // An enabled connector, started against a closed port: it would retry until stopped.
      const env = { STATSD_HOST: '127.0.0.1', STATSD_PORT: '9' };
      const registered = app.register(statsdPlugin, {
        env,
        stopOnShutdown: { signals: ['SIGSTOP'] },
      });
      await expect(registered).rejects.toMatchObject({ code: ErrorCode.InvalidOption });
      // Stopped by the failed registration itself, before the application closes anything.
      expect(stop).toHaveBeenCalledTimes(1);
    } finally {
      await app.close();
      stop.mockRestore();
    }
  });

  it('fails the boot with FST_ERR_DEC_ALREADY_PRESENT when registered twice on one instance', async () => {
    const app = Fastify();
    void app.register(statsdPlugin, DISABLED);
    await expect(app.register(statsdPlugin, DISABLED)).rejects.toMatchObject({
      code: 'FST_ERR_DEC_ALREADY_PRESENT',
    });
    await app.close();
  });

  it('is named @statsd/fastify and builds the prefix from service and environment', async () => {
    const app = Fastify();
    await app.register(statsdPlugin, { ...DISABLED, service: 'shop', environment: 'staging' });
    expect(app.statsd.prefix).toBe('applications.shop.staging');
    expect(app.hasPlugin('@statsd/fastify')).toBe(true);
    expect(statsdPlugin.name).toBe('statsdPlugin');
    await app.close();
  });

  it('types request.statsd and app.statsd as the Connector', async () => {
    // Checked by the type checker: each line fails to compile if a decoration loses its type.
    const plugin: StatsdPlugin = statsdPlugin;
    const app = Fastify();
    await app.register(plugin, DISABLED);
    app.get('/users/:id', (request) => {
      const connector: Connector = request.statsd;
      const notAny: IsAny<typeof request.statsd> = false;
      return [connector.prefix, notAny];
    });
    const fromApp: Connector = app.statsd;
    const routeName: StatsdPluginOptions['routeName'] = (request, reply) =>
      `${request.statsd.prefix}${reply.statusCode}`;
    expect(fromApp).toBe(app.statsd);
    expect(typeof routeName).toBe('function');
    await app.close();
  });
});
