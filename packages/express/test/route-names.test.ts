import type { StatsdError } from '@statsd/core';
import type { ErrorRequestHandler } from 'express';
import {
  daemonOptions,
  listen,
  timersOf,
  tracked,
  waitForTimer,
  describeEachExpress,
} from './helpers/harness.js';
import request from 'supertest';

describeEachExpress('route names', (express, suite) => {
  it('names a request after its route template when the route has a parameter', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(daemonOptions(suite.daemon, prefix)));
    app.get('/users/:id', (_req, res) => {
      res.send('ok');
    });
    const server = await listen(app);

    await request(server).get('/users/42').expect(200, 'ok');
    await request(server).get('/users/43').expect(200);

    expect(await waitForTimer(suite.daemon, `${prefix}.timers.users._id.GET.200`, 2)).toHaveLength(
      2,
    );
    expect(Object.keys(await timersOf(suite.daemon, prefix))).toEqual([
      `${prefix}.timers.users._id.GET.200`,
    ]);
  });

  it('names the root route root', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(daemonOptions(suite.daemon, prefix)));
    app.get('/', (_req, res) => {
      res.send('home');
    });
    const server = await listen(app);

    await request(server).get('/').expect(200);

    await waitForTimer(suite.daemon, `${prefix}.timers.root.GET.200`);
  });

  it('joins the mount paths of nested routers and mounted apps to the route template', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(daemonOptions(suite.daemon, prefix)));
    const users = express.Router();
    users.get('/:id', (_req, res) => {
      res.send('user');
    });
    users.get('/', (_req, res) => {
      res.send('list');
    });
    const api = express.Router();
    api.use('/users', users);
    app.use('/api', api);
    const admin = express();
    admin.post('/settings', (_req, res) => {
      res.status(201).send('saved');
    });
    app.use('/admin', admin);
    const server = await listen(app);

    await request(server).get('/api/users/7').expect(200, 'user');
    await request(server).get('/api/users').expect(200, 'list');
    await request(server).post('/admin/settings').expect(201);

    await waitForTimer(suite.daemon, `${prefix}.timers.admin.settings.POST.201`);
    expect(Object.keys(await timersOf(suite.daemon, prefix)).sort()).toEqual([
      `${prefix}.timers.admin.settings.POST.201`,
      `${prefix}.timers.api.users.GET.200`,
      `${prefix}.timers.api.users._id.GET.200`,
    ]);
  });

  it('names a router mounted at a path with parameters by the parameter names', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(daemonOptions(suite.daemon, prefix)));
    const teams = express.Router({ mergeParams: true });
    teams.get('/:teamId', (_req, res) => {
      res.send('team');
    });
    const orgs = express.Router();
    orgs.use('/teams', teams);
    app.use('/orgs/:orgId', orgs);
    const server = await listen(app);

    await request(server).get('/orgs/acme/teams/red').expect(200, 'team');
    await request(server).get('/orgs/a%20b/teams/teams').expect(200, 'team');
    await request(server).get('/orgs/teams/teams/orgs').expect(200, 'team');

    const name = `${prefix}.timers.orgs._orgId.teams._teamId.GET.200`;
    await waitForTimer(suite.daemon, name, 3);
    expect(Object.keys(await timersOf(suite.daemon, prefix))).toEqual([name]);
  });

  it('keeps the nested route name when an error handler outside the router answers', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(daemonOptions(suite.daemon, prefix)));
    const items = express.Router();
    items.get('/:id', () => {
      throw Object.assign(new Error('gone'), { status: 410 });
    });
    app.use('/shop/:shopId/items', items);
    const onError: ErrorRequestHandler = (error: { status: number }, _req, res, _next) => {
      res.status(error.status).send('handled');
    };
    app.use(onError);
    const server = await listen(app);

    await request(server).get('/shop/9/items/3').expect(410, 'handled');

    await waitForTimer(suite.daemon, `${prefix}.timers.shop._shopId.items._id.GET.410`);
  });

  it('names a RegExp route by its source and an array route by its first path, never by the URL', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(daemonOptions(suite.daemon, prefix)));
    app.get(/^\/files\/[a-z]+$/, (_req, res) => {
      res.send('file');
    });
    app.get(['/people/:id', '/persons/:id'], (_req, res) => {
      res.send('person');
    });
    const server = await listen(app);

    await request(server).get('/files/abc').expect(200, 'file');
    await request(server).get('/files/xyz').expect(200, 'file');
    await request(server).get('/persons/5').expect(200, 'person');

    await waitForTimer(suite.daemon, `${prefix}.timers.people._id.GET.200`);
    expect(Object.keys(await timersOf(suite.daemon, prefix)).sort()).toEqual([
      `${prefix}.timers.files._a-z__.GET.200`,
      `${prefix}.timers.people._id.GET.200`,
    ]);
  });

  it('puts every request that matched no route in one bucket, whatever the URL', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(daemonOptions(suite.daemon, prefix)));
    app.get('/known', (_req, res) => {
      res.send('known');
    });
    const server = await listen(app);
    const count = 25;

    for (let i = 0; i < count; i++) {
      const random = Math.random().toString(36).slice(2);
      await request(server).get(`/${random}/wp-admin/${i}.php`).expect(404);
    }
    await request(server).post('/known').expect(404);

    await waitForTimer(suite.daemon, `${prefix}.timers.unmatched.POST.404`);
    const timers = await timersOf(suite.daemon, prefix);
    expect(Object.keys(timers).sort()).toEqual([
      `${prefix}.timers.unmatched.GET.404`,
      `${prefix}.timers.unmatched.POST.404`,
    ]);
    expect(timers[`${prefix}.timers.unmatched.GET.404`]).toHaveLength(count);
  });

  it('keeps the name of a route that passed the request on when nothing else answered', async () => {
    const prefix = suite.nextName();
    const app = express();
    app.use(tracked(daemonOptions(suite.daemon, prefix)));
    app.get('/maybe/:id', (_req, _res, next) => {
      next();
    });
    const server = await listen(app);

    await request(server).get('/maybe/1').expect(404);

    await waitForTimer(suite.daemon, `${prefix}.timers.maybe._id.GET.404`);
  });

  it('uses the routeName option, and the default name when it returns undefined or throws', async () => {
    const reports: StatsdError[] = [];
    const prefix = suite.nextName();
    const app = express();
    app.use(
      tracked({
        ...daemonOptions(suite.daemon, prefix),
        routeName: (req, res) => {
          if (req.originalUrl.startsWith('/static/')) return '/static';
          if (res.statusCode === 418) throw new Error('naming failed');
          return undefined;
        },
        onError: (error) => reports.push(error),
      }),
    );
    app.use('/static', (_req, res) => {
      res.send('asset');
    });
    app.get('/teapot/:id', (_req, res) => {
      res.status(418).send('short and stout');
    });
    app.get('/plain', (_req, res) => {
      res.send('plain');
    });
    const server = await listen(app);

    await request(server).get('/static/app.js').expect(200, 'asset');
    await request(server).get('/static/app.css').expect(200, 'asset');
    await request(server).get('/teapot/1').expect(418);
    await request(server).get('/plain').expect(200);

    await waitForTimer(suite.daemon, `${prefix}.timers.plain.GET.200`);
    const timers = await timersOf(suite.daemon, prefix);
    expect(Object.keys(timers).sort()).toEqual([
      `${prefix}.timers.plain.GET.200`,
      `${prefix}.timers.static.GET.200`,
      `${prefix}.timers.teapot._id.GET.418`,
    ]);
    expect(timers[`${prefix}.timers.static.GET.200`]).toHaveLength(2);
    expect(reports.map((error) => [error.code, (error.cause as Error).message])).toEqual([
      ['ERR_STATSD_REQUEST_HOOK', 'naming failed'],
    ]);
  });

  it('times a request as unmatched, and reports why, when its route cannot be followed', async () => {
    const reports: StatsdError[] = [];
    const prefix = suite.nextName();
    const app = express();
    app.use(
      tracked({ ...daemonOptions(suite.daemon, prefix), onError: (error) => reports.push(error) }),
    );
    app.get('/users/:id', (_req, res) => {
      res.send('ok');
    });
    // The accessors that follow the routers cannot be installed on this app's request prototype.
    Object.preventExtensions(app.request);
    const server = await listen(app);

    await request(server).get('/users/1').expect(200, 'ok');

    await waitForTimer(suite.daemon, `${prefix}.timers.unmatched.GET.200`);
    expect(reports.map((error) => [error.code, error.cause instanceof TypeError])).toEqual([
      ['ERR_STATSD_REQUEST_HOOK', true],
    ]);
  });
});
