import { Connector } from '../src/connector.js';
import { DIALECTS } from '../src/dialect.js';
import { ErrorCode, type StatsdError } from '../src/errors.js';
import { resolveOptions } from '../src/options.js';
import { FakeStatsdServer } from '../src/testing/fake-server.js';
import { MemoryConnector, type MemoryConnectorOptions } from '../src/testing/memory-connector.js';
import type { Dialect } from '../src/types.js';

// Byte-exact lines written from each server's published format:
// - DogStatsD: the Datadog agent's parser (DataDog/datadog-agent, comp/dogstatsd/server
//   `parse.go`: name before the first `:`, `|`-separated fields, `#` tags split at commas,
//   `@` rate; `parse_metrics.go`: types `g c h d s ms`, values read with strconv.ParseFloat) and
//   its "DogStatsD Datagram Format" page (`<NAME>:<VALUE>|<TYPE>|@<RATE>|#<TAG>:<VALUE>,<TAG>`).
// - Telegraf: its statsd input (influxdata/telegraf `plugins/inputs/statsd/statsd.go`:
//   `parseStatsdLine` splits at `:` and `|`, `parseName` splits the bucket at `,` and each tag
//   at `=`, a leading `+`/`-` makes a gauge additive, `aggregate` keeps `h` like `ms` and `d` only
//   with `datadog_distributions`) and its README examples.
// The statsd rows are checked against the real daemon in dialect-daemon.test.ts and against
// collectd in collectd.test.ts.

function recording(options: MemoryConnectorOptions): {
  statsd: MemoryConnector;
  errors: StatsdError[];
} {
  const errors: StatsdError[] = [];
  const statsd = new MemoryConnector({ ...options, onError: (e) => errors.push(e) });
  return { statsd, errors };
}

describe('the dialect table', () => {
  it('is frozen, row by row', () => {
    expect(Object.isFrozen(DIALECTS)).toBe(true);
    for (const rules of Object.values(DIALECTS)) {
      expect(Object.isFrozen(rules)).toBe(true);
      expect(Object.isFrozen(rules.tagFormats)).toBe(true);
    }
  });

  it.each<[Dialect, boolean]>([
    ['statsd', false],
    ['dogstatsd', true],
    ['telegraf', false],
  ])('says whether %s reads timestamps, events and service checks (%s)', (dialect, has) => {
    // Wired to `|T`, `_e{` and `_sc|` by the calls that write them.
    expect(DIALECTS[dialect]).toMatchObject({
      timestamps: has,
      events: has,
      serviceChecks: has,
    });
  });

  it('defaults to statsd, and names its dialect on the connector and its children', () => {
    const statsd = new MemoryConnector();
    expect(statsd.dialect).toBe('statsd');
    const dog = new MemoryConnector({ dialect: 'dogstatsd' });
    expect(dog.dialect).toBe('dogstatsd');
    expect(dog.child({ prefix: 'jobs' }).dialect).toBe('dogstatsd');
    expect(new Connector({ enabled: false, dialect: 'telegraf' }).dialect).toBe('telegraf');
  });
});

describe.each<[Dialect, string, string]>([
  ['statsd', 'tcp', 'app.counters.hits;env=prod;route=home:1|c'],
  ['dogstatsd', 'udp', 'app.hits:1|c|#env:prod,route:home'],
  ['telegraf', 'udp', 'app.counters.hits,env=prod,route=home:1|c'],
])('the %s dialect', (dialect, protocol, tagged) => {
  const options: MemoryConnectorOptions = { dialect, prefix: 'app', globalTags: { env: 'prod' } };

  it(`defaults to ${protocol}`, () => {
    expect(resolveOptions({ host: '127.0.0.1', dialect }).protocol).toBe(protocol);
    expect(resolveOptions({ host: '127.0.0.1', dialect, protocol: 'tcp' }).protocol).toBe('tcp');
  });

  it('writes global and call tags by default, in its own syntax', () => {
    const { statsd, errors } = recording(options);
    statsd.incr('hits', 1, { tags: { route: 'home' } });
    expect(statsd.lines).toEqual([tagged]);
    expect(errors).toEqual([]);
  });

  it('writes kind segments by its default, and as kindSegments says', () => {
    const segments = DIALECTS[dialect].kindSegments;
    for (const kindSegments of [undefined, true, false]) {
      const { statsd } = recording({ dialect, kindSegments });
      statsd.timing('db', 0.005);
      statsd.gauge('pool', 1);
      const on = kindSegments ?? segments;
      expect(statsd.lines).toEqual(
        on ? ['timers.db:5|ms', 'gauges.pool:1|g'] : ['db:5|ms', 'pool:1|g'],
      );
    }
  });
});

