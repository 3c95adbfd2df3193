import fc from 'fast-check';
import { Connector } from '../src/connector.js';
import { ErrorCode, StatsdError } from '../src/errors.js';
import { joinTags, renderTags } from '../src/tags.js';
import { MemoryConnector, type MemoryConnectorOptions } from '../src/testing/memory-connector.js';
import type { Dialect, TagFormat, Tags } from '../src/types.js';

describe('renderTags', () => {
  it.each<[TagFormat, string]>([
    ['dogstatsd', 'env:prod,region:eu'],
    ['influx', 'env=prod,region=eu'],
    ['graphite', 'env=prod;region=eu'],
  ])('renders an object of tags in the %s dialect', (format, text) => {
    expect(renderTags({ env: 'prod', region: 'eu' }, format, false)).toBe(text);
  });

  it('renders ready strings, splitting key and value at the first colon', () => {
    expect(renderTags(['route:home', 'url:a:b', 'canary'], 'dogstatsd', false)).toBe(
      'route:home,url:a:b,canary',
    );
    expect(renderTags(['route:home', 'canary'], 'influx', false)).toBe('route=home,canary=true');
    expect(renderTags(['url:a:b'], 'graphite', false)).toBe('url=a_b');
  });

  // The Datadog agent splits the `#` field at commas only (comp/dogstatsd/server parse.go
  // `parseTags`) and a tag at its first colon, so a value keeps its colons; a colon in a key
  // would move the split, and the other wire characters still split the line or the tag list.
  it('keeps colons in DogStatsD tag values and sanitizes keys and the other characters', () => {
    expect(renderTags({ url: 'http://x:8080' }, 'dogstatsd', false)).toBe('url:http://x:8080');
    expect(renderTags(['url:http://x:8080'], 'dogstatsd', false)).toBe('url:http://x:8080');
    expect(renderTags({ 'a:b': 'c:d,e|f#g\nh' }, 'dogstatsd', false)).toBe('a_b:c:d_e_f_g_h');
    expect(renderTags({ url: 'http://x:8080' }, 'influx', false)).toBe('url=http_//x_8080');
  });

  it('leaves out null, undefined and false values, and writes true and empty as a bare key', () => {
    const tags = { a: null, b: undefined, c: false, d: true, e: '', f: 0 };
    expect(renderTags(tags, 'dogstatsd', false)).toBe('d,e,f:0');
    expect(renderTags(tags, 'graphite', false)).toBe('d=true;e=true;f=0');
  });

  it('skips empty keys, and list entries that are empty, null, undefined or false', () => {
    expect(renderTags({ '': 'x', k: 'v' }, 'dogstatsd', false)).toBe('k:v');
    const list: unknown[] = ['', null, 'k:v', undefined, false, 'canary'];
    expect(renderTags(list as string[], 'dogstatsd', false)).toBe('k:v,canary');
  });

  it('sanitizes keys and values so that no tag can add a tag or split the line', () => {
    const text = renderTags({ 'a,b': 'c:d|e#f\ng', 'x=y': 'z;w' }, 'influx', false);
    expect(text).toBe('a_b=c_d_e_f_g,x_y=z_w');
  });

  it('replaces non-ASCII in ASCII mode only', () => {
    expect(renderTags({ région: 'zürich' }, 'dogstatsd', false)).toBe('région:zürich');
    expect(renderTags({ région: 'zürich' }, 'dogstatsd', true)).toBe('r_gion:z_rich');
  });

  it('returns undefined for tags it cannot write: not an object, or a value with no text', () => {
    for (const tags of [null, 'env:prod', 5]) {
      expect(renderTags(tags as unknown as string[], 'dogstatsd', false)).toBeUndefined();
    }
    const unprintable = Object.create(null) as string;
    expect(renderTags({ a: unprintable }, 'influx', false)).toBeUndefined();
    expect(renderTags({ a: {} as string }, 'dogstatsd', false)).toBeUndefined();
    expect(renderTags({ a: 2n as unknown as number }, 'dogstatsd', false)).toBe('a:2');
    for (const entry of [3, true, {}, ['a:1'], unprintable]) {
      expect(renderTags(['a:1', entry] as string[], 'graphite', false)).toBeUndefined();
    }
  });

  it('returns an empty string when no tag remains', () => {
    expect(renderTags({ a: null }, 'dogstatsd', false)).toBe('');
    expect(renderTags([], 'influx', false)).toBe('');
  });
});

