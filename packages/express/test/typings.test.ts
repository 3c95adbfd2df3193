import express4 from 'express4';
import express5 from 'express';
import type { Connector } from '@statsd/core';
import request from 'supertest';
import { statsdMiddleware } from '../src/index.js';
import { cleanUp, listen } from './helpers/harness.js';

afterEach(cleanUp);

// These apps are typed by each major's own typings (@types/express 5 and 4): `tsc` over the
// tests fails if `app.use(statsd)` or `res.locals.statsd` stops fitting either of them.
describe('statsdMiddleware typings', () => {
  it('fits an Express 5 app, whose handlers see res.locals.statsd as the connector', async () => {
    const statsd = statsdMiddleware({ env: { STATSD_ENABLED: 'false' } });
    const app = express5();
    app.use(statsd);
    let seen: Connector | undefined;
    app.get('/', (_req, res) => {
      seen = res.locals.statsd;
      res.locals.statsd.incr('typed');
      res.send('ok');
    });

    await request(await listen(app))
      .get('/')
      .expect(200);

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
      seen = res.locals.statsd;
      res.locals.statsd.timing('typed', 0.1);
      res.send('ok');
    });
    app.use('/r', router);

    await request(await listen(app))
      .get('/r')
      .expect(200);

    expect(seen).toBe(statsd.connector);
  });
});
