import { StatsdDaemon } from '@statsd-internal/daemon';
import { Connector } from '../src/connector.js';
import { ErrorCode, type StatsdError } from '../src/errors.js';
import { MemoryConnector } from '../src/testing/index.js';
import {
  closedPort,
  connectorFor,
  expectBalanced,
  stopConnectors,
} from './helpers/connector-harness.js';

/** The telemetry lines among `lines`, without the prefix. */
function telemetryLines(lines: readonly string[], prefix = ''): string[] {
  return lines
    .filter((line) => line.startsWith(`${prefix}statsd.client.`))
    .map((line) => line.slice(prefix.length));
}

afterEach(async () => {
  jest.useRealTimers();
  await stopConnectors();
});

describe('Connector telemetry', () => {
  it('sends nothing of its own when telemetry is not set', () => {
    jest.useFakeTimers();
    const statsd = new MemoryConnector();
    statsd.incr('jobs');
    jest.advanceTimersByTime(60_000);
    expect(statsd.lines).toEqual(['counters.jobs:1|c']);
  });

  it('reports counters as changes since the last report and gauges as values, every interval', () => {
    jest.useFakeTimers();
    const statsd = new MemoryConnector({ prefix: 'app', telemetry: 1000, maxQueueSize: 10 });
    statsd.incr('jobs');
    statsd.incr('jobs');
    jest.advanceTimersByTime(1000);
    const first = telemetryLines(statsd.lines, 'app.');
    expect(first).toEqual([
      'statsd.client.sent:2|c',
      'statsd.client.packets_sent:1|c',
      expect.stringMatching(/^statsd\.client\.bytes_sent:\d+\|c$/),
      'statsd.client.queued:0|g',
      'statsd.client.queued_bytes:0|g',
      'statsd.client.connected:1|g',
    ]);
    statsd.clear();
    jest.advanceTimersByTime(1000);
    // The first report's six lines went out in one packet; the counters say so, nothing more.
    expect(telemetryLines(statsd.lines, 'app.')).toEqual([
      'statsd.client.sent:6|c',
      'statsd.client.packets_sent:1|c',
      expect.stringMatching(/^statsd\.client\.bytes_sent:\d+\|c$/),
      'statsd.client.queued:0|g',
      'statsd.client.queued_bytes:0|g',
      'statsd.client.connected:1|g',
    ]);
  });

  it('keeps each report to a fixed set of lines when only its own lines are sent', () => {
    jest.useFakeTimers();
    const statsd = new MemoryConnector({ telemetry: 100 });
    const sizes: number[] = [];
    for (let i = 0; i < 20; i++) {
      jest.advanceTimersByTime(100);
      sizes.push(statsd.lines.length);
      statsd.clear();
    }
    // The first report has no counters (nothing was sent before it); every later one has the
    // same three counters and three gauges: reports never report on reports of reports.
    expect(sizes).toEqual([3, ...Array<number>(19).fill(6)]);
    const stats = statsd.stats();
    expect(stats.enqueued).toBe(3 + 19 * 6);
    expectBalanced(stats);
  });

  it('reports drops by reason once, as the change since the last report', () => {
    jest.useFakeTimers();
    const statsd = new MemoryConnector({ telemetry: 1000, onError: () => {} });
    statsd.incr('bad', NaN);
    statsd.incr('bad', Infinity);
    jest.advanceTimersByTime(1000);
    expect(telemetryLines(statsd.lines)).toContain('statsd.client.dropped.invalid:2|c');
    statsd.clear();
    jest.advanceTimersByTime(1000);
    expect(telemetryLines(statsd.lines).filter((line) => line.includes('dropped'))).toEqual([]);
  });

  it('counts its own lines dropped when the queue is full, like any other metric', async () => {
    const port = await closedPort('tcp');
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    // Nothing listens: the reports stay queued until the queue is full.
    const statsd = connectorFor({
      host: '127.0.0.1',
      port,
      telemetry: 100,
      maxQueueSize: 10,
      stopTimeout: 0,
    });
    void statsd.start();
    jest.advanceTimersByTime(500);
    const stats = statsd.stats();
    // Four reports of three gauges, the tenth line fills the queue; the fifth report adds
    // `dropped.queueFull:2` to its gauges, and is dropped whole.
    expect(stats).toMatchObject({ enqueued: 16, sent: 0, queued: 10 });
    expect(stats.dropReasons.queueFull).toBe(6);
    expectBalanced(stats);
  });

  it('sends one last report on stop() and no more after it', async () => {
    const statsd = new MemoryConnector({ telemetry: 60_000 });
    statsd.incr('jobs');
    expect(statsd.lines).toEqual(['counters.jobs:1|c']);
    await statsd.stop();
    const after = statsd.lines;
    expect(telemetryLines(after)).toContain('statsd.client.sent:1|c');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(statsd.lines).toEqual(after);
  });

  it.each([-1, 5, 1.5, '1000', Infinity])(
    'refuses telemetry %p with ERR_STATSD_INVALID_OPTION naming it',
    (telemetry) => {
      let error: StatsdError | undefined;
      try {
        new Connector({ host: '127.0.0.1', telemetry: telemetry as number });
      } catch (caught) {
        error = caught as StatsdError;
      }
      expect(error?.code).toBe(ErrorCode.InvalidOption);
      expect(error?.message).toMatch(/`telemetry`.*interval in milliseconds/);
    },
  );
});

describe('Connector telemetry against the StatsD daemon', () => {
  let daemon: StatsdDaemon;

  beforeAll(async () => {
    daemon = await StatsdDaemon.start();
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('reaches the daemon as valid counters and gauges under <prefix>.statsd.client', async () => {
    const statsd = connectorFor({
      host: daemon.host,
      port: daemon.tcpPort,
      prefix: 'tele',
      telemetry: 50,
    });
    await statsd.start();
    for (let i = 0; i < 10; i++) statsd.incr('jobs');
    const counters = await daemon.waitFor(
      (d) => d.counters(),
      (c) => (c['tele.statsd.client.sent'] ?? 0) >= 10,
    );
    expect(counters['tele.statsd.client.packets_sent']).toBeGreaterThan(0);
    const gauges = await daemon.waitFor(
      (d) => d.gauges(),
      (g) => g['tele.statsd.client.connected'] === 1,
    );
    expect(gauges['tele.statsd.client.queued']).toBeGreaterThanOrEqual(0);
    expect(await daemon.badLines()).toBe(0);
  });
});
