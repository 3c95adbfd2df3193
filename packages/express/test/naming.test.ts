import request from 'supertest';
import { waitForTags } from '@statsd-internal/daemon/jest';
import {
  abandon,
  daemonOptions,
  listen,
  signal,
  tracked,
  describeEachExpress,
} from './helpers/harness.js';

describeEachExpress("naming: 'tags'", (express, suite) => {
  const tagged = (prefix: string): ReturnType<typeof daemonOptions> => ({
    ...daemonOptions(suite.daemon, prefix),
    naming: 'tags',
    tagFormat: 'graphite',
  });

  it('records one timer tagged with the route template, method and status', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(tagged(prefix)));
    const members = express.Router({ mergeParams: true });
    members.get('/members/:memberId', (_req, res) => {
      res.send('member');
    });
    app.use('/orgs/:orgId', members);
    app.get('/', (_req, res) => {
      res.send('home');
    });
    app.post('/orders', (_req, res) => {
      res.status(201).send('made');
    });
    app.get('/boom', () => {
      throw new Error('boom');
    });
    const server = await listen(app);

    await request(server).get('/orgs/1/members/2').expect(200);
    await request(server).get('/orgs/3/members/4').expect(200);
    await request(server).get('/').expect(200);
    await request(server).post('/orders').expect(201);
    await request(server).get('/boom').expect(500);

    expect(await waitForTags(suite.daemon, prefix, 5)).toEqual({
      '-orgs-_orgId-members-_memberId GET 200': 2,
      '- GET 200': 1,
      '-orders POST 201': 1,
      '-boom GET 500': 1,
    });
  });

  it('adds no tag value for random URLs: they share route unmatched', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(tagged(prefix)));
    app.get('/users/:id', (_req, res) => {
      res.send('user');
    });
    const server = await listen(app);

    for (let i = 0; i < 5; i++) {
      await request(server)
        .get(`/wp-admin/${Math.random().toString(36).slice(2)}.php`)
        .expect(404);
    }

    expect(await waitForTags(suite.daemon, prefix, 5)).toEqual({ 'unmatched GET 404': 5 });
  });

  it('tags a request the client left as aborted', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(tagged(prefix)));
    const reached = signal();
    app.get('/slow/:id', () => {
      reached.resolve();
    });
    const server = await listen(app);

    await abandon(server, '/slow/1', reached.promise);

    expect(await waitForTags(suite.daemon, prefix, 1)).toEqual({ '-slow-_id GET aborted': 1 });
  });

  it("keeps skip and routeName, and writes the status class with status: 'class'", async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(
      tracked({
        ...tagged(prefix),
        status: 'class',
        skip: (req) => req.path === '/health',
        routeName: (req) => (req.originalUrl.startsWith('/assets/') ? '/assets' : undefined),
      }),
    );
    app.get('/health', (_req, res) => {
      res.send('healthy');
    });
    // Static files have no route: without routeName they would count as unmatched.
    app.use('/assets', (_req, res) => {
      res.status(204).end();
    });
    const server = await listen(app);

    await request(server).get('/health').expect(200);
    await request(server).get('/assets/app.js').expect(204);
    await request(server).get('/assets/app.css').expect(204);

    expect(await waitForTags(suite.daemon, prefix, 2)).toEqual({ '-assets GET 2xx': 2 });
  });
});
