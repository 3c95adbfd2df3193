import { EventEmitter, once } from 'node:events';
import {
  createServer,
  get,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, StatsdError } from '../src/errors.js';
import {
  RequestRecorder,
  UNMATCHED_ROUTE,
  requestMetricPath,
  routeMetricName,
  stopOnShutdown,
} from '../src/framework/index.js';
import * as framework from '../src/framework/index.js';
import * as core from '../src/index.js';
import { RouteNameCache } from '../src/framework/route-name.js';
import { FakeStatsdServer, MemoryConnector } from '../src/testing/index.js';
import { deferred, thrown } from '@statsd-internal/daemon/jest';

describe('routeMetricName', () => {
  it.each([
    ['/', 'root'],
    ['', 'root'],
    ['/users/:id', 'users._id'],
    ['/api/v1/items/:itemId/', 'api.v1.items._itemId'],
    ['/files/*path', 'files._path'],
    ['/users{/:id}', 'users._id'],
    ['/report.json', 'report_json'],
    ['//double//slash', 'double.slash'],
    ['/:id(\\d+)', '_id'],
  ])('names %j as %j', (template, name) => {
    expect(routeMetricName(template)).toBe(name);
  });

  it('cuts a segment at 64 characters when the template is very long', () => {
    expect(routeMetricName('/' + 'a'.repeat(100))).toBe('a'.repeat(64));
  });

  it('gives the same names after more than 1,000 templates have been named', () => {
    for (let i = 0; i < 1500; i++) expect(routeMetricName(`/r${i}/:id`)).toBe(`r${i}._id`);
    expect(routeMetricName('/users/:id')).toBe('users._id');
  });
});

describe('RouteNameCache', () => {
  it('computes a name once and holds it when the template comes again', () => {
    const cache = new RouteNameCache(10);
    expect(cache.name('/users/:id')).toBe('users._id');
    expect(cache.name('/users/:id')).toBe('users._id');
    expect(cache.size).toBe(1);
  });

  it('forgets every name at once when it is full', () => {
    const cache = new RouteNameCache(3);
    for (const template of ['/a', '/b', '/c']) cache.name(template);
    expect(cache.size).toBe(3);
    expect(cache.name('/d')).toBe('d');
    expect(cache.size).toBe(1);
    expect(cache.name('/a')).toBe('a');
  });
});

describe('requestMetricPath', () => {
  const outcome = { route: '/users/:id', method: 'get', status: 201, aborted: false };

  it('writes the route as a metric path, upper-case method and status code', () => {
    expect(requestMetricPath(outcome, 'code')).toBe('users._id.GET.201');
  });

  it('writes the status class or both when asked', () => {
    expect(requestMetricPath(outcome, 'class')).toBe('users._id.GET.2xx');
    expect(requestMetricPath(outcome, 'both')).toBe('users._id.GET.2xx.201');
  });

  it('writes aborted instead of the status when the client went away', () => {
    expect(requestMetricPath({ ...outcome, aborted: true }, 'both')).toBe('users._id.GET.aborted');
  });

  it('folds unusual methods into OTHER so they cannot add names', () => {
    expect(requestMetricPath({ ...outcome, route: UNMATCHED_ROUTE, method: 'X.Y' }, 'code')).toBe(
      'unmatched.OTHER.201',
    );
  });
});

describe('@statsd/core/framework', () => {
  it('does not export the internal invalidOption helper', () => {
    expect(Object.keys(framework)).not.toContain('invalidOption');
  });

  it('is the same stopOnShutdown that workers import from the package root', () => {
    expect(core.stopOnShutdown).toBe(stopOnShutdown);
  });
});

