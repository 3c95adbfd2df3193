import { EventEmitter } from 'node:events';
import { ErrorCode } from '../src/errors.js';
import {
  RequestRecorder,
  UNMATCHED_ROUTE,
  requestMetricPath,
  routeMetricName,
  stopOnShutdown,
} from '../src/framework/index.js';
import { MemoryConnector } from '../src/testing/index.js';

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
});

describe('requestMetricPath', () => {
  const outcome = { route: 'users._id', method: 'get', status: 201, aborted: false };

  it('writes route, upper-case method and status code', () => {
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

describe('RequestRecorder', () => {
  it('records a request as a timer in milliseconds on the given connector', () => {
    const connector = new MemoryConnector({ prefix: 'app' });
    const recorder = new RequestRecorder({ connector });
    recorder.record({ route: 'root', method: 'GET', status: 200, aborted: false }, 12.5);
    expect(connector.lines).toEqual(['app.timers.root.GET.200:12.5|ms']);
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
});

describe('stopOnShutdown', () => {
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
});

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
