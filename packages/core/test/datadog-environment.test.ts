import { createConnector, resolveEnvironment } from '../src/create-connector.js';
import { ErrorCode, StatsdError } from '../src/errors.js';
import { FakeStatsdServer } from '../src/testing/index.js';
import type { CreateConnectorOptions } from '../src/types.js';

type Env = Record<string, string | undefined>;

/** The error `createConnector` throws; fails the test when it throws nothing. */
function creationError(options: CreateConnectorOptions, env: Env): StatsdError {
  try {
    createConnector(options, env);
  } catch (error) {
    expect(error).toBeInstanceOf(StatsdError);
    return error as StatsdError;
  }
  throw new Error('createConnector did not throw');
}

describe('the dialect from the environment', () => {
  it('reads STATSD_DIALECT, in any case, after the dialect option', () => {
    expect(resolveEnvironment({}, { STATSD_DIALECT: ' Telegraf ' }).dialect).toBe('telegraf');
    expect(resolveEnvironment({ dialect: 'statsd' }, { STATSD_DIALECT: 'dogstatsd' })).toEqual({
      dialect: 'statsd',
    });
    expect(resolveEnvironment({}, { STATSD_DIALECT: ' ' })).toEqual({});
  });

  it('throws ERR_STATSD_INVALID_OPTION naming STATSD_DIALECT when it is not a dialect', () => {
    const error = creationError({}, { STATSD_HOST: '127.0.0.1', STATSD_DIALECT: 'influx' });
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toBe(
      'Invalid environment variable STATSD_DIALECT: received "influx", expected statsd, ' +
        'dogstatsd or telegraf.',
    );
  });

  it.each<[string, Env]>([
    ['DD_AGENT_HOST', { DD_AGENT_HOST: '10.0.0.7' }],
    ['DD_DOGSTATSD_URL', { DD_DOGSTATSD_URL: 'unix:///var/run/datadog/dsd.socket' }],
  ])('is dogstatsd when %s is set and STATSD_HOST is not', (_, env) => {
    expect(resolveEnvironment({}, env).dialect).toBe('dogstatsd');
  });

  it.each<[string, CreateConnectorOptions, Env]>([
    ['STATSD_HOST is set', {}, { DD_AGENT_HOST: 'agent', STATSD_HOST: 'statsd' }],
    ['STATSD_DIALECT says so', {}, { DD_AGENT_HOST: 'agent', STATSD_DIALECT: 'statsd' }],
    ['the dialect option says so', { dialect: 'telegraf' }, { DD_AGENT_HOST: 'agent' }],
    ['DD_AGENT_HOST is blank', {}, { DD_AGENT_HOST: ' ', STATSD_HOST: '' }],
  ])('is not guessed from DD_AGENT_HOST when %s', (_, options, env) => {
    const resolved = resolveEnvironment(options, env);
    expect(resolved.dialect).not.toBe('dogstatsd');
    // The agent's variables are read in the dogstatsd dialect only.
    expect(resolved.host).not.toBe('agent');
  });
});

