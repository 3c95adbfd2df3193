import { Connector } from '../src/connector.js';
import { ErrorCode, type StatsdError } from '../src/errors.js';
import type { MetricOptions } from '../src/types.js';
import { FakeStatsdServer, MemoryConnector } from '../src/testing/index.js';
import {
  closedPort,
  connectorFor,
  errorLog,
  expectBalanced,
  nextTurn,
  stopConnectors,
} from './helpers/connector-harness.js';

afterEach(async () => {
  await stopConnectors();
});

describe('Connector metric calls', () => {
  it('treats null options as none when an untyped caller passes them', () => {
    const statsd = new MemoryConnector({ prefix: 'app' });
    const none = null as unknown as MetricOptions;
    statsd.incr('a', 1, none);
    statsd.gauge('g', 2, none);
    statsd.timing('t', 0.5, none);
    expect(statsd.lines).toEqual(['app.counters.a:1|c', 'app.gauges.g:2|g', 'app.timers.t:500|ms']);
  });

  it('reports instead of throwing when the bad input cannot even be described', () => {
    const { errors, onError } = errorLog();
    const statsd = new MemoryConnector({ onError });
    const unprintable = Object.create(null) as string;
    expect(() => statsd.incr(unprintable, 1, { sampleRate: 5 })).not.toThrow();
    expect(() => statsd.incr(unprintable)).not.toThrow();
    expect(statsd.stats().dropReasons.invalid).toBe(2);
    expect(errors.map((error: StatsdError) => error.code)).toEqual([
      ErrorCode.InvalidMetric,
      ErrorCode.InvalidMetric,
    ]);
  });
});

describe('Connector while disconnected', () => {
  it('keeps packing the open packet when the server is away', async () => {
    const port = await closedPort('tcp');
    const statsd = connectorFor({ host: '127.0.0.1', port, protocol: 'tcp' });
    await statsd.start();
    // One metric per event-loop turn: each turn ends with a flush that has nowhere to go.
    for (let i = 0; i < 200; i++) {
      statsd.incr(`metric.${i}`);
      await nextTurn();
    }
    const server = await FakeStatsdServer.start({ protocol: 'tcp', port });
    try {
      await server.waitForLines(200);
      const stats = statsd.stats();
      // About 26 bytes a line: 200 lines fill 4 packets of 1432 bytes, not 200 packets.
      expect(stats.packetsSent).toBeLessThanOrEqual(5);
      expect(server.lines).toEqual(
        Array.from({ length: 200 }, (_, i) => `counters.metric.${i}:1|c`),
      );
      expectBalanced(stats);
    } finally {
      await statsd.stop();
      await server.stop();
    }
  });

  it('resolves flush() false at once when the connector was never started', async () => {
    const statsd = new Connector({ host: '127.0.0.1', stopTimeout: 60_000, onError: () => {} });
    statsd.incr('waiting');
    const outcome = await Promise.race([
      statsd.flush(),
      new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), 1000).unref()),
    ]);
    expect(outcome).toBe(false);
    expect(statsd.stats().queued).toBe(1);
  });
});
