import { Connector } from '../src/connector.js';
import { ErrorCode, type StatsdError } from '../src/errors.js';
import { MemoryConnector } from '../src/testing/memory-connector.js';

/** Makes Math.random return `values` in turn, cycling. */
function randomSequence(values: readonly number[]): void {
  let i = 0;
  jest.spyOn(Math, 'random').mockImplementation(() => values[i++ % values.length] as number);
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('sampling', () => {
  it('writes |@rate for counters, timers, histograms and distributions', () => {
    randomSequence([0]);
    const statsd = new MemoryConnector({ dialect: 'dogstatsd', kindSegments: true });
    const sampled = { sampleRate: 0.25 };
    statsd.incr('c', 1, sampled);
    statsd.decr('c', 1, sampled);
    statsd.timing('t', 0.001, sampled);
    statsd.histogram('h', 2, sampled);
    statsd.distribution('d', 3, sampled);
    statsd.injectMetric('raw', 4, 'c', sampled);
    expect(statsd.lines).toEqual([
      'counters.c:1|c|@0.25',
      'counters.c:-1|c|@0.25',
      'timers.t:1|ms|@0.25',
      'histograms.h:2|h|@0.25',
      'distributions.d:3|d|@0.25',
      'raw:4|c|@0.25',
    ]);
  });

  it('samples gauges and sets but writes no rate for them, which the server ignores', () => {
    randomSequence([0]);
    const statsd = new MemoryConnector();
    statsd.gauge('g', 1, { sampleRate: 0.5 });
    statsd.gauge('g', -1, { sampleRate: 0.5 });
    statsd.set('s', 'a', { sampleRate: 0.5 });
    statsd.injectMetric('raw', 1, 'g', { sampleRate: 0.5 });
    expect(statsd.lines).toEqual([
      'gauges.g:1|g',
      'gauges.g:0|g',
      'gauges.g:-1|g',
      'sets.s:a|s',
      'raw:1|g',
    ]);
  });

  it('sends a call only when Math.random() is below the rate, and counts the others as sampledOut', () => {
    // 20 draws spread over [0, 1): exactly 5 fall below 0.25.
    randomSequence(Array.from({ length: 20 }, (_, i) => i / 20));
    const statsd = new MemoryConnector();
    for (let i = 0; i < 20; i++) statsd.incr('hits', 1, { sampleRate: 0.25 });
    expect(statsd.lines).toHaveLength(5);
    expect(statsd.stats()).toMatchObject({ enqueued: 5, sent: 5, sampledOut: 15, dropped: 0 });
  });

  it('uses the connector sampleRate for calls that give none, and the call rate over it', () => {
    randomSequence([0.3]);
    const statsd = new MemoryConnector({ sampleRate: 0.5 });
    statsd.incr('default');
    statsd.incr('override', 1, { sampleRate: 0.2 });
    statsd.incr('full', 1, { sampleRate: 1 });
    expect(statsd.lines).toEqual(['counters.default:1|c|@0.5', 'counters.full:1|c']);
    expect(statsd.stats().sampledOut).toBe(1);
  });

  it('does not draw a random number when the rate is 1', () => {
    const random = jest.spyOn(Math, 'random');
    const statsd = new MemoryConnector();
    statsd.incr('x');
    statsd.timing('y', 1, { sampleRate: 1 });
    expect(random).not.toHaveBeenCalled();
    expect(statsd.lines).toHaveLength(2);
  });

  it('writes a tiny rate with all its digits, never @0', () => {
    randomSequence([0]);
    const statsd = new MemoryConnector();
    statsd.incr('rare', 1, { sampleRate: 1e-21 });
    expect(statsd.lines).toEqual(['counters.rare:1|c|@0.000000000000000000001']);
  });

  it.each([
    ['0', 0],
    ['negative', -0.5],
    ['above 1', 1.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a string', '0.5' as unknown as number],
  ])('drops a call whose sampleRate is %s as invalid and reports it', (_label, sampleRate) => {
    const errors: StatsdError[] = [];
    const statsd = new MemoryConnector({ onError: (e) => errors.push(e) });
    statsd.incr('x', 1, { sampleRate });
    expect(statsd.lines).toEqual([]);
    expect(statsd.stats()).toMatchObject({ enqueued: 1, dropped: 1, sampledOut: 0 });
    expect(errors[0]?.code).toBe(ErrorCode.InvalidMetric);
    expect(errors[0]?.message).toContain('sampleRate');
  });

  it.each([0, -1, 1.01, NaN, '1'])(
    'refuses the connector sampleRate %p at construction',
    (rate) => {
      expect(() => new Connector({ host: '127.0.0.1', sampleRate: rate as number })).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidOption }) as Error,
      );
    },
  );
});
