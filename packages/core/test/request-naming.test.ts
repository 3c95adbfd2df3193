import type { Connector } from '../src/connector.js';
import {
  REQUEST_TIMER_PATH,
  RequestRecorder,
  UNMATCHED_ROUTE,
  defaultNaming,
  requestMetricTags,
  requestTimer,
  type RequestOutcome,
} from '../src/framework/index.js';
import { MemoryConnector } from '../src/testing/index.js';
import type { MetricOptions } from '../src/types.js';

const OUTCOME: RequestOutcome = { route: '/orders', method: 'get', status: 201, aborted: false };

describe('requestMetricTags', () => {
  it('writes the route as written, upper-case method and status code', () => {
    expect(requestMetricTags(OUTCOME, 'code')).toEqual({
      route: '/orders',
      method: 'GET',
      status: '201',
    });
  });

  it('writes the status class or both when asked', () => {
    expect(requestMetricTags(OUTCOME, 'class').status).toBe('2xx');
    expect(requestMetricTags(OUTCOME, 'both').status).toBe('2xx.201');
  });

  it('writes aborted instead of the status when the client went away', () => {
    expect(requestMetricTags({ ...OUTCOME, aborted: true }, 'both').status).toBe('aborted');
  });

  it('folds unusual methods into OTHER and names an empty template /', () => {
    expect(requestMetricTags({ ...OUTCOME, route: '', method: 'X.Y' }, 'code')).toMatchObject({
      route: '/',
      method: 'OTHER',
    });
  });
});

describe('requestTimer', () => {
  it('names the timer by path, with no options, in path naming', () => {
    expect(requestTimer(OUTCOME, 'path', 'code')).toEqual({
      path: 'orders.GET.201',
      options: undefined,
    });
  });

  it('names one timer http.request with frozen tags in tags naming', () => {
    const timer = requestTimer(OUTCOME, 'tags', 'code');
    expect(timer).toEqual({
      path: REQUEST_TIMER_PATH,
      options: { tags: { route: '/orders', method: 'GET', status: '201' } },
    });
    expect(REQUEST_TIMER_PATH).toBe('http.request');
    // Frozen, so that the connector renders the tags once and reuses them.
    expect(Object.isFrozen(timer.options)).toBe(true);
    expect(Object.isFrozen(timer.options?.tags)).toBe(true);
  });
});

describe('RequestRecorder naming', () => {
  it('records one http.request timer with route, method and status tags when naming is tags', () => {
    const connector = new MemoryConnector({ prefix: 'app', tagFormat: 'dogstatsd' });
    const recorder = new RequestRecorder({ connector, naming: 'tags' });
    recorder.record(OUTCOME, 12.5);
    recorder.record({ ...OUTCOME, route: UNMATCHED_ROUTE, status: 404 }, 1);
    recorder.record({ ...OUTCOME, aborted: true }, 2);
    expect(connector.lines).toEqual([
      'app.timers.http.request:12.5|ms|#route:/orders,method:GET,status:201',
      'app.timers.http.request:1|ms|#route:unmatched,method:GET,status:404',
      'app.timers.http.request:2|ms|#route:/orders,method:GET,status:aborted',
    ]);
  });

  it('writes the tags in the Graphite style when the connector does', () => {
    const connector = new MemoryConnector({ tagFormat: 'graphite' });
    new RequestRecorder({ connector, naming: 'tags', status: 'class' }).record(OUTCOME, 3);
    expect(connector.lines).toEqual([
      'timers.http.request;route=/orders;method=GET;status=2xx:3|ms',
    ]);
  });

  // DogStatsD splits a tag at its first colon only, so a template's parameters keep their `:`.
  it('keeps a template with parameters readable in the route tag', () => {
    const connector = new MemoryConnector({ dialect: 'dogstatsd', kindSegments: true });
    const recorder = new RequestRecorder({ connector, naming: 'tags' });
    recorder.record({ ...OUTCOME, route: '/users/:id' }, 3);
    expect(connector.lines).toEqual([
      'timers.http.request:3|ms|#route:/users/:id,method:GET,status:201',
    ]);
  });

  it('hands the connector the same frozen options for a repeated request', () => {
    const connector = new MemoryConnector({ tagFormat: 'dogstatsd', flushInterval: 0 });
    const timing = jest.spyOn(connector, 'timing');
    const recorder = new RequestRecorder({ connector, naming: 'tags' });
    recorder.record(OUTCOME, 1);
    recorder.record({ ...OUTCOME }, 2);
    void connector.flush();
    const options = timing.mock.calls.map((call) => call[2] as MetricOptions);
    expect(options).toHaveLength(2);
    expect(options[1]).toBe(options[0]);
  });

  it('records by path, as before, when naming is path', () => {
    const connector = new MemoryConnector({ tagFormat: 'dogstatsd' });
    new RequestRecorder({ connector, naming: 'path' }).record(OUTCOME, 3);
    expect(connector.lines).toEqual(['timers.orders.GET.201:3|ms']);
  });

  // The one function that decides the default: the lead points it at the connector's dialect.
  it('names by path for plain StatsD when the application chooses no naming', () => {
    const connector = new MemoryConnector({ tagFormat: 'dogstatsd' });
    expect(defaultNaming(connector)).toBe('path');
    const recorder = new RequestRecorder({ connector });
    expect(recorder.naming).toBe('path');
  });

  it.each(['dogstatsd', 'telegraf'] as const)(
    'names by tags for the %s dialect when the application chooses no naming',
    (dialect) => {
      const connector = new MemoryConnector({ dialect });
      expect(defaultNaming(connector)).toBe('tags');
      expect(new RequestRecorder({ connector }).naming).toBe('tags');
    },
  );
});

describe('RequestRecorder with a connector from elsewhere', () => {
  it('records through timing() when the connector is duck-typed without beforeFlush', () => {
    const calls: unknown[][] = [];
    const connector = {
      timing: (...args: unknown[]) => void calls.push(args),
      start: () => Promise.resolve(),
      stop: () => Promise.resolve(),
    };
    const recorder = new RequestRecorder({
      connector: connector as unknown as Connector,
      naming: 'tags',
    });
    recorder.record(OUTCOME, 250);
    expect(calls).toEqual([
      [REQUEST_TIMER_PATH, 0.25, { tags: { route: '/orders', method: 'GET', status: '201' } }],
    ]);
  });

  it('batches through the public beforeFlush of a connector from a second copy of the core', async () => {
    let Foreign!: typeof MemoryConnector;
    await jest.isolateModulesAsync(async () => {
      ({ MemoryConnector: Foreign } = await import('../src/testing/index.js'));
    });
    expect(Foreign).not.toBe(MemoryConnector);
    const connector = new Foreign({ flushInterval: 60_000 });
    const recorder = new RequestRecorder({ connector });
    recorder.record(OUTCOME, 4);
    // Held in the batch until the connector's flush drains it.
    expect(connector.stats().enqueued).toBe(0);
    await connector.flush();
    expect(connector.lines).toEqual(['timers.orders.GET.201:4|ms']);
    await connector.stop();
  });
});
