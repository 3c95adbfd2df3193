import fc from 'fast-check';
import type { Connector } from '../src/connector.js';
import { MemoryConnector } from '../src/testing/index.js';
import type { ConnectorOptions, ConnectorStats, Tags } from '../src/types.js';
import { hostileString } from './arbitraries.js';
import {
  connectorFor,
  serverFor,
  stopConnectors,
  stopServers,
} from './helpers/connector-harness.js';
import {
  agentReadings,
  parseAgentSample,
  parseTelegrafLine,
  telegrafReadings,
  type Reading,
} from './helpers/packed-parsers.js';

// Packed values as the Datadog agent and Telegraf read them, through ports of their parsers'
// splitting steps (see helpers/packed-parsers.ts for the source files). Neither server runs here.

afterEach(async () => {
  jest.restoreAllMocks();
  await stopConnectors();
  await stopServers();
});

/** Sampling keeps every call: the rate still goes on the line. */
function keepEverySample(): void {
  jest.spyOn(Math, 'random').mockReturnValue(0);
}

async function packetsOf(
  options: ConnectorOptions,
  send: (statsd: MemoryConnector) => void,
): Promise<readonly string[]> {
  const statsd = new MemoryConnector({ flushInterval: 0, ...options });
  send(statsd);
  const packets = statsd.packets;
  await statsd.stop();
  return packets;
}

describe("the agent's own multi-value cases", () => {
  // DataDog/datadog-agent, comp/dogstatsd/server/impl/parse_metrics_test.go: TestParseTimerMultiple,
  // TestParseHistogramrMultiple, TestParseDistributionMultiple.
  const cases = [
    { test: 'TestParseTimerMultiple', line: 'daemon:21:22|ms', type: 'ms', values: [21, 22] },
    { test: 'TestParseHistogramrMultiple', line: 'daemon:21:22|h', type: 'h', values: [21, 22] },
    {
      test: 'TestParseDistributionMultiple',
      line: 'daemon:3.5:4.5|d',
      type: 'd',
      values: [3.5, 4.5],
    },
  ] as const;

  it.each(cases)('reads $test as the agent test expects', ({ line, type, values }) => {
    expect(parseAgentSample(line)).toEqual(
      values.map((value) => ({ name: 'daemon', tags: '', type, rate: 1, value })),
    );
  });

  it.each(cases)('writes the $test line byte for byte', async ({ line, type, values }) => {
    const packets = await packetsOf({ dialect: 'dogstatsd' }, (statsd) => {
      for (const value of values) {
        if (type === 'ms') statsd.timing('daemon', value / 1000);
        else if (type === 'h') statsd.histogram('daemon', value);
        else statsd.distribution('daemon', value);
      }
    });
    expect(packets).toEqual([line]);
  });

  it('keeps tags with colons and the rate once for all the values of a line', async () => {
    keepEverySample();
    const packets = await packetsOf({ dialect: 'dogstatsd' }, (statsd) => {
      const options = { tags: { route: '/users/:id' }, sampleRate: 0.5 };
      statsd.timing('daemon', 0.021, options);
      statsd.timing('daemon', 0.022, options);
    });
    expect(packets).toEqual(['daemon:21:22|ms|@0.5|#route:/users/:id']);
    expect(agentReadings(packets[0] as string)).toEqual(
      [21, 22].map((value) => ({
        name: 'daemon',
        tags: 'route:/users/:id',
        type: 'ms',
        rate: 0.5,
        value,
      })),
    );
  });
});

