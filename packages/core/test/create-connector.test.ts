import { Connector } from '../src/connector.js';
import { createConnector, resolveEnvironment } from '../src/create-connector.js';
import { ErrorCode, StatsdError } from '../src/errors.js';
import { FakeStatsdServer } from '../src/testing/index.js';
import type { CreateConnectorOptions } from '../src/types.js';
import { FAST, stopConnectors } from './helpers/connector-harness.js';

const HOST_ENV = { STATSD_HOST: '127.0.0.1' };

/** The error `createConnector` throws; fails the test when it throws nothing. */
function creationError(
  options: CreateConnectorOptions,
  env: Record<string, string | undefined>,
): StatsdError {
  try {
    createConnector(options, env);
  } catch (error) {
    expect(error).toBeInstanceOf(StatsdError);
    return error as StatsdError;
  }
  throw new Error('createConnector did not throw');
}

afterEach(stopConnectors);

describe('createConnector', () => {
  it('takes explicit options over STATSD_* variables over the defaults', () => {
    const env = {
      STATSD_HOST: 'env-host',
      STATSD_PORT: '9125',
      STATSD_PREFIX: 'env',
      STATSD_PROTOCOL: 'udp',
      STATSD_ENABLED: 'false',
    };
    expect(
      resolveEnvironment(
        { host: 'explicit', port: 7125, prefix: 'mine', protocol: 'tcp', enabled: true },
        env,
      ),
    ).toEqual({ host: 'explicit', port: 7125, prefix: 'mine', protocol: 'tcp', enabled: true });
    expect(resolveEnvironment({}, env)).toEqual({
      host: 'env-host',
      port: 9125,
      prefix: 'env',
      protocol: 'udp',
      enabled: false,
    });
    expect(resolveEnvironment({}, {})).toEqual({});
  });

  it('reads the environment it is given and never process.env when one is passed', () => {
    const saved = process.env.STATSD_HOST;
    process.env.STATSD_HOST = 'from-process-env';
    try {
      expect(resolveEnvironment({}, {}).host).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.STATSD_HOST;
      else process.env.STATSD_HOST = saved;
    }
  });

  it('builds a working connector from STATSD_* variables', async () => {
    const server = await FakeStatsdServer.start();
    const statsd = createConnector(
      { ...FAST },
      {
        STATSD_HOST: server.host,
        STATSD_PORT: String(server.port),
        STATSD_PROTOCOL: 'UDP',
        STATSD_PREFIX: 'env',
      },
    );
    try {
      await statsd.start();
      statsd.incr('jobs');
      expect(await server.waitForLines(1)).toEqual(['env.counters.jobs:1|c']);
    } finally {
      await statsd.stop();
      await server.stop();
    }
  });

  it.each(['false', 'FALSE', ' no ', '0', 'off'])(
    'gives a disabled connector with the same interface when STATSD_ENABLED is %j',
    async (value) => {
      const statsd = createConnector({}, { STATSD_ENABLED: value });
      expect(statsd).toBeInstanceOf(Connector);
      expect(statsd.enabled).toBe(false);
      await statsd.start();
      statsd.incr('jobs');
      statsd.gauge('level', -3);
      statsd.timing('db', 0.1);
      statsd.set('users', 'a');
      statsd.injectMetric('raw', 1, 'c');
      statsd.timer('t').start().stop();
      expect(statsd.time('fn', () => 42)).toBe(42);
      statsd.child({ prefix: 'child' }).incr('jobs');
      expect(await statsd.flush()).toBe(true);
      await statsd.stop();
      expect(statsd.stats()).toEqual({
        enqueued: 0,
        sent: 0,
        dropped: 0,
        queued: 0,
        queuedBytes: 0,
        dropReasons: {
          queueFull: 0,
          invalid: 0,
          tooLong: 0,
          sendError: 0,
          stopTimeout: 0,
          unsupported: 0,
        },
        sampledOut: 0,
        packetsSent: 0,
        bytesSent: 0,
        reconnects: 0,
        connected: false,
      });
    },
  );

  it('sends nothing to the server when disabled by STATSD_ENABLED', async () => {
    const server = await FakeStatsdServer.start({ protocol: 'tcp' });
    const env = { STATSD_HOST: server.host, STATSD_PORT: String(server.port) };
    try {
      const disabled = createConnector({ ...FAST }, { ...env, STATSD_ENABLED: 'false' });
      await disabled.start();
      disabled.incr('disabled');
      await disabled.flush();
      await disabled.stop();
      // An enabled connector sends a marker afterwards: the marker alone must arrive.
      const enabled = createConnector({ ...FAST }, { ...env, STATSD_ENABLED: 'true' });
      await enabled.start();
      enabled.incr('marker');
      await enabled.stop();
      expect(await server.waitForLines(1)).toEqual(['counters.marker:1|c']);
      expect(server.connectionsAccepted).toBe(1);
    } finally {
      await server.stop();
    }
  });

  it.each([
    ['an empty prefix option', { prefix: '' }, HOST_ENV],
    ['a null prefix option', { prefix: null }, HOST_ENV],
    [
      'a null prefix option over STATSD_PREFIX',
      { prefix: null },
      { ...HOST_ENV, STATSD_PREFIX: 'env' },
    ],
    ['an empty STATSD_PREFIX', {}, { ...HOST_ENV, STATSD_PREFIX: '' }],
    [
      'an empty STATSD_PREFIX with service and environment',
      { service: 'shop', environment: 'prod' },
      { ...HOST_ENV, STATSD_PREFIX: '' },
    ],
    ['a blank STATSD_PREFIX', {}, { ...HOST_ENV, STATSD_PREFIX: '   ' }],
  ] as const)('uses no prefix for %s', (_, options, env) => {
    const statsd = createConnector(options, env);
    expect(statsd.prefix).toBe('');
    expect(statsd.prefix).not.toMatch(/none|null|undefined/i);
  });

  it.each([
    [
      'service and environment',
      { service: 'shop', environment: 'prod' },
      HOST_ENV,
      'applications.shop.prod',
    ],
    [
      'STATSD_PREFIX over service and environment',
      { service: 'shop', environment: 'prod' },
      { ...HOST_ENV, STATSD_PREFIX: 'env' },
      'env',
    ],
    [
      'an explicit prefix over STATSD_PREFIX',
      { prefix: 'mine' },
      { ...HOST_ENV, STATSD_PREFIX: 'env' },
      'mine',
    ],
    ['a prefix with a trailing dot', { prefix: 'app.' }, HOST_ENV, 'app'],
    [
      'STATSD_PREFIX with a trailing dot',
      {},
      { ...HOST_ENV, STATSD_PREFIX: 'app.web.' },
      'app.web',
    ],
  ] as const)('builds the prefix from %s', (_, options, env, prefix) => {
    expect(createConnector(options, env).prefix).toBe(prefix);
  });

  it('writes a trailing-dot prefix with a single dot on the wire', async () => {
    const server = await FakeStatsdServer.start();
    const statsd = createConnector(
      { ...FAST, protocol: 'udp', service: 'shop', environment: 'prod' },
      { STATSD_HOST: server.host, STATSD_PORT: String(server.port), STATSD_PREFIX: 'app.' },
    );
    try {
      await statsd.start();
      statsd.incr('orders');
      expect(await server.waitForLines(1)).toEqual(['app.counters.orders:1|c']);
    } finally {
      await statsd.stop();
      await server.stop();
    }
  });

  it('takes a service without an environment in the dogstatsd dialect, where each is a tag', () => {
    const resolved = resolveEnvironment({ service: 'shop', dialect: 'dogstatsd' }, HOST_ENV);
    expect(JSON.stringify(resolved.globalTags)).toContain('shop');
    expect(resolved.prefix).toBeUndefined();
  });

  it('throws ERR_STATSD_MISSING_HOST naming STATSD_HOST when enabled without a host', () => {
    const error = creationError({}, {});
    expect(error.code).toBe(ErrorCode.MissingHost);
    expect(error.message).toMatch(/STATSD_HOST/);
    expect(creationError({}, { STATSD_ENABLED: 'yes', STATSD_HOST: ' ' }).code).toBe(
      ErrorCode.MissingHost,
    );
  });

  it('reads STATSD_PACK_VALUES, after the packValues option', () => {
    expect(resolveEnvironment({}, { STATSD_PACK_VALUES: 'on' }).packValues).toBe(true);
    expect(resolveEnvironment({}, { STATSD_PACK_VALUES: 'false' }).packValues).toBe(false);
    expect(resolveEnvironment({}, { STATSD_PACK_VALUES: ' ' }).packValues).toBeUndefined();
    expect(
      resolveEnvironment({ packValues: false }, { STATSD_PACK_VALUES: 'true' }).packValues,
    ).toBe(false);
  });

  it('packs timer values for the reference daemon when STATSD_PACK_VALUES is set', async () => {
    const server = await FakeStatsdServer.start({ protocol: 'tcp' });
    const env = { STATSD_HOST: server.host, STATSD_PORT: String(server.port) };
    try {
      const statsd = createConnector({ ...FAST }, { ...env, STATSD_PACK_VALUES: 'yes' });
      await statsd.start();
      statsd.timing('db', 0.012);
      statsd.timing('db', 0.007);
      await statsd.stop();
      expect(await server.waitForMetrics(2)).toEqual(['timers.db:12|ms:7|ms']);
    } finally {
      await server.stop();
    }
  });

  it.each([
    ['STATSD_PORT', 'abc', /STATSD_PORT: received "abc", expected an integer from 1 to 65535/],
    ['STATSD_PORT', '0', /STATSD_PORT: received "0", expected an integer from 1 to 65535/],
    ['STATSD_PORT', '70000', /STATSD_PORT: received "70000", expected an integer from 1/],
    ['STATSD_PORT', '81.5', /STATSD_PORT: received "81.5"/],
    ['STATSD_PORT', '-1', /STATSD_PORT: received "-1"/],
    ['STATSD_ENABLED', 'maybe', /STATSD_ENABLED: received "maybe", expected true, false/],
    ['STATSD_PACK_VALUES', 'maybe', /STATSD_PACK_VALUES: received "maybe", expected true, f/],
    [
      'STATSD_PROTOCOL',
      'http',
      /STATSD_PROTOCOL: received "http", expected tcp, udp, unix or unixgram/,
    ],
  ])('throws ERR_STATSD_INVALID_OPTION naming %s when it holds %j', (name, value, message) => {
    const error = creationError({}, { ...HOST_ENV, [name]: value });
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toMatch(message);
  });

  it.each<[string, unknown, unknown, RegExp]>([
    [
      'a typo',
      { hots: 'x' },
      HOST_ENV,
      /Unknown option `hots`.*: host, .*, service, environment\./,
    ],
    [
      'service',
      { service: 5 },
      HOST_ENV,
      /Invalid option `service`: received 5, expected a non-empty string/,
    ],
    [
      'an empty service',
      { service: '', environment: 'prod' },
      HOST_ENV,
      /Invalid option `service`: received "", expected a non-empty string/,
    ],
    [
      'a service without an environment',
      { service: 'shop' },
      HOST_ENV,
      /Invalid option `environment`: received undefined, expected a string beside `service`/,
    ],
    [
      'an environment without a service',
      { environment: 'prod' },
      { ...HOST_ENV, STATSD_PREFIX: 'set' },
      /Invalid option `service`: received undefined, expected a string beside `environment`/,
    ],
    [
      'environment',
      { environment: {} },
      HOST_ENV,
      /Invalid option `environment`: received an empty object/,
    ],
    ['env', {}, null, /Invalid option `env`: received null, expected an object/],
  ])('throws ERR_STATSD_INVALID_OPTION for %s', (_case, options, env, message) => {
    const error = creationError(
      options as CreateConnectorOptions,
      env as Record<string, string | undefined>,
    );
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toMatch(message);
  });

  it('reads padded and upper-case variables', () => {
    expect(
      resolveEnvironment(
        {},
        {
          STATSD_HOST: ' h ',
          STATSD_PORT: ' 9125 ',
          STATSD_PROTOCOL: ' TCP ',
          STATSD_ENABLED: 'On',
        },
      ),
    ).toEqual({ host: 'h', port: 9125, protocol: 'tcp', enabled: true });
  });

  it('uses STATSD_HOST as the socket path when STATSD_PROTOCOL is unix', () => {
    expect(
      resolveEnvironment({}, { STATSD_PROTOCOL: 'unix', STATSD_HOST: '/run/statsd.sock' }),
    ).toEqual({ protocol: 'unix', path: '/run/statsd.sock' });
  });
});
