import { once } from 'node:events';
import { get, type ClientRequest, type Server } from 'node:http';
import { connect, constants } from 'node:http2';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import type { AdapterDriver, AppSpec, StartedApp } from './adapter-driver.js';
import { deferred } from './async.js';
import { portOf } from './http.js';
import { daemonEnv, requestTimers, waitForTimers } from './timers.js';
import { useDaemonWithCleanup } from './use-daemon.js';
import type { StatsdDaemon } from '../src/index.js';

/** Starts a GET the test will abort. */
function startGet(server: Server, path: string): ClientRequest {
  const req = get({ host: '127.0.0.1', port: portOf(server), path });
  req.on('error', () => {
    // The test destroys this request on purpose.
  });
  return req;
}

/** An error a handler throws for the framework to answer with `status`. */
function httpError(message: string, status: number): Error {
  return Object.assign(new Error(message), { status, statusCode: status });
}

/**
 * The request timers every adapter records the same way: durations, the unmatched bucket,
 * statuses of errors, guarded routes, aborted requests and streamed bodies, HTTP/2.
 */
export function describeRequestTimers(driver: AdapterDriver): void {
  describe(`request timers on ${driver.name}`, () => {
    let daemon: StatsdDaemon;
    let apps = 0;
    const cleanup = useDaemonWithCleanup((started) => {
      daemon = started;
    });

    /** Starts `spec` with its own service name, so its keys never meet another test's. */
    async function start(spec: AppSpec): Promise<{ app: StartedApp; prefix: string }> {
      const service = `svc${++apps}`;
      const app = await driver.start(
        { service, environment: 'test', env: daemonEnv(daemon) },
        spec,
      );
      cleanup.push(() => app.close());
      return { app, prefix: `applications.${service}.test` };
    }

    it('records one non-negative duration when a request completes', async () => {
      const { app, prefix } = await start({
        routes: [{ path: '/users/:id', handler: () => 'user' }],
      });

      await request(app.server).get('/users/1').expect(200, 'user');

      await waitForTimers(daemon, prefix, 1);
      const values = (await daemon.timers())[`${prefix}.timers.users._id.GET.200`];
      expect(values).toHaveLength(1);
      expect(values?.[0]).toBeGreaterThanOrEqual(0);
    });

    it('puts every unmatched request in one bucket when URLs match no route', async () => {
      const { app, prefix } = await start({
        routes: [{ path: '/users/:id', handler: () => 'user' }],
      });

      for (let i = 0; i < 5; i++) {
        await request(app.server)
          .get(`/wp-admin/${Math.random().toString(36).slice(2)}.php`)
          .expect(404);
      }
      await request(app.server).post('/users/1').expect(driver.wrongMethodStatus);

      expect(await waitForTimers(daemon, prefix, 6)).toEqual({
        'unmatched.GET.404': 5,
        [`unmatched.POST.${driver.wrongMethodStatus}`]: 1,
      });
    });

    it('records the status the framework sends when handlers throw', async () => {
      const { app, prefix } = await start({
        routes: [
          {
            path: '/boom',
            handler: () => {
              throw new Error('boom');
            },
          },
          {
            path: '/forbidden',
            handler: () => {
              throw httpError('forbidden', 403);
            },
          },
        ],
      });

      await request(app.server).get('/boom').expect(500);
      await request(app.server).get('/forbidden').expect(403);

      expect(await waitForTimers(daemon, prefix, 2)).toEqual({
        'boom.GET.500': 1,
        'forbidden.GET.403': 1,
      });
    });

    it('records the status an error handler sends when it replaces the error', async () => {
      const { app, prefix } = await start({
        routes: [
          {
            path: '/boom',
            handler: () => {
              throw new Error('boom');
            },
          },
        ],
        replaceErrors: { status: 503, body: 'try again later' },
      });

      await request(app.server).get('/boom').expect(503, 'try again later');

      expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'boom.GET.503': 1 });
    });

    it('names the guarded route when a guard of its router rejects the request first', async () => {
      const { app, prefix } = await start({
        guarded: {
          mounts: ['/api', '/v1'],
          routes: [{ path: '/users/:id', handler: () => 'user' }],
        },
      });

      await request(app.server).get('/api/v1/users/1').expect(401);
      await request(app.server).get('/api/v1/users/1').set('authorization', 'yes').expect(200);

      expect(await waitForTimers(daemon, prefix, 2)).toEqual({
        'api.v1.users._id.GET.401': 1,
        'api.v1.users._id.GET.200': 1,
      });
    });

    it('records the request as aborted when the client leaves before the handler answers', async () => {
      const reached = deferred();
      const { app, prefix } = await start({
        routes: [
          {
            path: '/slow/:id',
            handler: async ({ closed }) => {
              const gone = closed();
              reached.resolve();
              await gone;
              return 'too late';
            },
          },
          { path: '/fast', handler: () => 'fast' },
        ],
      });

      const req = startGet(app.server, '/slow/1');
      await reached.promise;
      req.destroy();
      await waitForTimers(daemon, prefix, 1);
      // A request after it proves the aborted one was recorded once, and only as aborted.
      await request(app.server).get('/fast').expect(200);

      expect(await waitForTimers(daemon, prefix, 2)).toEqual({
        'slow._id.GET.aborted': 1,
        'fast.GET.200': 1,
      });
    });

    it('records the request as aborted when the client leaves during a streamed body', async () => {
      const { app, prefix } = await start({
        routes: [
          {
            path: '/stream',
            handler: () => {
              const body = new PassThrough();
              body.write('first chunk\n');
              return body;
            },
          },
        ],
      });

      const req = startGet(app.server, '/stream');
      const [res] = (await once(req, 'response')) as [
        NodeJS.ReadableStream & { statusCode: number },
      ];
      expect(res.statusCode).toBe(200);
      await once(res, 'data');
      req.destroy();

      expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'stream.GET.aborted': 1 });
    });

    it('records the request as aborted when the client left before the adapter ran', async () => {
      const reached = deferred();
      const { app, prefix } = await start({
        beforeAdapter: async (closed) => {
          reached.resolve();
          await closed;
        },
      });

      const req = startGet(app.server, '/anything');
      await reached.promise;
      req.destroy();

      expect(await waitForTimers(daemon, prefix, 1)).toEqual({ 'unmatched.GET.aborted': 1 });
    });

    it('records a streamed body as completed when the client reads it to the end', async () => {
      const { app, prefix } = await start({
        routes: [{ path: '/stream', handler: () => new PassThrough().end('all of it') }],
      });

      await request(app.server).get('/stream').expect(200, 'all of it');
      await request(app.server).get('/stream').expect(200, 'all of it');

      await waitForTimers(daemon, prefix, 2);
      expect(await requestTimers(daemon, prefix)).toEqual({ 'stream.GET.200': 2 });
    });

    const startHttp2 = driver.startHttp2?.bind(driver);
    if (startHttp2 === undefined) return;

    it('records completed and aborted requests when the framework serves HTTP/2', async () => {
      const service = `svc${++apps}`;
      const reached = deferred();
      const app = await startHttp2(
        { service, environment: 'test', env: daemonEnv(daemon) },
        {
          routes: [
            { path: '/users/:id', handler: () => 'user' },
            {
              path: '/slow',
              handler: async ({ closed }) => {
                const gone = closed();
                reached.resolve();
                await gone;
                return 'too late';
              },
            },
          ],
        },
      );
      const client = connect(`http://127.0.0.1:${app.port}`);
      cleanup.push(async () => {
        client.close();
        await app.close();
      });

      const completed = client.request({ ':path': '/users/1' });
      completed.resume();
      await once(completed, 'end');
      const abandoned = client.request({ ':path': '/slow' });
      await reached.promise;
      abandoned.close(constants.NGHTTP2_CANCEL);

      expect(await waitForTimers(daemon, `applications.${service}.test`, 2)).toEqual({
        'users._id.GET.200': 1,
        'slow.GET.aborted': 1,
      });
    });
  });
}
