import fc from 'fast-check';
import { MAX_AGGREGATE_KEYS } from '../src/aggregator.js';
import { Connector } from '../src/connector.js';
import { ErrorCode, type StatsdError } from '../src/errors.js';
import { MemoryConnector, type MemoryConnectorOptions } from '../src/testing/memory-connector.js';

function aggregating(options: MemoryConnectorOptions = {}): {
  statsd: MemoryConnector;
  errors: StatsdError[];
} {
  const errors: StatsdError[] = [];
  const statsd = new MemoryConnector({
    aggregate: true,
    flushInterval: 1000,
    ...options,
    onError: (e) => errors.push(e),
  });
  return { statsd, errors };
}

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('client-side aggregation', () => {
  it('refuses aggregate without a flushInterval above 0 at construction', () => {
    for (const flushInterval of [undefined, 0]) {
      expect(() => new Connector({ host: '127.0.0.1', aggregate: true, flushInterval })).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidOption }) as Error,
      );
    }
  });

  it('sums counters per name and tag set into one line each', () => {
    const { statsd } = aggregating({ tagFormat: 'dogstatsd' });
    statsd.incr('hits');
    statsd.incr('hits', 4);
    statsd.decr('hits');
    statsd.incr('hits', 1, { tags: { route: 'home' } });
    statsd.incr('hits', 2, { tags: { route: 'home' } });
    statsd.incr('other', 0.5);
    expect(statsd.lines).toEqual([
      'counters.hits:4|c',
      'counters.hits:3|c|#route:home',
      'counters.other:0.5|c',
    ]);
  });

  it('drops a call with tags it cannot write as invalid, without throwing', () => {
    const { statsd, errors } = aggregating({ dialect: 'telegraf' });
    expect(() => statsd.incr('x', 1, { tags: 'env:prod' as unknown as string[] })).not.toThrow();
    expect(() => statsd.gauge('g', 1, { tags: { a: {} as string } })).not.toThrow();
    statsd.incr('x', 2);
    expect(statsd.lines).toEqual(['counters.x:2|c']);
    expect(statsd.stats()).toMatchObject({ dropped: 2, dropReasons: { invalid: 2 } });
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.InvalidMetric, ErrorCode.InvalidMetric]);
  });

  it('adds value / rate for a sampled counter and writes no rate', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const { statsd } = aggregating();
    statsd.incr('sampled', 1, { sampleRate: 0.25 });
    statsd.incr('sampled', 3, { sampleRate: 0.5 });
    expect(statsd.lines).toEqual(['counters.sampled:10|c']);
  });

  it('keeps the last value of a gauge', () => {
    const { statsd } = aggregating();
    statsd.gauge('pool', 1);
    statsd.gauge('pool', 5);
    statsd.gauge('pool', 3);
    expect(statsd.lines).toEqual(['gauges.pool:3|g']);
  });

  it('sums gauge deltas into one signed delta when no value was set', () => {
    const { statsd } = aggregating();
    statsd.gauge('up', 2, { delta: true });
    statsd.gauge('up', 0.5, { delta: true });
    statsd.gauge('down', 2, { delta: true });
    statsd.gauge('down', -5, { delta: true });
    statsd.gauge('none', 1, { delta: true });
    statsd.gauge('none', -1, { delta: true });
    expect(statsd.lines).toEqual(['gauges.up:+2.5|g', 'gauges.down:-3|g', 'gauges.none:+0|g']);
  });

  it('applies deltas after a value to that value, and lets a value replace earlier deltas', () => {
    const { statsd } = aggregating();
    statsd.gauge('a', 10);
    statsd.gauge('a', 2, { delta: true });
    statsd.gauge('b', 2, { delta: true });
    statsd.gauge('b', 10);
    expect(statsd.lines).toEqual(['gauges.a:12|g', 'gauges.b:10|g']);
  });

  it('sends 0 then the value when the aggregated gauge value is negative', () => {
    const { statsd } = aggregating({ protocol: 'udp' });
    statsd.gauge('temp', 1);
    statsd.gauge('temp', 3, { delta: true });
    statsd.gauge('temp', -7, { delta: true });
    expect(statsd.packets).toEqual(['gauges.temp:0|g\ngauges.temp:-3|g']);
  });

  it('passes timers, sets, histograms, distributions and injected metrics through unaggregated', () => {
    // DogStatsD packs the two timer values on one line; they are still two values, not a sum.
    const { statsd } = aggregating({ dialect: 'dogstatsd', kindSegments: true });
    statsd.timing('t', 0.001);
    statsd.timing('t', 0.001);
    statsd.set('s', 'a');
    statsd.set('s', 'a');
    statsd.histogram('h', 1);
    statsd.distribution('d', 1);
    statsd.injectMetric('raw', 1, 'c');
    statsd.injectMetric('raw', 1, 'c');
    expect(statsd.stats().enqueued).toBe(8);
    expect(statsd.lines).toEqual([
      'timers.t:1:1|ms',
      'sets.s:a|s',
      'sets.s:a|s',
      'histograms.h:1|h',
      'distributions.d:1|d',
      'raw:1|c',
      'raw:1|c',
    ]);
  });

  it('writes one line per name at each flush interval, and nothing for names left idle', () => {
    jest.useFakeTimers();
    const { statsd } = aggregating({ protocol: 'udp' });
    for (let i = 0; i < 1000; i++) statsd.incr('busy');
    statsd.incr('once');
    jest.advanceTimersByTime(999);
    expect(statsd.stats()).toMatchObject({ enqueued: 0, sent: 0 });
    jest.advanceTimersByTime(1);
    expect(statsd.stats()).toMatchObject({ enqueued: 2, sent: 2, packetsSent: 1 });
    for (let i = 0; i < 10; i++) statsd.incr('busy');
    jest.advanceTimersByTime(1000);
    jest.advanceTimersByTime(5000);
    expect(statsd.stats()).toMatchObject({ enqueued: 3, sent: 3, packetsSent: 2 });
    expect(statsd.packets).toEqual([
      'counters.busy:1000|c\ncounters.once:1|c',
      'counters.busy:10|c',
    ]);
  });

  it('sends what it holds on flush() and on stop()', async () => {
    const { statsd } = aggregating({ flushInterval: 600_000 });
    statsd.incr('a');
    await expect(statsd.flush()).resolves.toBe(true);
    expect(statsd.stats()).toMatchObject({ enqueued: 1, sent: 1 });
    statsd.gauge('b', 2);
    await statsd.stop();
    expect(statsd.stats()).toMatchObject({ enqueued: 2, sent: 2, dropped: 0, queued: 0 });
    expect(statsd.lines).toEqual(['counters.a:1|c', 'gauges.b:2|g']);
  });

  it('shares one aggregator between a connector and its children', () => {
    const { statsd } = aggregating({ prefix: 'app' });
    statsd.incr('x');
    statsd.child().incr('x', 2);
    statsd.child({ prefix: 'c' }).incr('x');
    expect(statsd.lines).toEqual(['app.counters.x:3|c', 'app.c.counters.x:1|c']);
  });

  it('counts lines, not calls, in enqueued and sent, and keeps counting invalid calls', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.9);
    const { statsd } = aggregating();
    for (let i = 0; i < 100; i++) statsd.incr('x');
    statsd.incr('x', NaN);
    statsd.incr('', 1);
    statsd.incr('x', 1, { sampleRate: 0.5 });
    void statsd.lines;
    expect(statsd.stats()).toMatchObject({
      enqueued: 3,
      sent: 1,
      dropped: 2,
      queued: 0,
      sampledOut: 1,
    });
    expect(statsd.stats().dropReasons.invalid).toBe(2);
  });

  it('drops and reports a sum that overflowed to Infinity', () => {
    const { statsd, errors } = aggregating();
    statsd.incr('x', Number.MAX_VALUE);
    statsd.incr('x', Number.MAX_VALUE);
    expect(statsd.lines).toEqual([]);
    expect(statsd.stats()).toMatchObject({ enqueued: 1, dropped: 1 });
    expect(errors[0]?.code).toBe(ErrorCode.InvalidMetric);
  });

  it('keeps the tags of the default dialect, and reports nothing', () => {
    const { statsd, errors } = aggregating();
    statsd.incr('x', 1, { tags: { a: 1 } });
    statsd.incr('x', 2, { tags: { a: 1 } });
    expect(statsd.lines).toEqual(['counters.x;a=1:3|c']);
    expect(errors).toEqual([]);
  });

  it(`sends calls for new names as they are once ${MAX_AGGREGATE_KEYS} names are held`, () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const { statsd } = aggregating();
    for (let i = 0; i < MAX_AGGREGATE_KEYS; i++) statsd.incr(`n${i}`);
    expect(statsd.stats().enqueued).toBe(0);
    statsd.incr('beyond', 2, { sampleRate: 0.5 });
    statsd.gauge('beyond', -1);
    statsd.incr('n0');
    expect(statsd.stats().enqueued).toBe(2);
    const lines = statsd.lines;
    expect(lines.slice(0, 3)).toEqual([
      'counters.beyond:2|c|@0.5',
      'gauges.beyond:0|g',
      'gauges.beyond:-1|g',
    ]);
    expect(lines[3]).toBe('counters.n0:2|c');
    expect(lines).toHaveLength(3 + MAX_AGGREGATE_KEYS);
  });

  it('ends every interval with the same server state as sending each call would', () => {
    const op = fc.record({
      name: fc.constantFrom('a', 'b', 'c.d'),
      kind: fc.constantFrom('incr', 'decr', 'gauge', 'delta'),
      value: fc.integer({ min: -1000, max: 1000 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const { statsd } = aggregating({ protocol: 'udp' });
        const counters = new Map<string, number>();
        const gauges = new Map<string, number>();
        for (const { name, kind, value } of ops) {
          if (kind === 'incr') statsd.incr(name, value);
          else if (kind === 'decr') statsd.decr(name, value);
          else statsd.gauge(name, value, { delta: kind === 'delta' });
          // The reference daemon: counters add, a signed gauge value changes a gauge it holds
          // (as non-zero), anything else sets it.
          if (kind === 'incr' || kind === 'decr') {
            counters.set(name, (counters.get(name) ?? 0) + (kind === 'incr' ? value : -value));
          } else if (kind === 'delta') {
            gauges.set(name, (gauges.get(name) ?? 0) + value);
          } else {
            gauges.set(name, value);
          }
        }
        const serverCounters = new Map<string, number>();
        const serverGauges = new Map<string, number>();
        for (const metric of statsd.metrics) {
          const name = metric.name.replace(/^(counters|gauges)\./, '');
          if (metric.type === 'c') {
            serverCounters.set(name, (serverCounters.get(name) ?? 0) + Number(metric.value));
          } else {
            const held = serverGauges.get(name);
            const signed = /^[+-]/.test(metric.value);
            serverGauges.set(
              name,
              held && signed ? held + Number(metric.value) : Number(metric.value),
            );
          }
        }
        // Deltas on a gauge the server has never seen start from 0 on both sides.
        expect(Object.fromEntries(serverCounters)).toEqual(Object.fromEntries(counters));
        expect(Object.fromEntries(serverGauges)).toEqual(Object.fromEntries(gauges));
        const lines = new Set(statsd.metrics.map((m) => `${m.name}|${m.type}`));
        expect(statsd.stats().sent).toBe(lines.size);
      }),
      { numRuns: 300 },
    );
  });
});