describe('joinTags', () => {
  it('joins with the dialect separator and skips empty sides', () => {
    expect(joinTags('a:1', 'b:2', 'dogstatsd')).toBe('a:1,b:2');
    expect(joinTags('a=1', 'b=2', 'graphite')).toBe('a=1;b=2');
    expect(joinTags('', 'b=2', 'influx')).toBe('b=2');
    expect(joinTags('a=1', '', 'influx')).toBe('a=1');
  });
});

describe('tags on the wire', () => {
  it.each<[string, MemoryConnectorOptions, string, string]>([
    [
      'statsd (by default)',
      {},
      'app.counters.hits;region=eu;route=home:1|c',
      'app.counters.hits;region=eu:1|c',
    ],
    [
      'statsd with tagFormat dogstatsd',
      { tagFormat: 'dogstatsd' },
      'app.counters.hits:1|c|#region:eu,route:home',
      'app.counters.hits:1|c|#region:eu',
    ],
    [
      'dogstatsd',
      { dialect: 'dogstatsd' },
      'app.hits:1|c|#region:eu,route:home',
      'app.hits:1|c|#region:eu',
    ],
    [
      'telegraf',
      { dialect: 'telegraf' },
      'app.counters.hits,region=eu,route=home:1|c',
      'app.counters.hits,region=eu:1|c',
    ],
  ])('writes global then call tags in the %s dialect', (_label, options, tagged, globalOnly) => {
    const statsd = new MemoryConnector({ prefix: 'app', ...options, globalTags: { region: 'eu' } });
    statsd.incr('hits', 1, { tags: { route: 'home' } });
    statsd.incr('hits');
    expect(statsd.lines).toEqual([tagged, globalOnly]);
  });

  it('writes DogStatsD tags after the sample rate', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    try {
      const statsd = new MemoryConnector({ tagFormat: 'dogstatsd' });
      statsd.timing('db', 0.012, { sampleRate: 0.5, tags: { table: 'users' } });
      expect(statsd.lines).toEqual(['timers.db:12|ms|@0.5|#table:users']);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('writes only the global tags when the call tags render to nothing', () => {
    const statsd = new MemoryConnector({ tagFormat: 'dogstatsd', globalTags: ['env:prod'] });
    statsd.incr('x', 1, { tags: { gone: null } });
    expect(statsd.lines).toEqual(['counters.x:1|c|#env:prod']);
  });

  it('writes global and call tags with no tag option at all', () => {
    const errors: StatsdError[] = [];
    const statsd = new MemoryConnector({
      globalTags: { env: 'prod' },
      onError: (e) => errors.push(e),
    });
    statsd.incr('x', 1, { tags: { route: 'home' } });
    expect(statsd.lines).toEqual(['counters.x;env=prod;route=home:1|c']);
    expect(errors).toEqual([]);
    expect(statsd.stats()).toMatchObject({ sent: 1, dropped: 0 });
  });

  it("refuses tagFormat 'none' at construction, saying how to send no tags", () => {
    expect(() => new Connector({ host: '127.0.0.1', tagFormat: 'none' as TagFormat })).toThrow(
      expect.objectContaining({
        code: ErrorCode.InvalidOption,
        message: expect.stringMatching(
          /`tagFormat`: received "none".*to send none, give none/,
        ) as string,
      }) as Error,
    );
  });

  it.each<[Dialect, TagFormat, string]>([
    ['statsd', 'influx', "'graphite' or 'dogstatsd'"],
    ['dogstatsd', 'graphite', "'dogstatsd'"],
    ['telegraf', 'graphite', "'influx' or 'dogstatsd'"],
  ])(
    'refuses with dialect %s a tagFormat %s its server does not read',
    (dialect, tagFormat, ok) => {
      expect(() => new Connector({ host: '127.0.0.1', dialect, tagFormat })).toThrow(
        expect.objectContaining({
          code: ErrorCode.InvalidOption,
          message: expect.stringContaining(
            `expected ${ok}, the tag syntaxes the '${dialect}'`,
          ) as string,
        }) as Error,
      );
    },
  );

  it.each<[string, unknown]>([
    ['a string', 'env:prod'],
    ['a number', 5],
    ['an object value with no text', { a: Object.create(null) as unknown }],
    ['an object value', { a: { nested: true } }],
    ['a list with a number entry', ['env:prod', 5]],
  ])('drops a call whose tags are %s as invalid, and reports it without throwing', (_, tags) => {
    const errors: StatsdError[] = [];
    const statsd = new MemoryConnector({ tagFormat: 'dogstatsd', onError: (e) => errors.push(e) });
    const options = { tags: tags as string[] };
    expect(() => statsd.incr('x', 1, options)).not.toThrow();
    expect(() => statsd.gauge('g', -1, options)).not.toThrow();
    statsd.incr('ok');
    expect(statsd.lines).toEqual(['counters.ok:1|c']);
    expect(statsd.stats()).toMatchObject({
      enqueued: 3,
      sent: 1,
      dropped: 2,
      dropReasons: { invalid: 2 },
    });
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.InvalidMetric, ErrorCode.InvalidMetric]);
    expect(errors[0]?.message).toMatch(/^tags .* of "x" cannot be written: .*metric dropped$/);
  });

  it('reads tags null as no tags, as it reads options null', () => {
    for (const tagFormat of ['graphite', 'dogstatsd'] as const) {
      const errors: StatsdError[] = [];
      const statsd = new MemoryConnector({ tagFormat, onError: (e) => errors.push(e) });
      statsd.incr('x', 1, { tags: null as unknown as string[] });
      expect(statsd.lines).toEqual(['counters.x:1|c']);
      expect(errors).toEqual([]);
    }
  });

  it.each<[string, unknown]>([
    ['an object value with no text', { a: Object.create(null) as unknown }],
    ['a list entry that is a number', ['a:1', 5]],
  ])('refuses global tags holding %s at construction', (_, globalTags) => {
    expect(
      () =>
        new Connector({
          host: '127.0.0.1',
          dialect: 'telegraf',
          globalTags: globalTags as string[],
        }),
    ).toThrow(
      expect.objectContaining({
        code: ErrorCode.InvalidOption,
        message: expect.stringContaining('`globalTags`') as string,
      }) as Error,
    );
  });

  it('counts UTF-8 tag bytes against the packet budget', () => {
    const statsd = new MemoryConnector({
      protocol: 'udp',
      tagFormat: 'dogstatsd',
      maxPacketSize: 64,
    });
    // 27 characters, 45 bytes per line: two lines fit in 64 counted in characters, not in bytes.
    statsd.incr('x', 1, { tags: { k: '名名名名名名名名名' } });
    statsd.incr('x', 1, { tags: { k: '名名名名名名名名名' } });
    const packets = statsd.packets;
    expect(packets).toHaveLength(2);
    for (const packet of packets) expect(Buffer.byteLength(packet)).toBeLessThanOrEqual(64);
  });
});

