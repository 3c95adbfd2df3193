import { ErrorCode } from '../src/errors.js';
import { parseLine } from '../src/testing/parse-line.js';
import { recording } from './helpers/dogstatsd-recording.js';

// DogStatsD protocol v1.3: `|T<unix seconds>` on counters and gauges. The agent reads the field
// in any order after the type and refuses a timestamp below 1 (DataDog/datadog-agent,
// comp/dogstatsd/server/parse.go, `timestampFieldPrefix`).

describe('timestamp option', () => {
  it('writes |T<seconds> after the type, rate and before the tags of counters', () => {
    const { statsd } = recording();
    statsd.incr('jobs', 2, { timestamp: 1_700_000_000, tags: ['a:b'] });
    statsd.decr('jobs', 1, { timestamp: new Date('2024-01-02T03:04:05.999Z') });
    statsd.incr('jobs', 1, { timestamp: 1_700_000_000.9, sampleRate: 1 });
    expect(statsd.lines).toEqual([
      'app.counters.jobs:2|c|T1700000000|#a:b',
      'app.counters.jobs:-1|c|T1704164645',
      'app.counters.jobs:1|c|T1700000000',
    ]);
  });

  it('writes it on gauges, a negative value alone: the agent reads -2 as a value', () => {
    const { statsd } = recording();
    statsd.gauge('pool', 3, { timestamp: 1_700_000_000 });
    statsd.gauge('pool', -2, { timestamp: 1_700_000_000 });
    expect(statsd.lines).toEqual([
      'app.gauges.pool:3|g|T1700000000',
      'app.gauges.pool:-2|g|T1700000000',
    ]);
  });

  it('drops a timestamped gauge change as unsupported: the agent has no gauge changes', () => {
    const { statsd, errors } = recording();
    statsd.gauge('pool', 2, { timestamp: 1_700_000_000, delta: true });
    expect(statsd.lines).toEqual([]);
    expect(statsd.stats()).toMatchObject({ enqueued: 1, dropReasons: { unsupported: 1 } });
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.Unsupported]);
    expect(errors[0]?.message).toMatch(/delta: true/);
  });

  it('keeps the sample rate of a sampled counter', () => {
    const { statsd } = recording({ sampleRate: 0.999_999_999 });
    for (let i = 0; i < 20 && statsd.lines.length === 0; i++) {
      statsd.incr('jobs', 1, { timestamp: 1_700_000_000 });
    }
    expect(statsd.lines[0]).toBe('app.counters.jobs:1|c|@0.999999999|T1700000000');
  });

  it('skips client-side aggregation, so values of different moments are not merged', () => {
    const { statsd } = recording({ aggregate: true, flushInterval: 60_000 });
    statsd.incr('jobs', 1, { timestamp: 1_700_000_000 });
    statsd.incr('jobs', 1, { timestamp: 1_700_000_060 });
    statsd.incr('jobs', 5);
    statsd.incr('jobs', 5);
    expect(statsd.lines).toEqual([
      'app.counters.jobs:1|c|T1700000000',
      'app.counters.jobs:1|c|T1700000060',
      'app.counters.jobs:10|c',
    ]);
  });

  it('drops and reports an invalid timestamp as invalid', () => {
    const { statsd, errors } = recording();
    statsd.incr('a', 1, { timestamp: Date.now() });
    statsd.gauge('a', 1, { timestamp: 0 });
    statsd.incr('a', 1, { timestamp: Number.NaN });
    statsd.incr('a', 1, { timestamp: new Date('nope') });
    statsd.incr('a', 1, { timestamp: '1700000000' as unknown as number });
    expect(statsd.lines).toEqual([]);
    expect(statsd.stats()).toMatchObject({ enqueued: 5, dropped: 5, dropReasons: { invalid: 5 } });
    expect(errors.map((e) => e.code)).toEqual(Array(5).fill(ErrorCode.InvalidMetric));
    expect(errors[0]?.message).toMatch(/milliseconds/);
  });

  it('drops and reports a timestamp as unsupported when the server is not a DogStatsD agent', () => {
    const { statsd, errors } = recording({ dialect: 'statsd' });
    statsd.incr('a', 1, { timestamp: 1_700_000_000 });
    statsd.gauge('a', 1, { timestamp: 1_700_000_000 });
    statsd.incr('a');
    expect(statsd.lines).toEqual(['app.counters.a:1|c']);
    expect(statsd.stats().dropReasons.unsupported).toBe(2);
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.Unsupported, ErrorCode.Unsupported]);
  });
});

describe('the test kit with timestamps, events and checks', () => {
  it('parses the timestamp of a line', () => {
    expect(parseLine('a:1|c|@0.5|T1700000000|#k:v')).toEqual({
      name: 'a',
      value: '1',
      type: 'c',
      sampleRate: 0.5,
      tags: ['k:v'],
      timestamp: 1_700_000_000,
    });
    expect(parseLine('a:1|c')).not.toHaveProperty('timestamp');
    for (const line of ['a:1|c|T0', 'a:1|c|T1.5', 'a:1|c|T', 'a:1|c|T1|T2', 'a:1|c|#k|T1']) {
      expect(() => parseLine(line)).toThrow(/Not a single StatsD metric line/);
    }
  });

  it('leaves events and checks out of MemoryConnector.metrics, and keeps them in lines', () => {
    const { statsd } = recording();
    statsd.event('t', 'x');
    statsd.incr('a', 1, { timestamp: 1_700_000_000 });
    statsd.check('c', 0);
    expect(statsd.metrics.map((metric) => metric.name)).toEqual(['app.counters.a']);
    expect(statsd.metrics[0]?.timestamp).toBe(1_700_000_000);
    expect(statsd.lines).toEqual(['_e{1,1}:t|x', 'app.counters.a:1|c|T1700000000', '_sc|c|0']);
  });
});
