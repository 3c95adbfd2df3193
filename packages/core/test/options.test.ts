import { Connector } from '../src/connector.js';
import { ErrorCode, StatsdError } from '../src/errors.js';
import { DEFAULTS, resolveOptions } from '../src/options.js';
import type { ConnectorOptions } from '../src/types.js';

/** The error `new Connector(options)` throws; fails the test when it throws nothing. */
function constructionError(options: ConnectorOptions): StatsdError {
  try {
    new Connector(options);
  } catch (error) {
    expect(error).toBeInstanceOf(StatsdError);
    return error as StatsdError;
  }
  throw new Error(`new Connector(${JSON.stringify(options)}) did not throw`);
}

const HOST = { host: '127.0.0.1' };

describe('Connector options', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an empty host', { host: '' }, /`host`: received "", expected a host name or IP address/],
    ['a blank host', { host: '  ' }, /`host`: received " {2}", expected a host name/],
    ['a host that is not a string', { host: 42 }, /`host`: received 42, expected a host name/],
    [
      'a fractional port',
      { ...HOST, port: 81.5 },
      /`port`: received 81.5, expected an integer from 1 to 65535/,
    ],
    ['port 0', { ...HOST, port: 0 }, /`port`: received 0, expected an integer from 1 to 65535/],
    [
      'a port above 65535',
      { ...HOST, port: 65_536 },
      /`port`: received 65536, expected an integer from 1/,
    ],
    [
      'a port given as a string',
      { ...HOST, port: '8125' },
      /`port`: received "8125", expected an integer/,
    ],
    ['NaN as the port', { ...HOST, port: NaN }, /`port`: received NaN, expected an integer/],
    [
      'an unknown protocol',
      { ...HOST, protocol: 'http' },
      /`protocol`: received "http", expected 'tcp', 'udp', 'unix' or 'unixgram'/,
    ],
    [
      'unix without a path',
      { protocol: 'unix' },
      /`path`: received undefined, expected the path of the server's unix socket/,
    ],
    [
      'a queue of 0 metrics',
      { ...HOST, maxQueueSize: 0 },
      /`maxQueueSize`: received 0, expected an integer from 1 to/,
    ],
    [
      'a negative queue size',
      { ...HOST, maxQueueSize: -5 },
      /`maxQueueSize`: received -5, expected an integer from 1/,
    ],
    [
      'a queue of 0 bytes',
      { ...HOST, maxQueueBytes: 0 },
      /`maxQueueBytes`: received 0, expected an integer from 1432 to/,
    ],
    [
      'a byte bound below the packet size',
      { ...HOST, maxPacketSize: 512, maxQueueBytes: 500 },
      /`maxQueueBytes`: received 500, expected an integer from 512/,
    ],
    [
      'a packet too small for a line',
      { ...HOST, maxPacketSize: 10 },
      /`maxPacketSize`: received 10, expected an integer from 64 to 65507/,
    ],
    [
      'a negative flushInterval',
      { ...HOST, flushInterval: -1 },
      /`flushInterval`: received -1, expected an integer from 0/,
    ],
    [
      'a reconnectMaxDelay below reconnectMinDelay',
      { ...HOST, reconnectMinDelay: 500, reconnectMaxDelay: 100 },
      /`reconnectMaxDelay`: received 100, expected an integer from 500/,
    ],
    [
      'a connectTimeout of 0',
      { ...HOST, connectTimeout: 0 },
      /`connectTimeout`: received 0, expected an integer from 1/,
    ],
    [
      'an infinite stopTimeout',
      { ...HOST, stopTimeout: Infinity },
      /`stopTimeout`: received Infinity, expected an integer from 0 to 2147483647/,
    ],
    [
      'an unknown tagFormat',
      { ...HOST, tagFormat: 'statsd' },
      /`tagFormat`: received "statsd", expected 'graphite' or 'dogstatsd', the tag syntaxes the 'statsd' server reads/,
    ],
    [
      'an unknown dialect',
      { ...HOST, dialect: 'graphite' },
      /`dialect`: received "graphite", expected 'statsd', 'dogstatsd' or 'telegraf'/,
    ],
    [
      'a kindSegments that is not a boolean',
      { ...HOST, kindSegments: 'no' },
      /`kindSegments`: received "no", expected true or false/,
    ],
    [
      'a sampleRate of 0',
      { ...HOST, sampleRate: 0 },
      /`sampleRate`: received 0, expected a number above 0 and at most 1/,
    ],
    [
      'a sampleRate above 1',
      { ...HOST, sampleRate: 1.5 },
      /`sampleRate`: received 1.5, expected a number above 0/,
    ],
    [
      'globalTags that are not an object',
      { ...HOST, tagFormat: 'dogstatsd', globalTags: 'env:prod' },
      /`globalTags`: received "env:prod", expected an object/,
    ],
    [
      'aggregate without a flushInterval',
      { ...HOST, aggregate: true },
      /`flushInterval`: received 0, expected a number of milliseconds above 0 when `aggregate` is true/,
    ],
    [
      'enabled given as a string',
      { ...HOST, enabled: 'yes' },
      /`enabled`: received "yes", expected true or false/,
    ],
    [
      'an onError that is not a function',
      { ...HOST, onError: 'log' },
      /`onError`: received "log", expected a function/,
    ],
    [
      'a logger without warn',
      { ...HOST, logger: {} },
      /`logger`: received an empty object, expected an object with a warn\(message\) method/,
    ],
    [
      'a prefix that is not a string',
      { ...HOST, prefix: 7 },
      /`prefix`: received 7, expected a string, or null for none/,
    ],
    [
      'an unknown option',
      { ...HOST, hots: 'statsd.local' },
      /Unknown option `hots`: received "statsd.local", expected one of the known options: host, port/,
    ],
  ])(
    'throws ERR_STATSD_INVALID_OPTION naming the option, value and expectation for %s',
    (_, options, message) => {
      const error = constructionError(options);
      expect(error.code).toBe(ErrorCode.InvalidOption);
      expect(error.message).toMatch(message);
    },
  );

  it('throws ERR_STATSD_MISSING_HOST naming the option and STATSD_HOST when no host is given', () => {
    const error = constructionError({});
    expect(error.code).toBe(ErrorCode.MissingHost);
    expect(error.message).toMatch(/`host` option or the STATSD_HOST environment variable/);
    expect(error.message).toMatch(/enabled: false/);
  });

  it('throws ERR_STATSD_INVALID_OPTION naming options when they are not an object', () => {
    const error = constructionError(null as unknown as ConnectorOptions);
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toMatch(/`options`: received null, expected an object/);
  });

  it('needs no host when the connector is disabled or uses a unix socket', () => {
    expect(new Connector({ enabled: false }).enabled).toBe(false);
    expect(resolveOptions({ protocol: 'unix', path: '/tmp/statsd.sock' })).toMatchObject({
      protocol: 'unix',
      path: '/tmp/statsd.sock',
    });
  });

  it('fills in the documented defaults when only the host is given', () => {
    expect(resolveOptions(HOST)).toMatchObject({
      host: '127.0.0.1',
      prefix: '',
      enabled: true,
      aggregate: false,
      globalTags: undefined,
      protocol: 'tcp',
      tagFormat: 'graphite',
      kindSegments: true,
      dialect: { name: 'statsd' },
      ...DEFAULTS,
    });
    expect(DEFAULTS).toMatchObject({
      port: 8125,
      maxQueueSize: 100_000,
      maxQueueBytes: 8 * 1024 * 1024,
      maxPacketSize: 1432,
      flushInterval: 0,
      stopTimeout: 5000,
    });
  });

  it('trims the host and unwraps a bracketed IPv6 address', () => {
    expect(resolveOptions({ host: ' statsd.local ' }).host).toBe('statsd.local');
    expect(resolveOptions({ host: '[::1]' }).host).toBe('::1');
  });

  it('accepts globalTags with no tag format and aggregation with a flushInterval', () => {
    expect(resolveOptions({ ...HOST, globalTags: { env: 'prod' } })).toMatchObject({
      tagFormat: 'graphite',
      globalTags: { env: 'prod' },
    });
    expect(resolveOptions({ ...HOST, aggregate: true, flushInterval: 100 }).aggregate).toBe(true);
  });
});