describe('the Datadog agent environment in the dogstatsd dialect', () => {
  const AGENT: Env = { DD_AGENT_HOST: ' 10.0.0.7 ', DD_DOGSTATSD_PORT: '8126' };

  it('reads DD_AGENT_HOST and DD_DOGSTATSD_PORT, after STATSD_* and explicit options', () => {
    expect(resolveEnvironment({}, AGENT)).toMatchObject({
      dialect: 'dogstatsd',
      host: '10.0.0.7',
      port: 8126,
    });
    const statsd = { ...AGENT, STATSD_DIALECT: 'dogstatsd', STATSD_HOST: 'h', STATSD_PORT: '9' };
    expect(resolveEnvironment({}, statsd)).toMatchObject({ host: 'h', port: 9 });
    expect(resolveEnvironment({ host: 'x', port: 1 }, statsd)).toMatchObject({
      host: 'x',
      port: 1,
    });
  });

  it('throws naming DD_DOGSTATSD_PORT when it is not a port', () => {
    const error = creationError({}, { DD_AGENT_HOST: 'agent', DD_DOGSTATSD_PORT: 'eighty' });
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toMatch(/^Invalid environment variable DD_DOGSTATSD_PORT: received/);
  });

  it('names DD_AGENT_HOST when no host is set anywhere', () => {
    const error = creationError({ dialect: 'dogstatsd' }, {});
    expect(error.code).toBe(ErrorCode.MissingHost);
    expect(error.message).toContain('STATSD_HOST environment variable (or DD_AGENT_HOST)');
  });

  it('turns DD_TAGS, DD_ENV, DD_SERVICE, DD_VERSION and DD_ENTITY_ID into global tags', () => {
    const env = {
      ...AGENT,
      DD_TAGS: 'team:core, region:eu  canary,,',
      DD_ENV: 'prod',
      DD_SERVICE: 'checkout',
      DD_VERSION: '1.2.3',
      DD_ENTITY_ID: 'pod-uid-42',
    };
    expect(resolveEnvironment({}, env).globalTags).toEqual([
      'team:core',
      'region:eu',
      'canary',
      'env:prod',
      'service:checkout',
      'version:1.2.3',
      'dd.internal.entity_id:pod-uid-42',
    ]);
  });

  it('lets the service and environment options win over DD_SERVICE and DD_ENV, as tags', () => {
    const env = { ...AGENT, DD_ENV: 'prod', DD_SERVICE: 'checkout', DD_TAGS: 'env:staging' };
    const resolved = resolveEnvironment({ service: 'billing', environment: 'qa' }, env);
    expect(resolved.globalTags).toEqual(['env:qa', 'service:billing']);
    // Unified service tagging instead of the applications.<service>.<environment> prefix.
    expect(resolved.prefix).toBeUndefined();
    expect(resolveEnvironment({ service: 'a', environment: 'b' }, {}).prefix).toBe(
      'applications.a.b',
    );
  });

  it('lets explicit globalTags win over the same keys from the environment', () => {
    const env = { ...AGENT, DD_ENV: 'prod', DD_TAGS: 'team:core,region:eu', DD_VERSION: '2' };
    expect(resolveEnvironment({ globalTags: { env: 'dev', team: true } }, env).globalTags).toEqual([
      'region:eu',
      'version:2',
      'env:dev',
      'team',
    ]);
    expect(resolveEnvironment({ globalTags: ['region:us', 'x'] }, env).globalTags).toEqual([
      'team:core',
      'env:prod',
      'version:2',
      'region:us',
      'x',
    ]);
  });

  it('leaves globalTags as given when the environment adds nothing, or when they are not tags', () => {
    const tags = { env: 'dev' };
    expect(resolveEnvironment({ globalTags: tags }, AGENT).globalTags).toBe(tags);
    expect(resolveEnvironment({}, AGENT).globalTags).toBeUndefined();
    const error = creationError(
      { globalTags: 'env:dev' as unknown as string[] },
      {
        ...AGENT,
        DD_ENV: 'prod',
      },
    );
    expect(error.message).toMatch(/^Invalid option `globalTags`: received "env:dev"/);
  });

  it('reads no DD_* variable outside the dogstatsd dialect', () => {
    const env = { ...AGENT, STATSD_HOST: '127.0.0.1', DD_ENV: 'prod', DD_TAGS: 'a:b' };
    expect(resolveEnvironment({}, env)).toEqual({ host: '127.0.0.1' });
  });

  it('sends the tags from the environment with every metric, over UDP, to the agent address', async () => {
    const server = await FakeStatsdServer.start({ protocol: 'udp' });
    const statsd = createConnector(
      { service: 'checkout' },
      {
        DD_AGENT_HOST: server.host,
        DD_DOGSTATSD_PORT: String(server.port),
        DD_ENV: 'prod',
        DD_ENTITY_ID: 'pod-1',
      },
    );
    try {
      expect(statsd.dialect).toBe('dogstatsd');
      await statsd.start();
      statsd.incr('orders', 1, { tags: { url: 'http://x:8080' } });
      await statsd.flush();
      expect(await server.waitForLines(1)).toEqual([
        'orders:1|c|#env:prod,service:checkout,dd.internal.entity_id:pod-1,url:http://x:8080',
      ]);
    } finally {
      await statsd.stop();
      await server.stop();
    }
  });
});
