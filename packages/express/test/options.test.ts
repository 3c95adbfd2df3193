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
    ['port', { ...OFF, port: 0 }, '`port`'],
  ])('throws a StatsdError naming `%s` when it is invalid', (_name, options, message) => {
    const error = failure(options);
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toContain(message);
  });
});
