import type { Server } from 'node:http';
import Router from '@koa/router';
import { ErrorCode, type Connector } from '@statsd/core';
import Koa from 'koa';
import Koa2 from 'koa2';
import request from 'supertest';
// Koa 2's own typings (@types/koa 2, installed as @types/koa2): `koa2` itself is typed as Koa 3
// by koa2.d.ts, for the runtime tests that drive both majors alike.
import type Koa2Application from '../node_modules/@types/koa2/index.js';
import { statsdMiddleware, type StatsdState } from '../src/index.js';
import { close, listen } from './support.js';

type IsAny<T> = 0 extends 1 & T ? true : false;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

async function serve(app: Koa<never> | Koa2Application): Promise<Server> {
  const server = await listen(app as unknown as Koa);
  servers.push(server);
  return server;
}

/** Collects the errors of `app`, whose listener also keeps Koa from logging them. */
function errorsOf(app: {
  on(event: 'error', listener: (error: unknown) => void): unknown;
}): unknown[] {
  const errors: unknown[] = [];
  app.on('error', (error) => errors.push(error));
  return errors;
}

const SECRET_HEADERS = { Authorization: 'Bearer secret-token', Cookie: 'session=secret-cookie' };

function expectNotCalledError(errors: unknown[]): void {
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ code: ErrorCode.MiddlewareNotCalled });
  const message = (errors[0] as Error).message;
  expect(message).toMatch(/call statsdMiddleware\(\) and pass its result to app.use/);
  expect(message).not.toMatch(/secret|authorization|cookie/i);
}

// Each `@ts-expect-error` below fails `tsc` (pnpm typecheck) the day the mistake type-checks.
describe('statsdMiddleware given to app.use without being called', () => {
  it('is a type error and a coded error per request on Koa 3, never echoing the request', async () => {
    const app = new Koa();
    // @ts-expect-error -- the factory itself is not a middleware
    app.use(statsdMiddleware);
    // @ts-expect-error -- nor on a router
    new Router().use(statsdMiddleware);
    const errors = errorsOf(app);

    await request(await serve(app))
      .get('/')
      .set(SECRET_HEADERS)
      .expect(500);

    expectNotCalledError(errors);
  });

  it('is a type error and a coded error per request on Koa 2, never echoing the request', async () => {
    const app = new Koa2() as unknown as Koa2Application;
    // @ts-expect-error -- the factory itself is not a middleware
    app.use(statsdMiddleware);
    const errors = errorsOf(app);

    await request(await serve(app))
      .get('/')
      .set(SECRET_HEADERS)
      .expect(500);

    expectNotCalledError(errors);
  });
});

interface AppState {
  user: string;
}

describe('StatsdState with an application state type', () => {
  it('is needed to see ctx.state.statsd when the app declares its own state', () => {
    // Type-checked only: `new Koa<AppState>()` replaces the DefaultState the package augments.
    const handlers = (app: Koa<AppState>, app2: Koa2Application<AppState>): void => {
      app.use(statsdMiddleware());
      app2.use(statsdMiddleware());
      app.use((ctx) => {
        // @ts-expect-error -- AppState has no statsd
        const state: StatsdState = ctx.state;
        state.statsd.incr('x');
      });
    };
    expect(typeof handlers).toBe('function');
  });

  it('gives handlers of Koa<AppState & StatsdState> and its router the connector', async () => {
    const statsd = statsdMiddleware({ env: { STATSD_ENABLED: 'false' } });
    const app = new Koa<AppState & StatsdState>();
    const router = new Router<AppState & StatsdState>();
    let seen: Connector | undefined;
    app.use(statsd);
    app.use(async (ctx, next) => {
      ctx.state.user = 'ada';
      await next();
    });
    router.get('/', (ctx) => {
      const notAny: IsAny<typeof ctx.state.statsd> = false;
      seen = ctx.state.statsd;
      ctx.state.statsd.incr('typed');
      ctx.body = { notAny, user: ctx.state.user.toUpperCase() };
    });
    app.use(router.routes());

    await request(await serve(app))
      .get('/')
      .expect(200, { notAny: false, user: 'ADA' });

    expect(seen).toBe(statsd.connector);
  });

  it('gives handlers the connector when the app state type extends StatsdState', () => {
    // Type-checked only: the README's form.
    interface OwnState extends StatsdState {
      user?: string;
    }
    const handlers = (app: Koa<OwnState>, router: Router<OwnState>): void => {
      app.use(statsdMiddleware());
      router.get('/', (ctx) => {
        const notAny: IsAny<typeof ctx.state.statsd> = false;
        const connector: Connector = ctx.state.statsd;
        connector.incr(ctx.state.user ?? 'anonymous', notAny ? 2 : 1);
      });
      app.use(router.routes());
    };
    expect(typeof handlers).toBe('function');
  });

  it('gives handlers of Koa 2 typings with AppState & StatsdState the connector', () => {
    // Type-checked only.
    const use = (app: Koa2Application<AppState & StatsdState>): void => {
      app.use(statsdMiddleware({ env: { STATSD_ENABLED: 'false' } }));
      app.use((ctx) => {
        const notAny: IsAny<typeof ctx.state.statsd> = false;
        const connector: Connector = ctx.state.statsd;
        connector.incr(ctx.state.user, 1, { sampleRate: notAny ? 0.5 : 1 });
      });
    };
    expect(typeof use).toBe('function');
  });
});
