import { Connector } from '../src/connector.js';
import { ErrorCode, type StatsdError } from '../src/errors.js';
import { START_GRACE } from '../src/start-watch.js';

/** A connector that is never started by the test unless it says so; its reports, collected. */
function unstarted(extra: { enabled?: boolean } = {}): {
  statsd: Connector;
  reports: () => StatsdError[];
} {
  const errors: StatsdError[] = [];
  const statsd = new Connector({
    host: '127.0.0.1',
    port: 9,
    onError: (e) => errors.push(e),
    ...extra,
  });
  return { statsd, reports: () => errors.filter((e) => e.code === ErrorCode.NotStarted) };
}

describe('a connector that was never started', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('reports once, with ERR_STATSD_NOT_STARTED, when metrics wait on it', async () => {
    const { statsd, reports } = unstarted();
    statsd.incr('jobs');
    statsd.incr('jobs');
    jest.advanceTimersByTime(START_GRACE - 1);
    expect(reports()).toHaveLength(0);

    jest.advanceTimersByTime(1);
    statsd.incr('jobs');
    jest.advanceTimersByTime(10 * START_GRACE);

    expect(reports().map((error) => error.message)).toEqual([
      '2 metrics wait in the queue of a connector that was never started, and will never be ' +
        'sent: call `await statsd.start()` (the middlewares start theirs; a `new Connector()` ' +
        'or `createConnector()` must be started)',
    ]);
    await statsd.stop();
  });

  it('reports nothing when it is started soon after the first metric', async () => {
    const { statsd, reports } = unstarted();
    statsd.incr('jobs');
    jest.advanceTimersByTime(START_GRACE / 2);
    const starting = statsd.start();
    jest.advanceTimersByTime(10 * START_GRACE);
    await starting;
    await statsd.stop();
    expect(reports()).toHaveLength(0);
  });

  it('reports nothing when no metric waits on it, or when it is disabled', () => {
    const idle = unstarted();
    const disabled = unstarted({ enabled: false });
    disabled.statsd.incr('jobs');
    jest.advanceTimersByTime(10 * START_GRACE);
    expect([...idle.reports(), ...disabled.reports()]).toHaveLength(0);
  });
});
