import { Connector } from '../src/connector.js';
import { ErrorCode, type StatsdError } from '../src/errors.js';
import type { GaugeOptions, MetricOptions } from '../src/types.js';
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

/** Options and tags from untyped callers whose reading throws. */
function throwingInputs(): [string, () => unknown][] {
  const boom = (): never => {
    throw new Error('secret');
  };
  const throwingTags = Object.defineProperty({ ok: 'yes' }, 'bad', {
    enumerable: true,
    get: boom,
  });
  const ownKeysThrow = new Proxy({}, { ownKeys: boom });
  const getThrows = new Proxy({ a: 1 }, { get: boom });
  const listGetThrows = new Proxy(['a:1', 'b'], { get: boom });
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  return [
    ['a tags object with a throwing getter', () => ({ tags: throwingTags })],
    ['tags whose ownKeys trap throws', () => ({ tags: ownKeysThrow })],
    ['tags whose get trap throws', () => ({ tags: getThrows })],
    ['a tag list whose get trap throws', () => ({ tags: listGetThrows })],
    ['a revoked proxy as tags', () => ({ tags: revoked.proxy })],
    [
      'options with a throwing sampleRate getter',
      () => Object.defineProperty({}, 'sampleRate', { get: boom }),
    ],
    ['options with a throwing tags getter', () => Object.defineProperty({}, 'tags', { get: boom })],
    ['options that are a throwing proxy', () => new Proxy({}, { get: boom })],
  ];
}

describe('Connector metric calls with input that throws when read', () => {
  it.each([false, true])(
    'drops every call as invalid instead of throwing when aggregate is %s',
    (aggregate) => {
      const { errors, onError } = errorLog();
      const statsd = new MemoryConnector({
        tagFormat: 'dogstatsd',
        onError,
        ...(aggregate ? { aggregate: true, flushInterval: 1000 } : {}),
      });
      const inputs = throwingInputs();
      let calls = 0;
      for (const [, make] of inputs) {
        const options = make() as MetricOptions;
        expect(() => statsd.incr('c', 1, options)).not.toThrow();
        expect(() => statsd.decr('c', 1, options)).not.toThrow();
        expect(() => statsd.gauge('g', 1, options)).not.toThrow();
        expect(() => statsd.gauge('g', -1, options)).not.toThrow();
        expect(() => statsd.timing('t', 1, options)).not.toThrow();
        expect(() => statsd.set('s', 'x', options)).not.toThrow();
        expect(() => statsd.histogram('h', 1, options)).not.toThrow();
        expect(() => statsd.distribution('d', 1, options)).not.toThrow();
        expect(() => statsd.injectMetric('i', 1, 'c', options)).not.toThrow();
        expect(() => statsd.time('f', () => 1, options)).not.toThrow();
        calls += 10;
      }
      const stats = statsd.stats();
      expect(stats.dropReasons.invalid).toBe(calls);
      expect(stats.enqueued).toBe(calls);
      expect(statsd.lines).toEqual([]);
      expect(new Set(errors.map((error) => error.code))).toEqual(
        new Set([ErrorCode.InvalidMetric]),
      );
      expect(errors[0]?.message).toMatch(/options or tags of "c" threw \(Error\); metric dropped/);
      expect(errors.some((error) => error.message.includes('secret'))).toBe(false);
    },
  );

  it.each([false, true])(
    'drops a gauge whose delta getter throws as invalid when aggregate is %s',
    (aggregate) => {
      const statsd = new MemoryConnector({
        onError: () => {},
        ...(aggregate ? { aggregate: true, flushInterval: 1000 } : {}),
      });
      const options = Object.defineProperty({}, 'delta', {
        get: () => {
          throw new TypeError('no');
        },
      }) as GaugeOptions;
      expect(() => statsd.gauge('g', 1, options)).not.toThrow();
      expect(statsd.stats()).toMatchObject({ enqueued: 1, dropped: 1 });
      expect(statsd.stats().dropReasons.invalid).toBe(1);
    },
  );

  it('drops counter and gauge calls whose timestamp getter throws as invalid', () => {
    const statsd = new MemoryConnector({ onError: () => {} });
    const options = Object.defineProperty({}, 'timestamp', {
      get: () => {
        throw new TypeError('no');
      },
    }) as GaugeOptions;
    expect(() => statsd.incr('c', 1, options)).not.toThrow();
    expect(() => statsd.decr('c', 1, options)).not.toThrow();
    expect(() => statsd.gauge('g', 1, options)).not.toThrow();
    expect(statsd.stats()).toMatchObject({ enqueued: 3, dropped: 3 });
    expect(statsd.stats().dropReasons.invalid).toBe(3);
    expect(statsd.lines).toEqual([]);
  });

  it('still sends the next call after one whose input threw', () => {
    const statsd = new MemoryConnector({ tagFormat: 'dogstatsd' });
    for (const [, make] of throwingInputs()) statsd.incr('c', 1, make() as MetricOptions);
    statsd.incr('c', 1, { tags: { ok: 'yes' } });
    expect(statsd.lines).toEqual(['counters.c:1|c|#ok:yes']);
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
