import { ErrorCode, StatsdError } from '../src/errors.js';
import { RequestRecorder, type ObservedResponse } from '../src/framework/index.js';
import { FakeStatsdServer } from '../src/testing/index.js';

/** A response that is already over: the recorder records it at once. */
const finished: ObservedResponse = {
  statusCode: 200,
  closed: true,
  writableEnded: true,
  writableFinished: true,
  on: () => undefined,
};

interface Request {
  readonly method: string;
  readonly path: string;
}

describe('RequestRecorder failures', () => {
  let server: FakeStatsdServer;
  const reports: StatsdError[] = [];
  const recorders: RequestRecorder<[Request]>[] = [];

  beforeEach(async () => {
    server = await FakeStatsdServer.start();
    reports.length = 0;
  });

  afterEach(async () => {
    await Promise.all(recorders.splice(0).map((recorder) => recorder.connector.stop()));
    await server.stop();
  });

  function recorder(routeName?: (req: Request) => string | undefined): RequestRecorder<[Request]> {
    const made = new RequestRecorder<[Request]>({
      host: server.host,
      port: server.port,
      protocol: 'udp',
      prefix: 'app',
      onError: (error) => reports.push(error),
      ...(routeName === undefined ? {} : { routeName }),
    });
    recorders.push(made);
    return made;
  }

  async function recorded(made: RequestRecorder<[Request]>): Promise<string[]> {
    await made.connector.flush();
    return server.waitForLines(1);
  }

  it('reports a routeName that throws and times the request under its default route', async () => {
    const cause = new Error('lookup failed');
    const made = recorder(() => {
      throw cause;
    });
    const route = made.routeOf(
      (req: Request) => req.path,
      (req) => [req],
    );

    made.bindResponse(finished, { method: 'GET', path: '/users/:id' }, route);

    expect(await recorded(made)).toEqual([
      expect.stringMatching(/^app\.timers\.users\._id\.GET\.200:[\d.]+\|ms$/),
    ]);
    expect(reports).toEqual([expect.any(StatsdError)]);
    expect(reports[0]?.code).toBe(ErrorCode.RequestHook);
    expect(reports[0]?.message).toMatch(/routeName threw/);
    expect(reports[0]?.cause).toBe(cause);
  });

  it("reports an adapter's route reader that throws and times the request as unmatched", async () => {
    const cause = new TypeError('no routing state');
    const made = recorder();

    made.bindResponse(finished, { method: 'GET', path: '/x' }, () => {
      throw cause;
    });

    expect(await recorded(made)).toEqual([
      expect.stringMatching(/^app\.timers\.unmatched\.GET\.200:[\d.]+\|ms$/),
    ]);
    expect(reports.map((error) => [error.code, error.cause])).toEqual([
      [ErrorCode.RequestHook, cause],
    ]);
  });

  it('reports a failure an adapter contains, and never throws when onError does', () => {
    const made = new RequestRecorder({
      host: server.host,
      port: server.port,
      protocol: 'udp',
      onError: () => {
        throw new Error('handler failed');
      },
    });
    recorders.push(made);

    expect(() => made.reportFailure('the adapter failed', new Error('x'))).not.toThrow();
  });

  it('throttles a failure that repeats on every request', () => {
    const made = recorder(() => {
      throw new Error('always');
    });
    const route = made.routeOf(
      () => '/',
      (req: Request) => [req],
    );

    for (let i = 0; i < 100; i++) made.bindResponse(finished, { method: 'GET', path: '/' }, route);

    expect(reports).toHaveLength(5);
    expect(reports[4]?.message).toMatch(/\(5 times so far\)$/);
  });

  it('sends a failure to the logger when there is no onError', () => {
    const warnings: string[] = [];
    const made = new RequestRecorder({
      host: server.host,
      port: server.port,
      protocol: 'udp',
      logger: { warn: (message) => warnings.push(message) },
    });
    recorders.push(made);

    made.reportFailure('the adapter failed', new Error('x'));

    expect(warnings).toEqual(['@statsd/core: the adapter failed']);
  });
});
