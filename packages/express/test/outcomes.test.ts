import type { ErrorRequestHandler } from 'express';
import request from 'supertest';
import {
  abandon,
  daemonOptions,
  listen,
  signal,
  timersOf,
  tracked,
  waitForTimer,
  describeEachExpress,
} from './helpers/harness.js';

describeEachExpress('outcomes', (express, suite) => {
  it('records the status the default error handler takes from an error passed to next later', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(daemonOptions(suite.daemon, prefix)));
    app.get('/later/:id', (_req, _res, next) => {
      setImmediate(() => next(Object.assign(new Error('unavailable'), { status: 503 })));
    });
    app.get('/plain-error', (_req, _res, next) => {
      setImmediate(() => next(new Error('no status')));
    });
    const server = await listen(app);

    await request(server).get('/later/1').expect(503);
    await request(server).get('/plain-error').expect(500);

    await waitForTimer(suite.daemon, `${prefix}.timers.plain-error.GET.500`);
    expect(Object.keys(await timersOf(suite.daemon, prefix)).sort()).toEqual([
      `${prefix}.timers.later._id.GET.503`,
      `${prefix}.timers.plain-error.GET.500`,
    ]);
  });

  it("records a custom error handler's status", async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(daemonOptions(suite.daemon, prefix)));
    app.put('/orders/:id', () => {
      throw new Error('invalid order');
    });
    const onError: ErrorRequestHandler = (_error, _req, res, _next) => {
      res.status(422).json({ error: 'invalid' });
    };
    app.use(onError);
    const server = await listen(app);

    await request(server).put('/orders/5').expect(422);

    await waitForTimer(suite.daemon, `${prefix}.timers.orders._id.PUT.422`);
  });

  it('records a request as aborted when the client leaves while the body is being written', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(daemonOptions(suite.daemon, prefix)));
    const reached = signal();
    app.get('/stream', (_req, res) => {
      res.status(200);
      res.write('first part', () => reached.resolve());
    });
    const server = await listen(app);

    await abandon(server, '/stream', reached.promise);

    await waitForTimer(suite.daemon, `${prefix}.timers.stream.GET.aborted`);
    expect(Object.keys(await timersOf(suite.daemon, prefix))).toEqual([
      `${prefix}.timers.stream.GET.aborted`,
    ]);
  });
});