describe('histograms and distributions by dialect', () => {
  it.each<[Dialect, string, string]>([
    // The reference daemon has no `h` or `d`: it would count them (stats.js).
    ['statsd', 'histograms.size:3|ms', 'distributions.lat:4|ms'],
    // parse_metrics.go: `h` and `d` are types of their own.
    ['dogstatsd', 'size:3|h', 'lat:4|d'],
    // statsd.go `aggregate`: `h` is a timing; `d` is dropped unless datadog_distributions is on.
    ['telegraf', 'histograms.size:3|h', 'distributions.lat:4|h'],
  ])('writes them for %s as %s and %s', (dialect, histogram, distribution) => {
    const { statsd } = recording({ dialect });
    statsd.histogram('size', 3);
    statsd.distribution('lat', 4);
    expect(statsd.lines).toEqual([histogram, distribution]);
  });

  it.each<[Dialect, number]>([
    ['statsd', 0],
    ['dogstatsd', 2],
    // statsd.go: "+- values are only supported for gauges & counters".
    ['telegraf', 0],
  ])('keeps negative values for %s only where the server reads them (%s sent)', (dialect, sent) => {
    const { statsd } = recording({ dialect });
    statsd.histogram('h', -1);
    statsd.distribution('d', -1);
    expect(statsd.lines).toHaveLength(sent);
    expect(statsd.stats().dropReasons.invalid).toBe(2 - sent);
  });
});

describe('gauges by dialect', () => {
  it.each<Dialect>(['statsd', 'telegraf'])(
    'writes gauge changes with their sign for %s',
    (dialect) => {
      const { statsd } = recording({ dialect, kindSegments: false });
      statsd.gauge('pool', 3, { delta: true });
      statsd.gauge('pool', -3, { delta: true });
      statsd.injectMetric('raw', '+1.5', 'g');
      expect(statsd.lines).toEqual(['pool:+3|g', 'pool:-3|g', 'raw:+1.5|g']);
    },
  );

  // parse.go reads the value with strconv.ParseFloat: `+3` would set the gauge to 3.
  it('drops a gauge change for dogstatsd as unsupported, and reports it', () => {
    const { statsd, errors } = recording({ dialect: 'dogstatsd' });
    statsd.gauge('pool', 3, { delta: true });
    statsd.injectMetric('raw', '+1.5', 'g');
    statsd.gauge('pool', 3);
    expect(statsd.lines).toEqual(['pool:3|g']);
    expect(statsd.stats()).toMatchObject({
      enqueued: 3,
      sent: 1,
      dropped: 2,
      dropReasons: { unsupported: 2, invalid: 0 },
    });
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.Unsupported, ErrorCode.Unsupported]);
    expect(errors[0]?.message).toBe(
      `gauge("pool"): the 'dogstatsd' dialect has no gauge changes (its server would set the ` +
        'gauge to the change): send the new value instead; metric dropped',
    );
  });

  it.each<[Dialect, string[]]>([
    // docs/metric_types.md: a gauge cannot be set negative "without first setting it to zero".
    ['statsd', ['temp:0|g', 'temp:-5|g', 'raw:0|g', 'raw:-2|g']],
    // statsd.go: a leading `-` is additive, so Telegraf needs the 0 first too.
    ['telegraf', ['temp:0|g', 'temp:-5|g', 'raw:0|g', 'raw:-2|g']],
    // parse.go: `-5` is the value -5.
    ['dogstatsd', ['temp:-5|g', 'raw:-2|g']],
  ])('sets a negative gauge for %s as %j', (dialect, lines) => {
    const { statsd } = recording({ dialect, kindSegments: false });
    statsd.gauge('temp', -5);
    statsd.injectMetric('raw', -2, 'g');
    expect(statsd.lines).toEqual(lines);
    expect(statsd.stats()).toMatchObject({ enqueued: 2, sent: 2 });
  });

  describe('with aggregate: true', () => {
    const aggregating = (dialect: Dialect): ReturnType<typeof recording> =>
      recording({ dialect, kindSegments: false, aggregate: true, flushInterval: 60_000 });

    it('drops a gauge change for dogstatsd before it reaches the aggregator', () => {
      const { statsd, errors } = aggregating('dogstatsd');
      statsd.gauge('pool', 10);
      statsd.gauge('pool', 3, { delta: true });
      statsd.gauge('other', 3, { delta: true });
      expect(statsd.lines).toEqual(['pool:10|g']);
      expect(statsd.stats().dropReasons.unsupported).toBe(2);
      expect(errors.map((e) => e.code)).toEqual([ErrorCode.Unsupported, ErrorCode.Unsupported]);
    });

    it.each<[Dialect, string[]]>([
      ['statsd', ['temp:0|g', 'temp:-5|g']],
      ['telegraf', ['temp:0|g', 'temp:-5|g']],
      ['dogstatsd', ['temp:-5|g']],
    ])('writes an aggregated negative gauge for %s as %j', (dialect, lines) => {
      const { statsd } = aggregating(dialect);
      statsd.gauge('temp', 4);
      statsd.gauge('temp', -5);
      expect(statsd.lines).toEqual(lines);
    });
  });
});

