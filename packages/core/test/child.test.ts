import { ErrorCode } from '../src/errors.js';
import { MemoryConnector } from '../src/testing/memory-connector.js';
import type { Dialect } from '../src/types.js';

describe('Connector.child', () => {
  it('adds its prefix after the parent prefix', () => {
    const statsd = new MemoryConnector({ prefix: 'app' });
    const jobs = statsd.child({ prefix: 'jobs' });
    jobs.incr('done');
    jobs.child({ prefix: 'mail.' }).timing('send', 0.5);
    expect(statsd.lines).toEqual([
      'app.jobs.counters.done:1|c',
      'app.jobs.mail.timers.send:500|ms',
    ]);
    expect(jobs.prefix).toBe('app.jobs');
  });

  it('keeps the parent prefix when it gives none', () => {
    const statsd = new MemoryConnector({ prefix: 'app' });
    statsd.child().incr('x');
    expect(statsd.lines).toEqual(['app.counters.x:1|c']);
  });

  it.each<[Dialect, string]>([
    ['dogstatsd', 'x:1|c|#region:eu,queue:mail,id:7'],
    ['telegraf', 'counters.x,region=eu,queue=mail,id=7:1|c'],
    ['statsd', 'counters.x;region=eu;queue=mail;id=7:1|c'],
  ])('adds its tags to the global tags and before the call tags (%s)', (dialect, line) => {
    const statsd = new MemoryConnector({ dialect, globalTags: { region: 'eu' } });
    statsd.child({ tags: { queue: 'mail' } }).incr('x', 1, { tags: { id: 7 } });
    expect(statsd.lines).toEqual([line]);
  });

  it('stacks the tags of nested children', () => {
    const statsd = new MemoryConnector({ tagFormat: 'dogstatsd' });
    statsd
      .child({ tags: ['a:1'] })
      .child({ tags: { b: 2 } })
      .gauge('g', 1);
    expect(statsd.lines).toEqual(['gauges.g:1|g|#a:1,b:2']);
  });

  it('shares the parent queue, packets and accounting', () => {
    const statsd = new MemoryConnector({ protocol: 'udp', onError: () => {} });
    const child = statsd.child({ prefix: 'c' });
    statsd.incr('parent');
    child.incr('child');
    child.timing('bad', -1);
    expect(statsd.packets).toEqual(['counters.parent:1|c\nc.counters.child:1|c']);
    expect(child.stats()).toEqual(statsd.stats());
    expect(statsd.stats()).toMatchObject({ enqueued: 3, sent: 2, dropped: 1 });
  });

  it('sanitizes its prefix with the wire-safety rule', () => {
    const statsd = new MemoryConnector({ prefix: 'app' });
    statsd.child({ prefix: 'a b:c|d' }).incr('x');
    expect(statsd.lines).toEqual(['app.a_b_c_d.counters.x:1|c']);
  });

  it('writes its tags in the default dialect with no tag option on the parent', () => {
    const statsd = new MemoryConnector();
    statsd.child({ tags: { a: 1 } }).incr('x');
    statsd.child({ tags: {} }).incr('y');
    expect(statsd.lines).toEqual(['counters.x;a=1:1|c', 'counters.y:1|c']);
  });

  it('refuses tags that are not an object or a list', () => {
    const statsd = new MemoryConnector({ tagFormat: 'dogstatsd' });
    expect(() => statsd.child({ tags: 'a:b' as unknown as string[] })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOption }) as Error,
    );
  });

  it('refuses options it does not know, naming the option and what it takes', () => {
    const statsd = new MemoryConnector({ prefix: 'app' });
    const typo = { prefx: 'jobs' } as unknown as { prefix: string };
    expect(() => statsd.child(typo)).toThrow(
      expect.objectContaining({
        code: ErrorCode.InvalidOption,
        message: expect.stringMatching(/`prefx`.*"jobs".*`prefix` or `tags`/) as string,
      }) as Error,
    );
    // A parent's setting given to a child would be silently shared, not applied.
    const shared = { sampleRate: 0.5 } as unknown as { prefix: string };
    expect(() => statsd.child(shared)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOption }) as Error,
    );
  });

  it('refuses options that are not an object with a StatsdError', () => {
    const statsd = new MemoryConnector();
    expect(() => statsd.child(null as unknown as { prefix: string })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOption }) as Error,
    );
  });

  it('refuses tag values that have no text of their own', () => {
    const statsd = new MemoryConnector({ dialect: 'telegraf' });
    const tags = { a: Object.create(null) as string };
    expect(() => statsd.child({ tags })).toThrow(
      expect.objectContaining({
        code: ErrorCode.InvalidOption,
        message: expect.stringContaining('`tags`') as string,
      }) as Error,
    );
  });

  it('sends nothing for a child of a disabled connector', () => {
    const statsd = new MemoryConnector({ enabled: false });
    const child = statsd.child({ prefix: 'c' });
    child.incr('x');
    expect(child.enabled).toBe(false);
    expect(statsd.lines).toEqual([]);
  });
});
