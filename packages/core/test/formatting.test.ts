import { Connector } from '../src/connector.js';
import { ErrorCode, type StatsdError } from '../src/errors.js';
import { MemoryConnector, type MemoryConnectorOptions } from '../src/testing/memory-connector.js';
import type { Dialect, MetricType } from '../src/types.js';

function recording(options: MemoryConnectorOptions = {}): {
  statsd: MemoryConnector;
  errors: StatsdError[];
} {
  const errors: StatsdError[] = [];
  const statsd = new MemoryConnector({ prefix: 'app', ...options, onError: (e) => errors.push(e) });
  return { statsd, errors };
}

describe('Connector metric calls', () => {
  it('writes a counter under <prefix>.counters when incr is called', () => {
    const { statsd } = recording();
    statsd.incr('jobs.done');
    statsd.incr('jobs.done', 5);
    expect(statsd.lines).toEqual(['app.counters.jobs.done:1|c', 'app.counters.jobs.done:5|c']);
  });

  it('writes a negative counter when decr is called', () => {
    const { statsd } = recording();
    statsd.decr('jobs');
    statsd.decr('jobs', 2.5);
    statsd.decr('jobs', 0);
    expect(statsd.lines).toEqual([
      'app.counters.jobs:-1|c',
      'app.counters.jobs:-2.5|c',
      'app.counters.jobs:0|c',
    ]);
  });

  it('writes an absolute gauge when gauge is called without delta', () => {
    const { statsd } = recording();
    statsd.gauge('pool', 12);
    statsd.gauge('pool', 0.25);
    expect(statsd.lines).toEqual(['app.gauges.pool:12|g', 'app.gauges.pool:0.25|g']);
  });

  it('writes a signed change, fractions included, when gauge is called with delta', () => {
    const { statsd } = recording();
    statsd.gauge('pool', 4, { delta: true });
    statsd.gauge('pool', 0.5, { delta: true });
    statsd.gauge('pool', -3, { delta: true });
    statsd.gauge('pool', 0, { delta: true });
    statsd.gauge('pool', -0, { delta: true });
    expect(statsd.lines).toEqual([
      'app.gauges.pool:+4|g',
      'app.gauges.pool:+0.5|g',
      'app.gauges.pool:-3|g',
      'app.gauges.pool:+0|g',
      'app.gauges.pool:+0|g',
    ]);
  });

  it('keeps the sign of a tiny negative delta instead of writing a bare 0 that sets the gauge', () => {
    const { statsd } = recording();
    statsd.gauge('pool', -1e-21, { delta: true });
    expect(statsd.lines).toEqual(['app.gauges.pool:-0.000000000000000000001|g']);
  });

  it('sends 0 then the value, in one packet, when a gauge is set to a negative value', () => {
    const { statsd } = recording({ protocol: 'udp' });
    statsd.gauge('temp', -4);
    expect(statsd.packets).toEqual(['app.gauges.temp:0|g\napp.gauges.temp:-4|g']);
    expect(statsd.stats()).toMatchObject({ enqueued: 1, sent: 1 });
  });

  it('writes a timer in milliseconds rounded to the microsecond when timing gets seconds', () => {
    const { statsd } = recording();
    statsd.timing('db', 0.25);
    statsd.timing('db', 0.0123456789);
    statsd.timing('db', 0);
    statsd.timing('db', 0.1 + 0.2);
    expect(statsd.lines).toEqual([
      'app.timers.db:250|ms',
      'app.timers.db:12.346|ms',
      'app.timers.db:0|ms',
      'app.timers.db:300|ms',
    ]);
  });

  it.each([
    ['negative', -0.001],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['overflowing to Infinity milliseconds', 1e306],
    ['a string', '5' as unknown as number],
  ])('drops a %s timer as invalid and reports it', (_label, seconds) => {
    const { statsd, errors } = recording();
    statsd.timing('db', seconds);
    expect(statsd.lines).toEqual([]);
    expect(statsd.stats()).toMatchObject({ enqueued: 1, dropped: 1, sent: 0 });
    expect(statsd.stats().dropReasons.invalid).toBe(1);
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.InvalidMetric]);
  });

  it('writes a huge but finite timer as plain digits when its milliseconds are finite', () => {
    const { statsd } = recording();
    statsd.timing('db', 1e303);
    const [line] = statsd.lines;
    expect(line).toMatch(/^app\.timers\.db:\d{307}\|ms$/);
    expect(Number(line?.split(/[:|]/)[1])).toBe(1e306);
  });

  it.each([
    ['incr', (s: Connector) => s.incr('x', NaN)],
    ['decr', (s: Connector) => s.decr('x', Infinity)],
    ['gauge', (s: Connector) => s.gauge('x', -Infinity)],
    ['gauge delta', (s: Connector) => s.gauge('x', NaN, { delta: true })],
    ['histogram', (s: Connector) => s.histogram('x', NaN)],
    ['distribution', (s: Connector) => s.distribution('x', Infinity)],
    ['set', (s: Connector) => s.set('x', NaN)],
    ['incr with a string', (s: Connector) => s.incr('x', '1' as unknown as number)],
  ])('drops a non-finite value given to %s and reports it, without throwing', (_label, call) => {
    const { statsd, errors } = recording();
    expect(() => call(statsd)).not.toThrow();
    expect(statsd.lines).toEqual([]);
    expect(statsd.stats().dropReasons.invalid).toBe(1);
    expect(errors[0]?.code).toBe(ErrorCode.InvalidMetric);
  });

  it('writes set members as strings or numbers when set is called', () => {
    const { statsd } = recording();
    statsd.set('users', 'u-42');
    statsd.set('users', 7);
    expect(statsd.lines).toEqual(['app.sets.users:u-42|s', 'app.sets.users:7|s']);
  });

  it('sanitizes a set member that holds wire characters, and drops an empty one', () => {
    const { statsd } = recording();
    statsd.set('users', 'a|b:c\nd@e');
    statsd.set('users', '');
    statsd.set('users', { id: 1 } as unknown as string);
    expect(statsd.lines).toEqual(['app.sets.users:a_b_c_d_e|s']);
    expect(statsd.stats().dropReasons.invalid).toBe(2);
  });

  it.each<[string, MemoryConnectorOptions, string, string]>([
    ['statsd', {}, 'ms', 'ms'],
    // The tag syntax no longer decides the type: the reference daemon has no `h` or `d`.
    ['statsd with dogstatsd tags', { tagFormat: 'dogstatsd' }, 'ms', 'ms'],
    ['dogstatsd', { dialect: 'dogstatsd', kindSegments: true }, 'h', 'd'],
    ['telegraf', { dialect: 'telegraf' }, 'h', 'h'],
  ])('writes histograms and distributions for %s as |%s and |%s', (_label, options, h, d) => {
    const { statsd } = recording(options);
    statsd.histogram('size', 512);
    statsd.distribution('latency', 3.5);
    expect(statsd.lines).toEqual([
      `app.histograms.size:512|${h}`,
      `app.distributions.latency:3.5|${d}`,
    ]);
  });

  it('drops a negative histogram mapped to a timer, which the server would refuse', () => {
    const { statsd } = recording();
    statsd.histogram('size', -1);
    statsd.distribution('size', -1);
    expect(statsd.lines).toEqual([]);
    expect(statsd.stats().dropReasons.invalid).toBe(2);
  });

  it('keeps a negative histogram where the server has real histograms', () => {
    const { statsd } = recording({ dialect: 'dogstatsd' });
    statsd.histogram('delta', -1);
    expect(statsd.lines).toEqual(['app.delta:-1|h']);
  });

  it('never writes exponent notation, whatever the magnitude', () => {
    const { statsd } = recording();
    statsd.gauge('big', 1e21);
    statsd.gauge('small', 1e-7);
    statsd.gauge('neg', -2.5e-7);
    statsd.incr('huge', Number.MAX_VALUE);
    const values = statsd.lines.map((line) => line.slice(line.indexOf(':') + 1, line.indexOf('|')));
    expect(values.slice(0, 2)).toEqual(['1000000000000000000000', '0.0000001']);
    expect(values.slice(2, 4)).toEqual(['0', '-0.00000025']);
    for (const value of values) expect(value).not.toMatch(/e/i);
    expect(Number(values[4])).toBe(Number.MAX_VALUE);
  });

  it('puts the name right under the prefix, with the type given, when injectMetric is called', () => {
    const { statsd } = recording();
    statsd.injectMetric('raw.count', 3, 'c');
    statsd.injectMetric('raw.gauge', '+1.5', 'g');
    statsd.injectMetric('raw.timer', '12', 'ms');
    statsd.injectMetric('raw.set', 'member', 's');
    expect(statsd.lines).toEqual([
      'app.raw.count:3|c',
      'app.raw.gauge:+1.5|g',
      'app.raw.timer:12|ms',
      'app.raw.set:member|s',
    ]);
  });

  it('sends 0 first when injectMetric sets a negative gauge', () => {
    const { statsd } = recording();
    statsd.injectMetric('raw.gauge', '-5', 'g');
    expect(statsd.lines).toEqual(['app.raw.gauge:0|g', 'app.raw.gauge:-5|g']);
  });

  it.each<[string, string | number, MetricType, Dialect]>([
    ['an unknown type', 1, 'x' as MetricType, 'statsd'],
    ['a non-numeric string', 'abc', 'c', 'statsd'],
    ['exponent notation', '1e5', 'g', 'statsd'],
    ['a string holding a newline', '1\nforged:1|c', 'c', 'statsd'],
    ['a negative timer', '-1', 'ms', 'statsd'],
    ['a negative histogram mapped to a timer', -1, 'h', 'statsd'],
    ['a negative distribution mapped to a timer', '-2', 'd', 'statsd'],
    ['a negative histogram, which Telegraf refuses', '-2', 'h', 'telegraf'],
    ['NaN', NaN, 'g', 'statsd'],
  ])('drops injectMetric with %s as invalid', (_label, value, type, dialect) => {
    const { statsd, errors } = recording({ dialect });
    statsd.injectMetric('raw', value, type);
    expect(statsd.lines).toEqual([]);
    expect(statsd.stats().dropReasons.invalid).toBe(1);
    expect(errors[0]?.code).toBe(ErrorCode.InvalidMetric);
  });

  it.each([
    ['empty', ''],
    ['a lone dot', '.'],
    ['not a string', 42 as unknown as string],
    ['undefined', undefined as unknown as string],
  ])('drops a metric whose path is %s and reports it', (_label, path) => {
    const { statsd, errors } = recording();
    statsd.incr(path);
    expect(statsd.lines).toEqual([]);
    expect(statsd.stats()).toMatchObject({ enqueued: 1, dropped: 1 });
    expect(errors[0]?.code).toBe(ErrorCode.InvalidMetric);
  });

  it('writes no prefix segment when there is no prefix, and does not double a trailing dot', () => {
    const bare = new MemoryConnector();
    bare.incr('x');
    const dotted = new MemoryConnector({ prefix: 'svc.' });
    dotted.incr('x');
    expect([...bare.lines, ...dotted.lines]).toEqual(['counters.x:1|c', 'svc.counters.x:1|c']);
  });

  it('records a timer started and stopped with timer(), and the duration of time()', async () => {
    const { statsd } = recording();
    const timer = statsd.timer('render').start();
    const seconds = timer.stop();
    const result = await statsd.time('job', () => Promise.resolve('done'));
    expect(result).toBe('done');
    const [first, second] = statsd.metrics;
    expect(first).toMatchObject({ name: 'app.timers.render', type: 'ms' });
    expect(Number(first?.value)).toBeCloseTo(seconds * 1000, 3);
    expect(second).toMatchObject({ name: 'app.timers.job', type: 'ms' });
  });

  it('accepts every call and sends nothing when disabled', () => {
    const statsd = new Connector({ enabled: false });
    statsd.incr('x');
    statsd.gauge('y', -1);
    statsd.timing('z', NaN);
    expect(statsd.stats()).toMatchObject({ enqueued: 0, sent: 0, dropped: 0 });
  });
});
