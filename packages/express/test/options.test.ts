import { ErrorCode, StatsdError } from '@statsd/core';
import { statsdMiddleware } from '../src/index.js';
import type { StatsdMiddlewareOptions } from '../src/index.js';

const OFF = { env: { STATSD_ENABLED: 'false' } } as const;

function failure(options: unknown): StatsdError {
  try {
    statsdMiddleware(options as StatsdMiddlewareOptions);
  } catch (error) {
    if (error instanceof StatsdError) return error;
    throw error;
  }
  throw new Error(`statsdMiddleware accepted ${JSON.stringify(options)}`);
}

describe('statsdMiddleware options', () => {
  it('returns a named middleware function with its connector when options are valid', () => {
    const statsd = statsdMiddleware({ ...OFF, status: 'both', skip: () => false });
    expect(statsd.name).toBe('statsdMiddleware');
    expect(statsd.length).toBe(3);
    expect(statsd.connector.enabled).toBe(false);
    expect(typeof statsd.stopOnShutdown).toBe('function');
  });

  it.each([
    ['options', 'verbose', 'Invalid option `options`: received "verbose"'],
    ['options', null, 'Invalid option `options`: received null'],
    ['skip', { ...OFF, skip: '/health' }, 'Invalid option `skip`: received "/health"'],
    ['routeName', { ...OFF, routeName: 'users' }, 'Invalid option `routeName`: received "users"'],
    [
      'connector',
      { ...OFF, connector: {} },
      'Invalid option `connector`: received an object without timing, start, stop',
    ],
    ['status', { ...OFF, status: 'classes' }, 'Invalid option `status`: received "classes"'],
    ['port', { ...OFF, port: 0 }, '`port`'],
  ])('throws a StatsdError naming `%s` when it is invalid', (_name, options, message) => {
    const error = failure(options);
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toContain(message);
  });

  it('throws a StatsdError naming an unknown option', () => {
    const error = failure({ ...OFF, routename: () => 'x' });
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toContain('`routename`');
  });

  it('throws a StatsdError naming STATSD_PORT when the environment holds a bad port', () => {
    const error = failure({ env: { STATSD_HOST: '127.0.0.1', STATSD_PORT: 'eighty' } });
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toContain('STATSD_PORT');
  });

  it.each([
    ['environment', { service: 'shop' }],
    ['service', { environment: 'production' }],
  ])('throws a StatsdError naming `%s` when only the other one is given', (missing, options) => {
    const error = failure({ ...options, env: { STATSD_HOST: '127.0.0.1' } });
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toContain(`Invalid option \`${missing}\`: received undefined`);
  });

  it('throws a StatsdError naming STATSD_HOST when enabled with no host anywhere', () => {
    const error = failure({ env: {} });
    expect(error.code).toBe(ErrorCode.MissingHost);
    expect(error.message).toContain('STATSD_HOST');
  });
});