describe('RequestRecorder', () => {
  it('records a request as a timer in milliseconds on the given connector', () => {
    const connector = new MemoryConnector({ prefix: 'app' });
    const recorder = new RequestRecorder({ connector });
    recorder.record({ route: '/', method: 'GET', status: 200, aborted: false }, 12.5);
    expect(connector.lines).toEqual(['app.timers.root.GET.200:12.5|ms']);
  });

  it('shares one batch of held timers between recorders on one connector', async () => {
    const connector = new MemoryConnector({ flushInterval: 60_000 });
    const recorders = [new RequestRecorder({ connector }), new RequestRecorder({ connector })];
    const outcome = { route: '/', method: 'GET', status: 200, aborted: false };
    for (let i = 0; i < 127; i++) recorders[i % 2]?.record(outcome, 1);
    expect(connector.stats().enqueued).toBe(0);
    // The 128th timer, whichever recorder measured it, hands the whole batch over.
    recorders[1]?.record(outcome, 1);
    expect(connector.stats().enqueued).toBe(128);
    await connector.stop();
  });

  describe('the connector it creates', () => {
    let server: FakeStatsdServer;
    let recorder: RequestRecorder | undefined;
    const OUTCOME = { route: '/', method: 'GET', status: 200, aborted: false };

    beforeEach(async () => {
      server = await FakeStatsdServer.start({ protocol: 'udp' });
    });

    afterEach(async () => {
      await recorder?.connector.stop();
      recorder = undefined;
      await server.stop();
    });

    const create = async (flushInterval?: number): Promise<RequestRecorder> => {
      const settings = { host: server.host, port: server.port, protocol: 'udp' } as const;
      recorder = new RequestRecorder(
        flushInterval === undefined ? settings : { ...settings, flushInterval },
      );
      // Connected (a first line has gone through), so that what is held afterwards is held by
      // the flush interval alone.
      recorder.connector.incr('ready');
      await recorder.connector.flush();
      await server.waitForLines(1);
      server.clear();
      return recorder;
    };

    const turns = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
    };

    it('holds request timers for up to 100 ms by default, so packets fill up', async () => {
      const { connector } = await create();
      recorder?.record(OUTCOME, 3);
      recorder?.record(OUTCOME, 4);
      await turns(3);
      // Held by the recorder until the connector's flush: not even enqueued yet.
      expect(connector.stats()).toMatchObject({ enqueued: 1, sent: 1, queued: 0 });
      expect(await server.waitForLines(2)).toEqual([
        'timers.root.GET.200:3|ms',
        'timers.root.GET.200:4|ms',
      ]);
      // Both in one datagram: the interval is what lets packets fill up.
      expect(server.packets).toHaveLength(1);
      expect(await connector.flush()).toBe(true);
      expect(connector.stats()).toMatchObject({ enqueued: 3, sent: 3, queued: 0 });
    });

    it('hands 128 held request timers to the connector at once, without waiting', async () => {
      const { connector } = await create(60_000);
      for (let i = 0; i < 127; i++) recorder?.record(OUTCOME, 1);
      expect(connector.stats().enqueued).toBe(1);
      recorder?.record(OUTCOME, 1);
      expect(connector.stats().enqueued).toBe(129);
    });

    it('delivers held request timers on flush()', async () => {
      const { connector } = await create(60_000);
      recorder?.record(OUTCOME, 3);
      expect(await connector.flush()).toBe(true);
      expect(await server.waitForLines(1)).toEqual(['timers.root.GET.200:3|ms']);
    });

    it('delivers held request timers when the connector stops', async () => {
      const { connector } = await create(60_000);
      recorder?.record(OUTCOME, 3);
      await connector.stop();
      expect(await server.waitForLines(1)).toEqual(['timers.root.GET.200:3|ms']);
      expect(connector.stats()).toMatchObject({ enqueued: 2, sent: 2, dropped: 0, queued: 0 });
    });

    it('sends at the end of the turn when the application sets flushInterval 0', async () => {
      const { connector } = await create(0);
      recorder?.record(OUTCOME, 3);
      await turns(3);
      expect(connector.stats()).toMatchObject({ enqueued: 2, sent: 2, queued: 0 });
    });
  });

  it('refuses connector settings beside a shared connector when both are given', () => {
    const connector = new MemoryConnector();
    const error = thrown(() => new RequestRecorder({ connector, host: '127.0.0.1' }));
    expect(error).toMatchObject({ code: ErrorCode.InvalidOption });
    expect((error as Error).message).toMatch(/`connector`.*host/);
  });

  it('refuses an unknown status segment when constructed', () => {
    const error = thrown(() => new RequestRecorder({ enabled: false, status: 'codes' as 'code' }));
    expect(error).toMatchObject({ code: ErrorCode.InvalidOption });
  });

  it.each<[string, unknown, string]>([
    ['options', 'my-service', 'Invalid option `options`: received "my-service"'],
    ['routeName', { routeName: '/x' }, 'expected a function (req, res) => string | undefined'],
    [
      'skip',
      { skip: true },
      'Invalid option `skip`: received true, expected a function (req, res)',
    ],
    [
      'connector',
      { connector: { timing: () => {}, token: 'secret' } },
      'Invalid option `connector`: received an object without start, stop, expected a Connector',
    ],
    ['connector', { connector: 'statsd' }, 'Invalid option `connector`: received "statsd"'],
    [
      'naming',
      { naming: 'name' },
      `Invalid option \`naming\`: received "name", expected 'path' or 'tags'`,
    ],
    ['env', { env: 'production' }, 'Invalid option `env`: received "production"'],
    [
      'flushInterval',
      { host: '127.0.0.1', flushInterval: null },
      'Invalid option `flushInterval`: received null',
    ],
    // The list names the middleware's own options and createConnector's, not only a connector's.
    ['statuss', { statuss: 'class' }, 'expected one of the known options: connector, status, env'],
  ])('throws a StatsdError naming `%s` when it is invalid', (_option, options, message) => {
    const error = thrown(
      () => new RequestRecorder(options as { enabled: false }, '(req, res)'),
    ) as StatsdError;
    expect(error).toBeInstanceOf(StatsdError);
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toContain(message);
  });

  it('routes with the default namer itself without a routeName, and falls back to it', () => {
    const byDefault = (req: { method: string; path: string }): string => `default${req.path}`;
    const plain = new RequestRecorder<[string]>({ connector: new MemoryConnector() });
    expect(plain.routeOf(byDefault, (req) => [req.path])).toBe(byDefault);
    const named = new RequestRecorder<[string]>({
      connector: new MemoryConnector(),
      routeName: (path) => (path.startsWith('/assets/') ? '/assets' : undefined),
    });
    const route = named.routeOf(byDefault, (req) => [req.path]);
    expect(route({ method: 'GET', path: '/assets/app.js' })).toBe('/assets');
    expect(route({ method: 'GET', path: '/users' })).toBe('default/users');
  });

  it("returns the application's route template, or undefined for the default", () => {
    const recorder = new RequestRecorder<[string]>({
      connector: new MemoryConnector(),
      routeName: (path) => (path.startsWith('/assets/') ? '/assets' : undefined),
    });
    expect(recorder.routeName('/assets/app.js')).toBe('/assets');
    expect(recorder.routeName('/users/1')).toBeUndefined();
  });

  it('returns undefined for the default, and warns, when routeName throws', () => {
    // A shared connector takes no onError beside it: the report goes to the default logger.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const recorder = new RequestRecorder<[string]>({
        connector: new MemoryConnector(),
        routeName: () => {
          throw new Error('naming bug');
        },
      });
      expect(recorder.routeName('/users/1')).toBeUndefined();
      expect(warn.mock.calls).toEqual([
        ['@statsd/core: routeName threw; the request was timed under its default route'],
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('skips the requests skip chooses, and none when there is no skip', () => {
    const connector = new MemoryConnector();
    const recorder = new RequestRecorder<[string]>({ connector, skip: (path) => path === '/h' });
    expect([recorder.skips('/h'), recorder.skips('/x')]).toEqual([true, false]);
    expect(new RequestRecorder<[string]>({ connector }).skips('/h')).toBe(false);
  });

  it('gives the middleware its connector and a stopOnShutdown bound to it', async () => {
    const connector = new MemoryConnector();
    const server = new EventEmitter();
    const middleware = new RequestRecorder({ connector }).middleware(
      function statsdMiddleware() {},
    );
    const stop = jest.spyOn(connector, 'stop');

    expect(middleware.name).toBe('statsdMiddleware');
    expect(middleware.connector).toBe(connector);
    middleware.stopOnShutdown(server, { signals: false });
    server.emit('close');

    expect(stop).toHaveBeenCalledTimes(1);
    await stop.mock.results[0]?.value;
  });
});

describe('RequestRecorder.bindResponse', () => {
  const servers: Server[] = [];

  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    }
  });

  /**
   * A loopback server whose handler binds every response to `recorder` and then calls `handle`;
   * `closed` resolves when the server's side of the response has closed (after the recorder's
   * own 'close' listener, registered first).
   */
  async function serve(
    recorder: RequestRecorder,
    handle: (req: IncomingMessage, res: ServerResponse) => void,
  ): Promise<{ port: number; closed: Promise<void> }> {
    let closed!: (value: void) => void;
    const whenClosed = new Promise<void>((resolve) => (closed = resolve));
    const server = createServer((req, res) => {
      recorder.bindResponse(res, { method: req.method ?? '' }, () => '/users/:id');
      res.once('close', () => closed());
      handle(req, res);
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { port: (server.address() as AddressInfo).port, closed: whenClosed };
  }

  it('records the status the client got when the response finishes', async () => {
    const connector = new MemoryConnector({ prefix: 'app' });
    const { port, closed } = await serve(new RequestRecorder({ connector }), (_req, res) => {
      res.statusCode = 201;
      res.end('made');
    });

    const [response] = (await once(get({ host: '127.0.0.1', port, agent: false }), 'response')) as [
      IncomingMessage,
    ];
    response.resume();
    await closed;

    expect(connector.lines).toEqual([
      expect.stringMatching(/^app\.timers\.users\._id\.GET\.201:[\d.]+\|ms$/),
    ]);
  });

  it('records the request as aborted when the client leaves before the response ends', async () => {
    const connector = new MemoryConnector({ prefix: 'app' });
    let reached!: () => void;
    const handled = new Promise<void>((resolve) => (reached = resolve));
    const { port, closed } = await serve(new RequestRecorder({ connector }), () => reached());

    const req = get({ host: '127.0.0.1', port, agent: false });
    req.on('error', () => {
      // Destroyed on purpose.
    });
    await handled;
    req.destroy();
    await closed;

    expect(connector.lines).toEqual([
      expect.stringMatching(/^app\.timers\.users\._id\.GET\.aborted:[\d.]+\|ms$/),
    ]);
  });
});

