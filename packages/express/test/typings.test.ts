import express4 from 'express4';
import express5 from 'express';
import type { Connector } from '@statsd/core';
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