describe('byte-exact lines from the published formats', () => {
  it('writes the DogStatsD datagram format: rate before tags, colons kept in tag values', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    try {
      const { statsd } = recording({ dialect: 'dogstatsd', globalTags: ['env:prod'] });
      statsd.incr('page.views', 1, { sampleRate: 0.5, tags: ['url:http://x:8080', 'canary'] });
      statsd.histogram('request.size', 512, { tags: { route: '/users/:id' } });
      statsd.set('users.uniques', 'u-42');
      expect(statsd.lines).toEqual([
        'page.views:1|c|@0.5|#env:prod,url:http://x:8080,canary',
        'request.size:512|h|#env:prod,route:/users/:id',
        'users.uniques:u-42|s|#env:prod',
      ]);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('sends DogStatsD over UDP by default, one datagram per flush', async () => {
    const server = await FakeStatsdServer.start({ protocol: 'udp' });
    const statsd = new Connector({ host: server.host, port: server.port, dialect: 'dogstatsd' });
    try {
      await statsd.start();
      statsd.gauge('pool', -5, { tags: { db: 'main' } });
      statsd.distribution('latency', 0.25);
      await statsd.flush();
      await server.waitForLines(2);
      expect(server.packets.map((packet) => packet.data.toString('utf8'))).toEqual([
        'pool:-5|g|#db:main\nlatency:0.25|d',
      ]);
    } finally {
      await statsd.stop();
      await server.stop();
    }
  });

  it("writes Telegraf's README examples: Influx tags in the bucket, no colon anywhere else", () => {
    const { statsd } = recording({ dialect: 'telegraf', kindSegments: false });
    // README: `users.current,service=payroll,region=us-west:32|g`.
    statsd.gauge('users.current', 32, { tags: { service: 'payroll', region: 'us-west' } });
    // `load.time.nanoseconds:1|h`; a tag value with a colon cannot split the line.
    statsd.histogram('load.time.nanoseconds', 1, { tags: { url: 'http://x:8080' } });
    statsd.gauge('users.current', 10, { delta: true });
    expect(statsd.lines).toEqual([
      'users.current,service=payroll,region=us-west:32|g',
      'load.time.nanoseconds,url=http_//x_8080:1|h',
      'users.current:+10|g',
    ]);
    for (const line of statsd.lines) expect(line.split(':')).toHaveLength(2);
  });

  it('writes DogStatsD-style tags to a statsd or telegraf server only when asked', () => {
    const { statsd } = recording({ tagFormat: 'dogstatsd', kindSegments: false });
    statsd.histogram('size', 3, { tags: { url: 'http://x:8080' } });
    // Still a timer: the tag syntax no longer decides the type.
    expect(statsd.lines).toEqual(['size:3|ms|#url:http://x:8080']);
    const telegraf = recording({ dialect: 'telegraf', tagFormat: 'dogstatsd' }).statsd;
    telegraf.incr('hits', 1, { tags: { env: 'prod' } });
    expect(telegraf.lines).toEqual(['counters.hits:1|c|#env:prod']);
  });
});