describe('stopOnShutdown', () => {
  // SIGWINCH is ignored by default, so a signal raised again cannot end the test process; Jest's
  // `process` is not the one the operating system signals, so the signal is emitted on it.
  const SIGNAL = 'SIGWINCH';

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('stops the connector when the server closes', async () => {
    const connector = new MemoryConnector();
    const server = new EventEmitter();
    stopOnShutdown(connector, { server, signals: false });
    const stopped = jest.spyOn(connector, 'stop');
    server.emit('close');
    expect(stopped).toHaveBeenCalledTimes(1);
    await connector.stop();
  });

  it('leaves the server alone after the returned undo function runs', () => {
    const connector = new MemoryConnector();
    const server = new EventEmitter();
    const undo = stopOnShutdown(connector, { server, signals: false });
    undo();
    expect(server.listenerCount('close')).toBe(0);
  });

  it('stops every bound connector, then raises the signal once, when the application has no handler', async () => {
    const events: string[] = [];
    let raised!: () => void;
    const whenRaised = new Promise<void>((resolve) => (raised = resolve));
    const kill = jest.spyOn(process, 'kill').mockImplementation(() => {
      events.push('raised');
      raised();
      return true;
    });
    const before = process.listenerCount(SIGNAL);
    const gate = deferred();
    const first = new MemoryConnector();
    const second = new MemoryConnector();
    const firstStop = logStops(first, 'first', events);
    // The last one bound stops last: a handler per connector would raise after the first alone.
    const secondStop = logStops(second, 'second', events, gate.promise);
    stopOnShutdown(first, { signals: [SIGNAL] });
    stopOnShutdown(second, { signals: [SIGNAL] });
    expect(process.listenerCount(SIGNAL)).toBe(before + 1);

    process.emit(SIGNAL, SIGNAL);

    expect(firstStop).toHaveBeenCalledTimes(1);
    expect(secondStop).toHaveBeenCalledTimes(1);
    await firstStop.mock.results[0]?.value;
    await settled();
    expect(kill).not.toHaveBeenCalled();
    gate.resolve();
    await whenRaised;
    expect(events).toEqual(['first stopped', 'second stopped', 'raised']);
    expect(kill).toHaveBeenCalledTimes(1);
    expect(kill).toHaveBeenCalledWith(process.pid, SIGNAL);
    expect(process.listenerCount(SIGNAL)).toBe(before);
  });

  it('stops every bound connector and leaves the rest to the application when it has a handler', async () => {
    const kill = jest.spyOn(process, 'kill').mockImplementation(() => true);
    const before = process.listenerCount(SIGNAL);
    const appHandler = jest.fn();
    process.once(SIGNAL, appHandler);
    const connectors = [new MemoryConnector(), new MemoryConnector()];
    const stops = connectors.map((connector) => jest.spyOn(connector, 'stop'));
    for (const connector of connectors) stopOnShutdown(connector, { signals: [SIGNAL] });

    process.emit(SIGNAL, SIGNAL);

    expect(appHandler).toHaveBeenCalledTimes(1);
    for (const stop of stops) expect(stop).toHaveBeenCalledTimes(1);
    await Promise.all(stops.map((stop) => stop.mock.results[0]?.value as Promise<void>));
    await settled();
    expect(kill).not.toHaveBeenCalled();
    expect(connectors.map((connector) => connector.stats().connected)).toEqual([false, false]);
    expect(process.listenerCount(SIGNAL)).toBe(before);
  });

  it('stops a connector bound twice once', async () => {
    jest.spyOn(process, 'kill').mockImplementation(() => true);
    const connector = new MemoryConnector();
    const stop = jest.spyOn(connector, 'stop');
    stopOnShutdown(connector, { signals: [SIGNAL] });
    stopOnShutdown(connector, { signals: [SIGNAL] });

    process.emit(SIGNAL, SIGNAL);

    expect(stop).toHaveBeenCalledTimes(1);
    await stop.mock.results[0]?.value;
  });

  it('leaves the signal to the others when one binding is undone', async () => {
    const kill = jest.spyOn(process, 'kill').mockImplementation(() => true);
    const before = process.listenerCount(SIGNAL);
    const kept = new MemoryConnector();
    const undone = new MemoryConnector();
    const keptStop = jest.spyOn(kept, 'stop');
    const undoneStop = jest.spyOn(undone, 'stop');
    stopOnShutdown(kept, { signals: [SIGNAL] });
    stopOnShutdown(undone, { signals: [SIGNAL] })();
    expect(process.listenerCount(SIGNAL)).toBe(before + 1);

    process.emit(SIGNAL, SIGNAL);

    expect(undoneStop).not.toHaveBeenCalled();
    expect(keptStop).toHaveBeenCalledTimes(1);
    await keptStop.mock.results[0]?.value;
    await settled();
    expect(kill).toHaveBeenCalledTimes(1);
    await undone.stop();
  });

  it.each<[string, unknown]>([
    ['a single name', 'SIGTERM'],
    ['an unknown name', ['SIGTERM', 'SIGNOPE']],
    ['a signal no process can handle', ['SIGKILL']],
    ['a number', [15]],
    ['null', null],
  ])('throws a StatsdError naming `signals` when it is %s', (_case, signals) => {
    const connector = new MemoryConnector();
    const before = process.listenerCount('SIGTERM');
    const error = thrown(() =>
      stopOnShutdown(connector, { signals: signals as NodeJS.Signals[] }),
    ) as StatsdError;
    expect(error).toBeInstanceOf(StatsdError);
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toContain('Invalid option `signals`');
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });

  it('throws a StatsdError naming `server` when it cannot emit close', () => {
    const error = thrown(() =>
      stopOnShutdown(new MemoryConnector(), { server: {} as EventEmitter, signals: false }),
    );
    expect(error).toMatchObject({ code: ErrorCode.InvalidOption });
    expect((error as Error).message).toContain('Invalid option `server`');
  });
});

/** Makes `connector.stop()` wait for `gate` (if any), then stop, then log `<name> stopped`. */
function logStops(
  connector: MemoryConnector,
  name: string,
  events: string[],
  gate?: Promise<void>,
): jest.SpiedFunction<MemoryConnector['stop']> {
  const stop = connector.stop.bind(connector);
  return jest.spyOn(connector, 'stop').mockImplementation(async () => {
    if (gate !== undefined) await gate;
    await stop();
    events.push(`${name} stopped`);
  });
}

/** Resolves once every promise callback already queued has run (one macrotask later). */
function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