describe("Telegraf's own multi-value cases", () => {
  // influxdata/telegraf, plugins/inputs/statsd/statsd_test.go:
  // TestParse_MeasurementsWithMultipleValues, its timing and histogram lines.
  const single = [
    'valid.multiple:0|ms|@0.1',
    'valid.multiple:0|ms|',
    'valid.multiple:1|ms',
    'valid.multiple.duplicate:1|h',
    'valid.multiple.duplicate:1|h',
    'valid.multiple.duplicate:2|h',
    'valid.multiple.duplicate:1|h',
  ];
  const multiple = [
    'valid.multiple:0|ms|@0.1:0|ms|:1|ms',
    'valid.multiple.duplicate:1|h:1|h:2|h:1|h',
  ];

  it('reads the packed lines of TestParse_MeasurementsWithMultipleValues as its single lines', () => {
    const read = (lines: string[]): Reading[] =>
      lines.flatMap((line) => parseTelegrafLine(line, true));
    expect(read(multiple)).toEqual(read(single));
    // The test's count: the value at rate 0.1 stands for ten, the others for one each.
    expect(
      read(multiple)
        .filter((r) => r.name === 'valid.multiple')
        .map((r) => r.rate),
    ).toEqual([0.1, 0, 0]);
  });

  it('writes the histogram line of TestParse_MeasurementsWithMultipleValues byte for byte', async () => {
    const packets = await packetsOf({ dialect: 'telegraf', kindSegments: false }, (statsd) => {
      for (const value of [1, 1, 2, 1]) statsd.histogram('valid.multiple.duplicate', value);
    });
    expect(packets).toEqual(['valid.multiple.duplicate:1|h:1|h:2|h:1|h']);
  });

  it('repeats the rate on every value, as Telegraf reads a rate per value', async () => {
    keepEverySample();
    const packets = await packetsOf({ dialect: 'telegraf', kindSegments: false }, (statsd) => {
      statsd.timing('valid.multiple', 0, { sampleRate: 0.1 });
      statsd.timing('valid.multiple', 0.001, { sampleRate: 0.1 });
    });
    expect(packets).toEqual(['valid.multiple:0|ms|@0.1:1|ms|@0.1']);
    expect(telegrafReadings(packets[0] as string, false).map((r) => r.rate)).toEqual([0.1, 0.1]);
  });

  it('keeps DogStatsD tags with colons once at the end, where datadog_extensions reads them', async () => {
    const packets = await packetsOf(
      { dialect: 'telegraf', tagFormat: 'dogstatsd', kindSegments: false },
      (statsd) => {
        statsd.histogram('sizes', 3, { tags: { route: '/users/:id' } });
        statsd.histogram('sizes', 4, { tags: { route: '/users/:id' } });
      },
    );
    expect(packets).toEqual(['sizes:3|h:4|h|#route:/users/:id']);
    expect(telegrafReadings(packets[0] as string, true)).toEqual(
      [3, 4].map((value) => ({
        name: 'sizes',
        tags: 'route=/users/:id',
        type: 'h',
        rate: 0,
        value,
      })),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Property: packed and unpacked packets read the same, series by series, in order.

type Kind = 'timing' | 'histogram' | 'distribution';

interface Series {
  readonly kind: Kind;
  readonly path: string;
  readonly tags: Tags | undefined;
  readonly sampleRate: number;
}

interface Call extends Series {
  readonly value: number;
}

/** A series: the calls of one name, kind, tags and rate, whose values may share a line. */
const seriesArbitrary = fc.record({
  kind: fc.constantFrom<Kind>('timing', 'histogram', 'distribution'),
  path: fc.constantFrom('api.latency', 'db.query', 'q'),
  tags: fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom<Tags | undefined>(
        undefined,
        { route: '/users/:id' },
        { route: '/users/:id', method: 'get' },
        { url: 'http://x:8080/a' },
      ),
    },
    { weight: 1, arbitrary: fc.dictionary(hostileString(8, 1), hostileString(8), { maxKeys: 2 }) },
  ),
  sampleRate: fc.constantFrom(1, 1, 0.5, 0.25, 0.125),
});

const valueArbitrary = fc.oneof(
  fc.integer({ min: 0, max: 5000 }),
  fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }),
);

/** Calls over one to five series (some of the same name), interleaved at random. */
const callsArbitrary: fc.Arbitrary<Call[]> = fc
  .tuple(
    fc.array(seriesArbitrary, { minLength: 1, maxLength: 5 }),
    fc.array(fc.tuple(fc.nat(), valueArbitrary), { minLength: 1, maxLength: 60 }),
  )
  .map(([series, picks]) =>
    picks.map(([pick, value]) => ({ ...(series[pick % series.length] as Series), value })),
  );

function sendCalls(statsd: Connector, calls: readonly Call[]): void {
  for (const { kind, path, tags, sampleRate, value } of calls) {
    const options = { tags, sampleRate };
    if (kind === 'timing') statsd.timing(path, value / 1000, options);
    else statsd[kind](path, value, options);
  }
}

/** Readings grouped by series, each series' values in the order they were read. */
function bySeries(readings: readonly Reading[]): Map<string, number[]> {
  const series = new Map<string, number[]>();
  for (const { name, tags, type, rate, value } of readings) {
    const key = JSON.stringify([name, tags, type, rate]);
    const values = series.get(key) ?? [];
    values.push(value);
    series.set(key, values);
  }
  return series;
}

/** The packets and figures of a connector that made `calls`. */
async function record(
  options: ConnectorOptions,
  calls: readonly Call[],
): Promise<{ packets: readonly string[]; stats: ConnectorStats }> {
  const statsd = new MemoryConnector({
    ...options,
    flushInterval: 0,
    prefix: 'app',
    onError: () => {},
  });
  sendCalls(statsd, calls);
  const packets = statsd.packets;
  const stats = statsd.stats();
  await statsd.stop();
  return { packets, stats };
}

/** Whether a series has values in more than one packet. */
function spills(packets: readonly string[], read: (packet: string) => Reading[]): boolean {
  const seen = new Map<string, number>();
  let spilled = false;
  for (const [index, packet] of packets.entries()) {
    for (const key of bySeries(read(packet)).keys()) {
      const first = seen.get(key);
      if (first !== undefined && first !== index) spilled = true;
      seen.set(key, first ?? index);
    }
  }
  return spilled;
}

const SERVERS = [
  { server: 'the agent', options: { dialect: 'dogstatsd' }, read: agentReadings },
  {
    server: 'Telegraf (Influx tags)',
    options: { dialect: 'telegraf', tagFormat: 'influx' },
    read: (packet: string) => telegrafReadings(packet, false),
  },
  {
    server: 'Telegraf (DogStatsD tags)',
    options: { dialect: 'telegraf', tagFormat: 'dogstatsd' },
    read: (packet: string) => telegrafReadings(packet, true),
  },
] as const;

describe.each(SERVERS)('packed values as $server reads them', ({ options, read }) => {
  it('reads the same values per series, in the same order, from packets within maxPacketSize', async () => {
    keepEverySample();
    // Runs where packing saved lines, and where a series spilled over into another packet.
    let packedRuns = 0;
    let spilledRuns = 0;
    await fc.assert(
      fc.asyncProperty(
        callsArbitrary,
        fc.integer({ min: 64, max: 200 }),
        async (calls, maxPacketSize) => {
          const packed = await record({ ...options, maxPacketSize, packValues: true }, calls);
          const plain = await record({ ...options, maxPacketSize, packValues: false }, calls);
          for (const packet of [...packed.packets, ...plain.packets]) {
            expect(Buffer.byteLength(packet)).toBeLessThanOrEqual(maxPacketSize);
          }
          const readPacked = packed.packets.flatMap((packet) => read(packet));
          const readPlain = plain.packets.flatMap((packet) => read(packet));
          // Whatever was accepted was sent and read: the same drops (lines too long) on both sides.
          expect(readPacked.length).toBe(packed.stats.sent);
          expect(readPlain.length).toBe(plain.stats.sent);
          expect(packed.stats.dropped).toBe(plain.stats.dropped);
          expect(bySeries(readPacked)).toEqual(bySeries(readPlain));
          const lines = (packets: readonly string[]): number =>
            packets.reduce((total, packet) => total + packet.split('\n').length, 0);
          if (lines(packed.packets) < lines(plain.packets)) packedRuns++;
          if (packed.packets.length > 1 && spills(packed.packets, read)) spilledRuns++;
        },
      ),
      { numRuns: 150 },
    );
    expect(packedRuns).toBeGreaterThan(20);
    expect(spilledRuns).toBeGreaterThan(20);
  });
});

describe('packed values in real datagrams', () => {
  it.each(SERVERS)(
    'reads the same series from UDP datagrams as $server, each within maxPacketSize',
    async ({ options, read }) => {
      keepEverySample();
      const series: Series[] = [
        { kind: 'timing', path: 'api.latency', tags: { route: '/users/:id' }, sampleRate: 0.5 },
        { kind: 'timing', path: 'api.latency', tags: undefined, sampleRate: 1 },
        { kind: 'histogram', path: 'db.query', tags: { method: 'get' }, sampleRate: 1 },
        { kind: 'distribution', path: 'q', tags: undefined, sampleRate: 0.25 },
      ];
      const many: Call[] = Array.from({ length: 300 }, (_, i) => ({
        ...(series[(i * 7) % series.length] as Series),
        value: ((i * 37) % 1000) / 4,
      }));
      const maxPacketSize = 400;
      const received: Reading[][] = [];
      const bytes: number[] = [];
      for (const packValues of [true, false]) {
        const server = await serverFor({ protocol: 'udp' });
        const statsd = connectorFor({
          ...options,
          host: server.host,
          port: server.port,
          protocol: 'udp',
          maxPacketSize,
          packValues,
          prefix: 'app',
        });
        await statsd.start();
        sendCalls(statsd, many);
        await statsd.flush();
        await server.waitForMetrics(statsd.stats().sent);
        for (const { data } of server.packets) {
          expect(data.length).toBeLessThanOrEqual(maxPacketSize);
        }
        received.push(server.packets.flatMap(({ data }) => read(data.toString('utf8'))));
        bytes.push(statsd.stats().bytesSent);
      }
      const [packed = [], plain = []] = received;
      expect(packed.length).toBe(plain.length);
      expect(packed.length).toBeGreaterThan(0);
      expect(bySeries(packed)).toEqual(bySeries(plain));
      const [packedBytes = 0, plainBytes = 0] = bytes;
      expect(packedBytes).toBeLessThan(plainBytes);
    },
  );
});
