import { ErrorCode } from '../src/errors.js';
import { MemoryConnector } from '../src/testing/memory-connector.js';
import { parseLine, parseMetrics } from '../src/testing/parse-line.js';

describe('MemoryConnector', () => {
  it('records lines that can be read right after the call', () => {
    const statsd = new MemoryConnector({ prefix: 'app' });
    statsd.incr('jobs');
    expect(statsd.lines).toEqual(['app.counters.jobs:1|c']);
    statsd.gauge('pool', 3);
    expect(statsd.lines).toEqual(['app.counters.jobs:1|c', 'app.gauges.pool:3|g']);
  });

  it('parses what it recorded, and filters it by name', () => {
    const statsd = new MemoryConnector({ tagFormat: 'dogstatsd' });
    statsd.incr('a', 2, { tags: { k: 'v' } });
    statsd.timing('b', 0.001);
    statsd.incr('a');
    expect(statsd.metrics).toEqual([
      { name: 'counters.a', value: '2', type: 'c', sampleRate: 1, tags: ['k:v'] },
      { name: 'timers.b', value: '1', type: 'ms', sampleRate: 1, tags: [] },
      { name: 'counters.a', value: '1', type: 'c', sampleRate: 1, tags: [] },
    ]);
    expect(statsd.metricsNamed('counters.a').map((m) => m.value)).toEqual(['2', '1']);
  });

  it('parses each value of a line with packed values as a metric of its own', () => {
    const statsd = new MemoryConnector({ dialect: 'dogstatsd' });
    statsd.timing('db', 0.012, { tags: { route: '/u/:id' } });
    statsd.timing('db', 0.007, { tags: { route: '/u/:id' } });
    expect(statsd.lines).toEqual(['db:12:7|ms|#route:/u/:id']);
    expect(statsd.metrics.map((metric) => metric.value)).toEqual(['12', '7']);
  });

  it('forgets what it recorded on clear()', () => {
    const statsd = new MemoryConnector();
    statsd.incr('a');
    statsd.clear();
    statsd.incr('b');
    expect(statsd.lines).toEqual(['counters.b:1|c']);
  });

  it('keeps only the newest maxPackets packets', () => {
    const statsd = new MemoryConnector({ maxPackets: 3 });
    for (let i = 0; i < 10; i++) {
      statsd.incr(`n${i}`);
      void statsd.flush();
    }
    expect(statsd.packets).toEqual(['counters.n7:1|c\n', 'counters.n8:1|c\n', 'counters.n9:1|c\n']);
    expect(statsd.maxPackets).toBe(3);
  });

  it.each([0, -1, 1.5, NaN])('refuses maxPackets %p', (maxPackets) => {
    expect(() => new MemoryConnector({ maxPackets })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOption }) as Error,
    );
  });

  it('keeps the accounting of a real connector', async () => {
    const statsd = new MemoryConnector({ onError: () => {} });
    statsd.incr('a');
    statsd.incr('b', NaN);
    await statsd.flush();
    expect(statsd.stats()).toMatchObject({
      enqueued: 2,
      sent: 1,
      dropped: 1,
      queued: 0,
      connected: true,
    });
  });

  it('still shows what was sent after stop()', async () => {
    const statsd = new MemoryConnector({ flushInterval: 60_000 });
    statsd.incr('a');
    await statsd.stop();
    expect(statsd.lines).toEqual(['counters.a:1|c']);
  });
});

describe('parseLine', () => {
  it('takes a plain line apart', () => {
    expect(parseLine('a.b:1|c')).toEqual({
      name: 'a.b',
      value: '1',
      type: 'c',
      sampleRate: 1,
      tags: [],
    });
  });

  it('reads the sample rate and DogStatsD tags', () => {
    expect(parseLine('a:-1.5|ms|@0.25|#k:v,bare')).toEqual({
      name: 'a',
      value: '-1.5',
      type: 'ms',
      sampleRate: 0.25,
      tags: ['k:v', 'bare'],
    });
  });

  it('keeps Influx and Graphite tags in the name', () => {
    expect(parseLine('a,k=v:+3|g').name).toBe('a,k=v');
    expect(parseLine('a;k=v:x|s').name).toBe('a;k=v');
  });

  it.each([
    ['no colon', 'a|c'],
    ['an empty name', ':1|c'],
    ['no type', 'a:1'],
    ['an empty value', 'a:|c'],
    ['an unknown type', 'a:1|x'],
    ['a | in the name', 'a|b:1|c'],
    ['a second value', 'a:1|c:2|c'],
    ['a second value without its type', 'a:1|c:2'],
    ['a rate of 0', 'a:1|c|@0'],
    ['a rate above 1', 'a:1|c|@1.5'],
    ['two rates', 'a:1|c|@1|@0.5'],
    ['a rate after the tags', 'a:1|c|#k:v|@0.5'],
    ['two tag lists', 'a:1|c|#a|#b'],
    ['an unknown field', 'a:1|c|x'],
    ['a newline', 'a:1|c\nb:1|c'],
    ['a carriage return', 'a:1|c\r'],
  ])('throws for a line with %s', (_label, line) => {
    expect(() => parseLine(line)).toThrow('Not a single StatsD metric line');
  });
});

describe('parseMetrics', () => {
  it('reads every value of a typed line, with the DogStatsD tags after the last one', () => {
    expect(parseMetrics('a:12|ms|@0.5:7|ms|@0.5|#route:/u/:id')).toEqual([
      { name: 'a', value: '12', type: 'ms', sampleRate: 0.5, tags: ['route:/u/:id'] },
      { name: 'a', value: '7', type: 'ms', sampleRate: 0.5, tags: ['route:/u/:id'] },
    ]);
  });

  it('reads every value of a shared line, which writes the type, rate and tags once', () => {
    expect(parseMetrics('a:1:2.5|h|@0.5|#k:v')).toEqual([
      { name: 'a', value: '1', type: 'h', sampleRate: 0.5, tags: ['k:v'] },
      { name: 'a', value: '2.5', type: 'h', sampleRate: 0.5, tags: ['k:v'] },
    ]);
  });

  it('reads a plain line as parseLine does', () => {
    expect(parseMetrics('a,k=v:3|c|#x:y')).toEqual([parseLine('a,k=v:3|c|#x:y')]);
  });

  it.each([
    ['a value without its type', 'a:1|c:2'],
    ['a packed set', 'a:x:y|s'],
    ['an empty value', 'a:1::2|ms'],
    ['no type at all', 'a:1:2'],
  ])('throws for a line with %s', (_label, line) => {
    expect(() => parseMetrics(line)).toThrow('Not a single StatsD metric line');
  });
});