describe('call tags with UTF-8 global tags', () => {
  it('counts every byte once when call tags replace the fixed DogStatsD suffix', async () => {
    const statsd = new MemoryConnector({
      protocol: 'udp',
      tagFormat: 'dogstatsd',
      globalTags: { région: 'été' },
    });
    statsd.incr('a', 1, { tags: { clé: 'ü' } });
    statsd.incr('b', 1, { tags: Object.freeze({ clé: 'ü' }) });
    statsd.incr('c', 1, { tags: Object.freeze({ clé: 'ü' }) });
    await statsd.flush();
    const packets = statsd.packets;
    const bytes = packets.reduce((sum, packet) => sum + Buffer.byteLength(packet), 0);
    expect(statsd.stats().bytesSent).toBe(bytes);
    expect(statsd.lines).toEqual([
      'counters.a:1|c|#région:été,clé:ü',
      'counters.b:1|c|#région:été,clé:ü',
      'counters.c:1|c|#région:été,clé:ü',
    ]);
  });

  it('renders a reused unfrozen tags object afresh when it changes between calls', () => {
    const statsd = new MemoryConnector({ dialect: 'telegraf' });
    const tags: Record<string, string> = { route: 'a' };
    statsd.incr('hits', 1, { tags });
    tags.route = 'b';
    statsd.incr('hits', 1, { tags });
    expect(statsd.lines).toEqual(['counters.hits,route=a:1|c', 'counters.hits,route=b:1|c']);
  });
});

describe('call tags repeated from call to call', () => {
  it('renders tags afresh when one value changes or a tag is left out', () => {
    const statsd = new MemoryConnector({ dialect: 'dogstatsd' });
    statsd.incr('a', 1, { tags: { route: '/users/:id', status: 200 } });
    statsd.incr('b', 1, { tags: { route: '/users/:id', status: 200 } });
    statsd.incr('c', 1, { tags: { route: '/users/:id', status: 404 } });
    statsd.incr('d', 1, { tags: { route: '/users/:id', status: null } });
    statsd.incr('e', 1, { tags: { route: '/users/:id', status: 404, canary: true } });
    expect(statsd.lines).toEqual([
      'a:1|c|#route:/users/:id,status:200',
      'b:1|c|#route:/users/:id,status:200',
      'c:1|c|#route:/users/:id,status:404',
      'd:1|c|#route:/users/:id',
      'e:1|c|#route:/users/:id,status:404,canary',
    ]);
  });

  it('renders tags afresh after a call whose tags could not be written', () => {
    const errors: StatsdError[] = [];
    const statsd = new MemoryConnector({ dialect: 'telegraf', onError: (e) => errors.push(e) });
    statsd.incr('hits', 1, { tags: { route: 'a', method: 'GET' } });
    // Its first tag is new, its second has no text: the call is dropped half-way through.
    statsd.incr('hits', 1, { tags: { route: 'b', method: {} } as unknown as Tags });
    statsd.incr('hits', 1, { tags: { route: 'b', method: 'GET' } });
    expect(statsd.lines).toEqual([
      'counters.hits,route=a,method=GET:1|c',
      'counters.hits,route=b,method=GET:1|c',
    ]);
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.InvalidMetric]);
  });
});

