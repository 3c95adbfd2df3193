import fc from 'fast-check';
import { StatsdDaemon } from '@statsd-internal/daemon';
import { Connector } from '../src/connector.js';
import type { StatsdError } from '../src/errors.js';
import { DIALECTS, type DialectRules } from '../src/dialect.js';
import type { Dialect, MetricOptions, MetricType, Protocol, TagFormat } from '../src/types.js';
import { anyNumber, hostileString, hostileTags } from './arbitraries.js';

/** Hostile calls per transport and dialect. */
const CALLS = 2000;
/** Calls sent before waiting for the daemon: keeps a UDP burst far below the socket buffer. */
const BATCH = 250;

type Kind = 'incr' | 'decr' | 'gauge' | 'delta' | 'timing' | 'histogram' | 'distribution';

interface HostileCall {
  readonly kind: Kind | 'set' | 'inject';
  readonly name: string;
  readonly value: unknown;
  readonly type: MetricType;
  readonly options: MetricOptions;
}

// Counters get integer values and power-of-two rates, so the daemon's sum (value / rate) is exact.
const badRate = fc.constantFrom(0, -0.5, 1.5, NaN, Infinity);
const counterRate = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(undefined, 1, 0.5, 0.25, 0.125) },
  { weight: 1, arbitrary: badRate },
);
const anyRate = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(undefined, 1, 0.5, 1e-300, Number.MIN_VALUE) },
  { weight: 3, arbitrary: fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: badRate },
);
const counterValue = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) },
);

function hostileCall(): fc.Arbitrary<HostileCall> {
  const name = fc.oneof(
    { weight: 9, arbitrary: hostileString(40, 1) },
    { weight: 1, arbitrary: fc.constantFrom('', '.') },
  );
  const options = (rate: fc.Arbitrary<number | undefined>): fc.Arbitrary<MetricOptions> =>
    fc.record({ sampleRate: rate, tags: hostileTags() }, { requiredKeys: [] });
  return fc.oneof(
    fc.record({
      kind: fc.constantFrom<Kind | 'set' | 'inject'>('incr', 'decr'),
      name,
      value: counterValue,
      type: fc.constant<MetricType>('c'),
      options: options(counterRate),
    }),
    fc.record({
      kind: fc.constantFrom<Kind | 'set' | 'inject'>(
        'gauge',
        'delta',
        'timing',
        'histogram',
        'distribution',
      ),
      name,
      value: anyNumber(),
      type: fc.constant<MetricType>('g'),
      options: options(anyRate),
    }),
    fc.record({
      kind: fc.constant<Kind | 'set' | 'inject'>('set'),
      name,
      value: fc.oneof(hostileString(30, 1), anyNumber(), fc.constant({ not: 'a member' })),
      type: fc.constant<MetricType>('s'),
      options: options(anyRate),
    }),
    fc.record({
      kind: fc.constant<Kind | 'set' | 'inject'>('inject'),
      // `raw` keeps injected counters out of `<prefix>.counters.`, which the test sums.
      name: hostileString(30, 1).map((path) => `raw${path}`),
      value: fc.oneof(anyNumber(), fc.constantFrom('12', '-3', '+0.5', '1e5', 'x', '1\n2')),
      type: fc.constantFrom<MetricType>('c', 'g', 'ms', 's', 'h', 'd', 'x' as MetricType),
      options: options(anyRate),
    }),
  );
}

function perform(statsd: Connector, call: HostileCall): void {
  const { name, options } = call;
  const value = call.value as number;
  switch (call.kind) {
    case 'incr':
      return statsd.incr(name, value, options);
    case 'decr':
      return statsd.decr(name, value, options);
    case 'gauge':
      return statsd.gauge(name, value, options);
    case 'delta':
      return statsd.gauge(name, value, { ...options, delta: true });
    case 'timing':
      return statsd.timing(name, value, options);
    case 'histogram':
      return statsd.histogram(name, value, options);
    case 'distribution':
      return statsd.distribution(name, value, options);
    case 'set':
      return statsd.set(name, call.value as string, options);
    case 'inject':
      return statsd.injectMetric(name, call.value as string, call.type, options);
  }
}

