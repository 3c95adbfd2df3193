import { performance } from 'node:perf_hooks';
import { ErrorCode, StatsdError } from '../src/errors.js';
import { MemoryConnector } from '../src/testing/index.js';
import { Timer } from '../src/timer.js';

/**
 * Makes the monotonic clock (`performance.now()` from node:perf_hooks, which the timer reads
 * through clock.ts at every call) return `readings` in turn.
 */
function clockReads(...readings: number[]): jest.SpyInstance<number, []> {
  const now = jest.spyOn(performance, 'now');
  for (const reading of readings) now.mockReturnValueOnce(reading);
  return now;
}

function misuse(action: () => unknown): StatsdError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(StatsdError);
    return error as StatsdError;
  }
  throw new Error('the action did not throw');
}

let statsd: MemoryConnector;

beforeEach(() => {
  statsd = new MemoryConnector();
});

afterEach(async () => {
  jest.restoreAllMocks();
  await statsd.stop();
});

describe('Timer', () => {
  it('records the measured duration in milliseconds when stopped', () => {
    const now = clockReads(1000, 1250.5);
    const seconds = statsd.timer('render').start().stop();
    expect(now).toHaveBeenCalledTimes(2);
    expect(seconds).toBe(0.2505);
    expect(statsd.lines).toEqual(['timers.render:250.5|ms']);
  });

  it('records nothing until send() when stopped with send: false', () => {
    clockReads(0, 40);
    const timer = statsd.timer('render').start();
    expect(timer.seconds).toBeUndefined();
    expect(timer.stop({ send: false })).toBe(0.04);
    expect(timer.seconds).toBe(0.04);
    expect(statsd.lines).toEqual([]);
    timer.send();
    expect(statsd.lines).toEqual(['timers.render:40|ms']);
  });

  it('throws ERR_STATSD_TIMER_MISUSE when stopped before start', () => {
    const error = misuse(() => statsd.timer('render').stop());
    expect(error.code).toBe(ErrorCode.TimerMisuse);
    expect(error.message).toMatch(/stop\(\) on timer "render" before start\(\)/);
  });

  it('throws ERR_STATSD_TIMER_MISUSE when stopped twice', () => {
    const timer = statsd.timer('render').start();
    timer.stop();
    expect(misuse(() => timer.stop()).code).toBe(ErrorCode.TimerMisuse);
    expect(statsd.lines).toHaveLength(1);
  });

  it('throws ERR_STATSD_TIMER_MISUSE when sent before stop', () => {
    const timer = statsd.timer('render');
    expect(misuse(() => timer.send()).message).toMatch(
      /send\(\) on timer "render" before stop\(\)/,
    );
    timer.start();
    expect(misuse(() => timer.send()).code).toBe(ErrorCode.TimerMisuse);
    expect(statsd.lines).toEqual([]);
  });

  it('throws ERR_STATSD_TIMER_MISUSE when sent twice', () => {
    const timer = statsd.timer('render').start();
    timer.stop({ send: false });
    timer.send();
    const error = misuse(() => timer.send());
    expect(error.code).toBe(ErrorCode.TimerMisuse);
    expect(error.message).toMatch(/twice; start\(\) it again to reuse it/);
    // stop() sends by default: a send() after it is the second one.
    const other = statsd.timer('other').start();
    other.stop();
    expect(misuse(() => other.send()).code).toBe(ErrorCode.TimerMisuse);
  });

  it('measures again when started after send', () => {
    clockReads(0, 10, 100, 130);
    const timer = statsd.timer('render');
    timer.start().stop();
    expect(timer.start().seconds).toBeUndefined();
    timer.stop();
    expect(statsd.lines).toEqual(['timers.render:10|ms', 'timers.render:30|ms']);
  });

  it('clamps the duration to 0 when the clock reads earlier at stop than at start', () => {
    clockReads(500, 499.25);
    expect(statsd.timer('render').start().stop()).toBe(0);
    expect(statsd.lines).toEqual(['timers.render:0|ms']);
    expect(statsd.stats().dropped).toBe(0);
  });

  it.each([
    [0.0015, '0.002'],
    [0.0001, '0'],
    [123_456.789, '123456.789'],
    [1e22, '10000000000000000000000'],
  ])('writes a plain decimal when the duration is %p ms', (elapsed, written) => {
    clockReads(0, elapsed);
    statsd.timer('render').start().stop();
    expect(statsd.lines).toEqual([`timers.render:${written}|ms`]);
    expect(written).toMatch(/^\d+(\.\d+)?$/);
  });

  it('sends through any sink with a timing() method', () => {
    clockReads(0, 5);
    const calls: unknown[][] = [];
    const timer = new Timer({ timing: (...args) => calls.push(args) }, 'job', { sampleRate: 0.5 });
    timer.start().stop();
    expect(calls).toEqual([['job', 0.005, { sampleRate: 0.5 }]]);
  });
});

describe('Connector.time', () => {
  it('returns the result and records a timer when the function is synchronous', () => {
    clockReads(0, 12);
    expect(statsd.time('work', () => 'done')).toBe('done');
    expect(statsd.lines).toEqual(['timers.work:12|ms']);
  });

  it('rethrows the original error and records a timer when the function throws', () => {
    clockReads(0, 3);
    const failure = new Error('boom');
    expect(() =>
      statsd.time('work', () => {
        throw failure;
      }),
    ).toThrow(failure);
    expect(statsd.lines).toEqual(['timers.work:3|ms']);
  });

  it('resolves with the result and records when the promise settles when the function is async', async () => {
    clockReads(0, 25);
    let finish: (value: string) => void = () => {};
    const pending = statsd.time('work', () => new Promise<string>((resolve) => (finish = resolve)));
    expect(statsd.lines).toEqual([]);
    finish('done');
    await expect(pending).resolves.toBe('done');
    expect(statsd.lines).toEqual(['timers.work:25|ms']);
  });

  it('rejects with the original error and records a timer when the promise rejects', async () => {
    clockReads(0, 7);
    const failure = new Error('nope');
    await expect(statsd.time('work', () => Promise.reject(failure))).rejects.toBe(failure);
    expect(statsd.lines).toEqual(['timers.work:7|ms']);
  });
});
