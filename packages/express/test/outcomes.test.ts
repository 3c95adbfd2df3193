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
  it('records the 500 of the default error handler when a handler throws', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(daemonOptions(suite.daemon, prefix)));
    app.get('/boom', () => {
      throw new Error('boom');
    });
    const server = await listen(app);

    await request(server).get('/boom').expect(500);

    await waitForTimer(suite.daemon, `${prefix}.timers.boom.GET.500`);
  });

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

  it('records a request as aborted when the client leaves before the handler answers', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(daemonOptions(suite.daemon, prefix)));
    const reached = signal();
    app.get('/slow/:id', () => {
      reached.resolve();
    });
    const server = await listen(app);

    await abandon(server, '/slow/1', reached.promise);

    await waitForTimer(suite.daemon, `${prefix}.timers.slow._id.GET.aborted`);
    expect(Object.keys(await timersOf(suite.daemon, prefix))).toEqual([
      `${prefix}.timers.slow._id.GET.aborted`,
    ]);
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

  it('records nothing for skipped requests and still serves them', async () => {
    const prefix = suite.nextName();
    const app = express();
    const skipped: string[] = [];
    app.use(
      tracked({
        ...daemonOptions(suite.daemon, prefix),
        skip: (req) => req.path === '/health',
      }),
    );
    app.get('/health', (_req, res) => {
      skipped.push(typeof res.locals.statsd.incr);
      res.send('healthy');
    });
    app.get('/work', (_req, res) => {
      res.send('done');
    });
    const server = await listen(app);

    await request(server).get('/health').expect(200, 'healthy');
    await request(server).get('/work').expect(200, 'done');

    // One connection, in order: once the second request's timer is in, the first would be too.
    await waitForTimer(suite.daemon, `${prefix}.timers.work.GET.200`);
    expect(Object.keys(await timersOf(suite.daemon, prefix))).toEqual([
      `${prefix}.timers.work.GET.200`,
    ]);
    expect(skipped).toEqual(['function']);
  });

  it("writes the status class with status: 'class'", async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked({ ...daemonOptions(suite.daemon, prefix), status: 'class' }));
    app.get('/a', (_req, res) => {
      res.status(204).end();
    });
    const server = await listen(app);

    await request(server).get('/a').expect(204);
    await request(server).get('/missing').expect(404);

    await waitForTimer(suite.daemon, `${prefix}.timers.unmatched.GET.4xx`);
    expect(Object.keys(await timersOf(suite.daemon, prefix)).sort()).toEqual([
      `${prefix}.timers.a.GET.2xx`,
      `${prefix}.timers.unmatched.GET.4xx`,
    ]);
  });

  it("writes the status class and code with status: 'both'", async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked({ ...daemonOptions(suite.daemon, prefix), status: 'both' }));
    app.delete('/items/:id', (_req, res) => {
      res.status(202).send('accepted');
    });
    const server = await listen(app);

    await request(server).delete('/items/1').expect(202);

    await waitForTimer(suite.daemon, `${prefix}.timers.items._id.DELETE.2xx.202`);
  });
});