interface Expectation {
  /** Lines the daemon must receive: 0 for a dropped call, 2 for a negative gauge value set after 0. */
  readonly lines: number;
  /** What the call adds to the daemon's counters under `<prefix>.counters.`. */
  readonly count: number;
  /** Whether the call is dropped as `unsupported` by the dialect (else as `invalid`, if at all). */
  readonly unsupported?: boolean;
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;

/** The oracle, written from the documented rules (Math.random() is 0: nothing is sampled out). */
function expectedFor(call: HostileCall, dialect: DialectRules): Expectation {
  const invalid = { lines: 0, count: 0 };
  const unsupported = { lines: 0, count: 0, unsupported: true };
  const histograms = dialect.negativeHistograms;
  const zeroFirst = dialect.negativeGauge === 'zeroFirst';
  const v = call.value;
  const finite = typeof v === 'number' && Number.isFinite(v);
  // A gauge change the dialect cannot express is dropped once its value is checked, before
  // its rate and name are.
  const change =
    (call.kind === 'delta' && finite) ||
    (call.kind === 'inject' && call.type === 'g' && typeof v === 'string' && /^\+/.test(v));
  if (change && !dialect.gaugeDeltas && (finite || NUMERIC.test(v as string))) return unsupported;
  const rate = call.options.sampleRate ?? 1;
  if (!(typeof rate === 'number' && rate > 0 && rate <= 1)) return invalid;
  if (call.name === '' || call.name === '.') return invalid;
  switch (call.kind) {
    case 'incr':
    case 'decr': {
      if (!finite) return invalid;
      const signed = call.kind === 'incr' ? v : -v;
      return { lines: 1, count: signed / rate };
    }
    case 'gauge':
      return finite ? { lines: v < 0 && zeroFirst ? 2 : 1, count: 0 } : invalid;
    case 'delta':
      return finite ? { lines: 1, count: 0 } : invalid;
    case 'timing':
      return finite && v >= 0 && Number.isFinite(v * 1000) ? { lines: 1, count: 0 } : invalid;
    case 'histogram':
    case 'distribution':
      return finite && (v >= 0 || histograms) ? { lines: 1, count: 0 } : invalid;
    case 'set':
      return finite || (typeof v === 'string' && v !== '') ? { lines: 1, count: 0 } : invalid;
    case 'inject': {
      if (!['c', 'g', 'ms', 's', 'h', 'd'].includes(call.type)) return invalid;
      if (call.type === 's')
        return finite || typeof v === 'string' ? { lines: 1, count: 0 } : invalid;
      const text = typeof v === 'string' ? v : undefined;
      if (!finite && !(text !== undefined && NUMERIC.test(text))) return invalid;
      const negative = finite ? v < 0 : (text as string).startsWith('-');
      const timer = call.type === 'ms' || (!histograms && (call.type === 'h' || call.type === 'd'));
      if (timer && negative) return invalid;
      return { lines: call.type === 'g' && negative && zeroFirst ? 2 : 1, count: 0 };
    }
  }
}

describe('hostile input against the reference StatsD daemon', () => {
  let daemon: StatsdDaemon;

  beforeAll(async () => {
    daemon = await StatsdDaemon.start();
  });

  afterAll(async () => {
    await daemon.stop();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  // The daemon reads both tag syntaxes of the statsd dialect; the other dialects' lines must
  // not break its parser either (kind segments on, so that counters land under `counters.`).
  const cases: [Protocol, Dialect, TagFormat][] = [];
  for (const protocol of ['udp', 'tcp'] as const) {
    cases.push([protocol, 'statsd', 'graphite'], [protocol, 'statsd', 'dogstatsd']);
    cases.push([protocol, 'dogstatsd', 'dogstatsd'], [protocol, 'telegraf', 'influx']);
  }

  it.each(cases)(
    'sends %s / %s (%s tags) metrics the daemon reads without a bad line, with exact accounting',
    async (protocol, dialect, tagFormat) => {
      jest.spyOn(Math, 'random').mockReturnValue(0);
      const prefix = `hostile_${protocol}_${dialect}_${tagFormat}`;
      const calls = fc.sample(hostileCall(), { numRuns: CALLS, seed: 20_240_601 });
      const errors: StatsdError[] = [];
      const statsd = new Connector({
        host: daemon.host,
        port: protocol === 'udp' ? daemon.udpPort : daemon.tcpPort,
        protocol,
        prefix,
        dialect,
        kindSegments: true,
        tagFormat,
        globalTags: { 'env|#:': 'te st\n' },
        maxPacketSize: 8192,
        onError: (e) => errors.push(e),
      });
      await statsd.start();
      const before = await daemon.counters();
      const received = (): number => before['statsd.metrics_received'] ?? 0;

      let lines = 0;
      let invalid = 0;
      let unsupported = 0;
      let count = 0;
      for (let start = 0; start < calls.length; start += BATCH) {
        for (const call of calls.slice(start, start + BATCH)) {
          expect(() => perform(statsd, call)).not.toThrow();
          const expected = expectedFor(call, DIALECTS[dialect]);
          if (expected.unsupported === true) unsupported++;
          else if (expected.lines === 0) invalid++;
          lines += expected.lines;
          count += expected.count;
        }
        await expect(statsd.flush()).resolves.toBe(true);
        const target = received() + lines;
        await daemon.waitFor(
          (d) => d.counters(),
          (c) => (c['statsd.metrics_received'] ?? 0) >= target,
          { timeout: 10_000 },
        );
      }

      const after = await daemon.counters();
      const delta = (key: string): number => (after[key] ?? 0) - (before[key] ?? 0);
      expect(delta('statsd.bad_lines_seen')).toBe(0);
      expect(delta('statsd.metrics_received')).toBe(lines);
      let counted = 0;
      for (const [key, value] of Object.entries(after)) {
        if (key.startsWith(`${prefix}.counters.`)) counted += value;
      }
      expect(counted).toBe(count);

      const stats = statsd.stats();
      expect(stats).toMatchObject({ enqueued: CALLS, queued: 0, sampledOut: 0 });
      expect(stats.dropReasons).toEqual({
        queueFull: 0,
        invalid,
        tooLong: 0,
        sendError: 0,
        stopTimeout: 0,
        unsupported,
      });
      expect(stats.sent).toBe(CALLS - invalid - unsupported);
      if (protocol === 'udp') expect(delta('statsd.packets_received')).toBe(stats.packetsSent);
      expect(errors.length).toBeGreaterThan(0);
      await statsd.stop();
    },
  );
});
