import Router from '@koa/router';
import { ErrorCode } from '@statsd/core';
import type { Connector } from '@statsd/core';
import Koa from 'koa';
import { thrown } from '@statsd-internal/daemon/jest';
import { statsdMiddleware } from '../src/index.js';
import type { StatsdMiddleware, StatsdMiddlewareOptions } from '../src/index.js';

type IsAny<T> = 0 extends 1 & T ? true : false;

const DISABLED = { env: { STATSD_ENABLED: 'false' } } as const;

describe('statsdMiddleware options', () => {
  it('throws ERR_STATSD_INVALID_OPTION when the options are not an object', () => {
    const error = thrown(() => statsdMiddleware('my-service' as StatsdMiddlewareOptions));
    expect(error).toMatchObject({ code: ErrorCode.InvalidOption });
    expect((error as Error).message).toMatch(/`options`: received "my-service"/);
  });

  it('returns a function named statsdMiddleware that takes ctx and next', () => {
    const statsd = statsdMiddleware(DISABLED);
    expect(statsd.name).toBe('statsdMiddleware');
    expect(statsd.length).toBe(2);
    expect(statsd.connector.enabled).toBe(false);
  });

  it('builds the prefix from service and environment when no prefix is set', () => {
    const statsd = statsdMiddleware({ ...DISABLED, service: 'shop', environment: 'staging' });
    expect(statsd.connector.prefix).toBe('applications.shop.staging');
  });

  it('types ctx.state.statsd as the Connector in Koa and @koa/router handlers', () => {
    // Checked by the type checker: each line fails to compile if the state loses its type.
    const statsd: StatsdMiddleware = statsdMiddleware(DISABLED);
    const app = new Koa().use(statsd);
    app.use((ctx) => {
      const connector: Connector = ctx.state.statsd;
      const notAny: IsAny<typeof ctx.state.statsd> = false;
      return [connector, notAny];
    });
    const router = new Router();
    router.get('/users/:id', (ctx) => {
      const notAny: IsAny<typeof ctx.state.statsd> = false;
      ctx.state.statsd.incr('lookups');
      ctx.body = notAny;
    });
    const routeName: StatsdMiddlewareOptions['routeName'] = (ctx) => ctx.state.statsd.prefix;
    expect(app.middleware).toHaveLength(2);
    expect(typeof routeName).toBe('function');
  });
});
