import express4 from 'express4';
import express5 from 'express';
import type { ErrorRequestHandler } from 'express';
import { ErrorCode, type Connector } from '@statsd/core';
import request from 'supertest';
import { statsdMiddleware } from '../src/index.js';
import { cleanUp, listen } from './helpers/harness.js';

afterEach(cleanUp);

/** `true` only for `any`, which every assignment fits: the check a plain `Connector` cannot make. */
type IsAny<T> = 0 extends 1 & T ? true : false;

// These apps are typed by each major's own typings (@types/express 5 and 4): `tsc` over the
// tests fails if `app.use(statsd)` or `res.locals.statsd` stops fitting either of them, or if
// `res.locals.statsd` falls back to `any` (without the `Express.Locals` augmentation).
describe('statsdMiddleware typings', () => {
  it('fits an Express 5 app, whose handlers see res.locals.statsd as the connector', async () => {
    const statsd = statsdMiddleware({ env: { STATSD_ENABLED: 'false' } });
    const app = express5();
    app.use(statsd);
    let seen: Connector | undefined;
    app.get('/', (_req, res) => {
      const notAny: IsAny<typeof res.locals.statsd> = false;
      seen = res.locals.statsd;
      res.locals.statsd.incr('typed');
      res.json({ notAny });
    });

    await request(await listen(app))
      .get('/')
      .expect(200, { notAny: false });

    expect(seen).toBe(statsd.connector);
  });

  it('fits an Express 4 app, whose handlers see res.locals.statsd as the connector', async () => {
    const statsd = statsdMiddleware({ env: { STATSD_ENABLED: 'false' } });
    const app = express4();
    app.use(statsd);
    const router = express4.Router();
    router.use(statsd);
    let seen: Connector | undefined;
    router.get('/', (_req, res) => {
      const notAny: IsAny<typeof res.locals.statsd> = false;
      seen = res.locals.statsd;
      res.locals.statsd.timing('typed', 0.1);
      res.json({ notAny });
    });
    app.use('/r', router);

    await request(await listen(app))
      .get('/r')
      .expect(200, { notAny: false });

    expect(seen).toBe(statsd.connector);
  });
});

describe('res.locals.statsd', () => {
  it('is undefined in handlers mounted before the middleware, whatever its type says', async () => {
    const app = express5();
    let before: unknown = 'not called';
    app.use((_req, res, next) => {
      before = res.locals.statsd;
      next();
    });
    app.use(statsdMiddleware({ env: { STATSD_ENABLED: 'false' } }));
    app.get('/', (_req, res) => {
      res.end();
    });

    await request(await listen(app))
      .get('/')
      .expect(200);

    expect(before).toBeUndefined();
  });
});

/** The first error of a request, as an error handler mounted last receives it. */
function errorCatcher(): { handler: ErrorRequestHandler; errors: unknown[] } {
  const errors: unknown[] = [];
  const handler: ErrorRequestHandler = (error, _req, res, _next) => {
    errors.push(error);
    res.status(500).end();
  };
  return { handler, errors };
}

const SECRET_HEADERS = { Authorization: 'Bearer secret-token', Cookie: 'session=secret-cookie' };

// `app.use` takes error handlers, whose first parameter is `any`, so the options type alone would
// let the factory through: its `never` rest parameter is what no handler's `req`/`res` fits.
// Each `@ts-expect-error` below fails `tsc` (pnpm typecheck) the day the mistake type-checks.
describe('statsdMiddleware given to app.use without being called', () => {
  it('is a type error and a coded error per request on Express 5, never echoing the request', async () => {
    const app = express5();
    // @ts-expect-error -- the factory itself is not a middleware
    app.use(statsdMiddleware);
    // @ts-expect-error -- nor under a path
    app.use('/x', statsdMiddleware);
    // @ts-expect-error -- nor on a router
    express5.Router().use(statsdMiddleware);
    const { handler, errors } = errorCatcher();
    app.use(handler);

    await request(await listen(app))
      .get('/')
      .set(SECRET_HEADERS)
      .expect(500);

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: ErrorCode.MiddlewareNotCalled });
    const message = (errors[0] as Error).message;
    expect(message).toMatch(/call statsdMiddleware\(\) and pass its result to app.use/);
    expect(message).not.toMatch(/secret/);
  });

  it('is a type error and a coded error per request on Express 4, never echoing the request', async () => {
    const app = express4();
    // @ts-expect-error -- the factory itself is not a middleware
    app.use(statsdMiddleware);
    // @ts-expect-error -- nor under a path
    app.use('/x', statsdMiddleware);
    // @ts-expect-error -- nor on a router
    express4.Router().use(statsdMiddleware);
    const errors: unknown[] = [];
    app.use(((error, _req, res, _next) => {
      errors.push(error);
      res.status(500).end();
    }) as express4.ErrorRequestHandler);

    await request(await listen(app))
      .get('/')
      .set(SECRET_HEADERS)
      .expect(500);

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: ErrorCode.MiddlewareNotCalled });
    expect((errors[0] as Error).message).not.toMatch(/secret/);
  });

  it('still fits app.use once called, with or without options', () => {
    const statsd = statsdMiddleware({ env: { STATSD_ENABLED: 'false' } });
    express5().use(statsd);
    express4().use('/x', statsd);
    expect(typeof statsd).toBe('function');
  });
});
