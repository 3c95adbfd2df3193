import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { MiddlewareOptions } from '@statsd/core/framework';
import { StatsdDaemon } from '@statsd-internal/daemon';
import { createApp } from '../src/app.js';

/** Sends one request and resolves with its status once the body has been read. */
async function send(server: Server, method: string, path: string): Promise<number> {
  const { port } = server.address() as AddressInfo;
  const req = request({ host: '127.0.0.1', port, method, path, agent: false });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.resume();
  await once(res, 'end');
  return res.statusCode ?? 0;
}

describe('the node:http adapter of the core README', () => {
  let daemon: StatsdDaemon;
  let serial = 0;

  beforeAll(async () => {
    daemon = await StatsdDaemon.start();
  });

  afterAll(() => daemon.stop());

  afterEach(async () => {
    expect(await daemon.badLines()).toBe(0);
  });

  /**
   * Serves the example app timed into the daemon, sends the requests, closes the server (which
   * stops the connector through `stopOnShutdown`), and returns the daemon's timers of the app.
   */
  async function run(
    options: MiddlewareOptions<[IncomingMessage]>,
    requests: ReadonlyArray<readonly [string, string, number]>,
    timed: number = requests.length,
  ): Promise<Record<string, number>> {
    const prefix = `adapter.t${++serial}`;
    const handler = createApp({ host: daemon.host, port: daemon.tcpPort, prefix, ...options });
    const server = createServer(handler);
    handler.stopOnShutdown(server, { signals: false });
    const stopped = new Promise<void>((resolve) => {
      const stop = handler.connector.stop.bind(handler.connector);
      handler.connector.stop = async () => {
        await stop();
        resolve();
      };
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    for (const [method, path, status] of requests) {
      expect(await send(server, method, path)).toBe(status);
    }
    server.close();
    await stopped;
    const stats = handler.connector.stats();
    expect(stats).toMatchObject({ enqueued: timed, sent: timed, dropped: 0, queued: 0 });
    const timers = await daemon.waitFor(
      async (d) => {
        const out: Record<string, number> = {};
        for (const [key, values] of Object.entries(await d.timers())) {
          if (key.startsWith(`${prefix}.timers.`)) {
            out[key.slice(`${prefix}.timers.`.length)] = values.length;
          }
        }
        return out;
      },
      (found) => Object.values(found).reduce((sum, n) => sum + n, 0) >= timed,
    );
    return timers;
  }

  const REQUESTS = [
    ['GET', '/users/7', 200],
    ['GET', '/users/8?full=1', 200],
    ['POST', '/users', 201],
    ['GET', '/', 200],
    ['GET', '/wp-login.php', 404],
  ] as const;

  it('times requests by route template and delivers them when the server closes', async () => {
    const timers = await run({}, REQUESTS);
    expect(timers).toEqual({
      'users._id.GET.200': 2,
      'users.POST.201': 1,
      'root.GET.200': 1,
      'unmatched.GET.404': 1,
    });
  });

  it("tags one http.request timer with route, method and status with naming: 'tags'", async () => {
    const timers = await run({ naming: 'tags', tagFormat: 'graphite' }, REQUESTS);
    // The daemon keeps Graphite-style tags in the key, with `/` turned into `-`.
    expect(timers).toEqual({
      'http.request;route=-users-_id;method=GET;status=200': 2,
      'http.request;route=-users;method=POST;status=201': 1,
      'http.request;route=-;method=GET;status=200': 1,
      'http.request;route=unmatched;method=GET;status=404': 1,
    });
  });

  it('takes skip and routeName from the options', async () => {
    const options: MiddlewareOptions<[IncomingMessage]> = {
      skip: (req) => req.url === '/',
      routeName: (req) => (req.url?.startsWith('/wp-') === true ? '/scanners' : undefined),
    };
    expect(await run(options, REQUESTS, 4)).toEqual({
      'users._id.GET.200': 2,
      'users.POST.201': 1,
      'scanners.GET.404': 1,
    });
  });

  it('is the adapter the core README shows', () => {
    // Jest runs the tests as CommonJS, where the file's folder is `__dirname`.
    const source = readFileSync(join(__dirname, '../src/statsd-handler.ts'), 'utf8');
    const readme = readFileSync(join(__dirname, '../../../packages/core/README.md'), 'utf8');
    expect(readme).toContain('```ts\n' + source + '```');
  });
});