describe('byte budget with UTF-8 global and call tags', () => {
  it('sends a line that exactly fills maxPacketSize when DogStatsD call tags are given', () => {
    const line = `counters.${'x'.repeat(50)}:1|c|#région:été,clé:ü`;
    const statsd = new MemoryConnector({
      protocol: 'udp',
      tagFormat: 'dogstatsd',
      globalTags: { région: 'été' },
      maxPacketSize: Buffer.byteLength(line),
    });
    statsd.incr('x'.repeat(50), 1, { tags: { clé: 'ü' } });
    expect(statsd.lines).toEqual([line]);
    expect(statsd.stats().dropReasons.tooLong).toBe(0);
  });
});

describe('tags from untyped callers', () => {
  const anyValue = fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
  });
  // Every tag syntax of every dialect, over a stream (a line carries its newline).
  const anyFormat = fc.constantFrom<MemoryConnectorOptions>(
    { protocol: 'tcp' },
    { protocol: 'tcp', tagFormat: 'dogstatsd' },
    { protocol: 'tcp', dialect: 'dogstatsd' },
    { protocol: 'tcp', dialect: 'telegraf' },
  );

  it('never throw from a metric call: each call is sent, or dropped as invalid or too long', () => {
    type Call = (statsd: MemoryConnector, tags: string[]) => void;
    const calls: Call[] = [
      (statsd, tags) => statsd.incr('x', 1, { tags }),
      // A negative gauge is two lines, sent and counted as one metric.
      (statsd, tags) => statsd.gauge('g', -2, { tags }),
    ];
    fc.assert(
      fc.property(anyValue, anyFormat, fc.boolean(), (tags, tagFormat, aggregate) => {
        const record = (call: Call, maxPacketSize?: number) => {
          const errors: StatsdError[] = [];
          const statsd = new MemoryConnector({
            ...tagFormat,
            maxPacketSize,
            onError: (error) => errors.push(error),
            ...(aggregate ? { aggregate, flushInterval: 1000 } : {}),
          });
          call(statsd, tags as string[]);
          return { statsd, errors };
        };
        for (const call of calls) {
          const { statsd, errors } = record(call);
          // Reading the lines flushes, which is when an aggregating connector checks the budget.
          const lines = statsd.lines;
          const codes = errors.map((error) => error.code);
          const { sent, dropped, dropReasons } = statsd.stats();
          expect(sent + dropped).toBe(1);
          if (sent === 1) {
            expect(lines.length).toBeGreaterThan(0);
          } else if (dropReasons.invalid === 1) {
            expect(lines).toEqual([]);
            expect(codes).toContain(ErrorCode.InvalidMetric);
          } else {
            expect(dropReasons.tooLong).toBe(1);
            expect(lines).toEqual([]);
            expect(codes).toContain(ErrorCode.LineTooLong);
            // Only when it had to be: given room, the same call is sent and writes more than
            // the default budget holds (a line on a stream carries its newline).
            const roomy = record(call, 65_507).statsd;
            const unit = roomy.lines.join('\n');
            expect(roomy.stats().sent).toBe(1);
            const bytes = Buffer.byteLength(unit, 'utf8') + 1;
            expect(bytes).toBeGreaterThan(1432);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throw anything but a StatsdError from a constructor or child()', () => {
    fc.assert(
      fc.property(anyValue, anyFormat, (tags, tagFormat) => {
        for (const build of [
          () => new MemoryConnector({ ...tagFormat, globalTags: tags as string[] }),
          () => new MemoryConnector(tagFormat).child({ tags: tags as string[] }),
        ]) {
          try {
            build();
          } catch (error) {
            expect(error).toBeInstanceOf(StatsdError);
            expect((error as StatsdError).code).toBe(ErrorCode.InvalidOption);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
