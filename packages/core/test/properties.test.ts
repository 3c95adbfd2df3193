import fc from 'fast-check';
import type { Connector } from '../src/connector.js';
import { ErrorCode, type StatsdError } from '../src/errors.js';
import { MemoryConnector } from '../src/testing/memory-connector.js';
import { parseLine, type ParsedMetric } from '../src/testing/parse-line.js';
import { DIALECTS } from '../src/dialect.js';
import type {
  Dialect,
  MetricOptions,
  MetricType,
  Protocol,
  TagFormat,
  Tags,
} from '../src/types.js';
import { anyNumber, hostileString, hostileTags } from './arbitraries.js';

// Independent of sanitize.ts on purpose: what must never appear in a name or a tag part.
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const FORBIDDEN = /[:|@#,;=\s\u0000-\u001f\u007f-\u009f]/;
/** A DogStatsD tag value may hold colons: the agent splits a tag at its first colon only. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const FORBIDDEN_BUT_COLON = /[|@#,;=\s\u0000-\u001f\u007f-\u009f]/;
const NUMBER_TEXT = /^[+-]?\d+(?:\.\d+)?$/;

type Call =
  | {
      readonly kind: 'incr' | 'decr' | 'gauge' | 'delta' | 'timing' | 'histogram' | 'distribution';
      readonly name: string;
      readonly value: number;
      readonly options: MetricOptions | undefined;
    }
  | {
      readonly kind: 'set';
      readonly name: string;
      readonly value: string | number;
      readonly options: MetricOptions | undefined;
    }
  | {
      readonly kind: 'inject';
      readonly name: string;
      readonly value: number;
      readonly type: MetricType;
      readonly options: MetricOptions | undefined;
    };

interface Config {
  readonly protocol: Protocol;
  readonly dialect: Dialect;
  readonly tagFormat: TagFormat;
  readonly prefix: string;
  readonly globalTags: Tags | undefined;
  readonly sampleRate: number | undefined;
  readonly maxPacketSize: number;
}

const rate = fc.oneof(
  fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }),
  fc.constantFrom(1, 0.5, 0.1, 1e-300, Number.MIN_VALUE),
);
const anyRate = fc.oneof(
  { weight: 4, arbitrary: rate },
  { weight: 1, arbitrary: fc.constantFrom(0, -0.5, 1.5, NaN, Infinity, -Infinity) },
);

/** What Math.random() returns during a run: mostly 0, so that sampled calls go through. */
const draw = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }) },
);

const name = fc.oneof(
  { weight: 5, arbitrary: hostileString(40, 1) },
  { weight: 1, arbitrary: fc.constantFrom('', '.', 'plain.name') },
);

const options: fc.Arbitrary<MetricOptions | undefined> = fc.option(
  fc.record({ sampleRate: anyRate, tags: hostileTags() }, { requiredKeys: [] }),
  { nil: undefined },
);

const call: fc.Arbitrary<Call> = fc.oneof(
  fc.record({
    kind: fc.constantFrom(
      'incr',
      'decr',
      'gauge',
      'delta',
      'timing',
      'histogram',
      'distribution',
    ) as fc.Arbitrary<'incr'>,
    name,
    value: anyNumber(),
    options,
  }),
  fc.record({
    kind: fc.constant('set' as const),
    name,
    value: fc.oneof(hostileString(20), anyNumber()),
    options,
  }),
  fc.record({
    kind: fc.constant('inject' as const),
    name,
    value: anyNumber(),
    type: fc.constantFrom<MetricType>('c', 'g', 'ms', 's', 'h', 'd'),
    options,
  }),
);

const config: fc.Arbitrary<Config> = fc
  .record({
    protocol: fc.constantFrom<Protocol>('udp', 'tcp', 'unix'),
    // Every tag syntax each dialect's server reads.
    syntax: fc.constantFrom<[Dialect, TagFormat]>(
      ['statsd', 'graphite'],
      ['statsd', 'dogstatsd'],
      ['dogstatsd', 'dogstatsd'],
      ['telegraf', 'influx'],
      ['telegraf', 'dogstatsd'],
    ),
    prefix: fc.oneof(fc.constant(''), hostileString(16)),
    globalTags: fc.option(hostileTags(), { nil: undefined }),
    sampleRate: fc.option(rate, { nil: undefined }),
    maxPacketSize: fc.constantFrom(64, 100, 512, 1432, 8192),
  })
  .map(({ syntax: [dialect, tagFormat], ...c }) => ({ ...c, dialect, tagFormat }));

function keepsNegativeHistograms(dialect: Dialect): boolean {
  return DIALECTS[dialect].negativeHistograms;
}

function validValue(c: Call, dialect: Dialect): boolean {
  const v = c.value;
  if (c.kind === 'set') {
    return typeof v === 'string' ? v !== '' : Number.isFinite(v);
  }
  const n = v as number;
  if (!Number.isFinite(n)) return false;
  switch (c.kind) {
    case 'timing':
      return n >= 0 && Number.isFinite(n * 1000);
    case 'histogram':
    case 'distribution':
      return n >= 0 || keepsNegativeHistograms(dialect);
    case 'inject':
      if (c.type === 'ms') return n >= 0;
      if (c.type === 'h' || c.type === 'd') return n >= 0 || keepsNegativeHistograms(dialect);
      return true;
    default:
      return true;
  }
}

function effectiveRate(c: Call, cfg: Config): number {
  return c.options?.sampleRate ?? cfg.sampleRate ?? 1;
}

type Outcome = 'invalid' | 'unsupported' | 'sampledOut' | 'valid';

/**
 * What the connector must do with `c`, in the order it checks: value, dialect, rate, sampling,
 * name.
 */
function expectedOutcome(c: Call, cfg: Config, draw: number): Outcome {
  if (!validValue(c, cfg.dialect)) return 'invalid';
  if (c.kind === 'delta' && !DIALECTS[cfg.dialect].gaugeDeltas) return 'unsupported';
  const r = effectiveRate(c, cfg);
  if (!(r > 0 && r <= 1)) return 'invalid';
  if (r < 1 && draw >= r) return 'sampledOut';
  // The rule replaces characters one for one, so only these two names end up empty or '.'.
  if (c.name === '' || c.name === '.') return 'invalid';
  return 'valid';
}

function perform(statsd: Connector, c: Call): void {
  switch (c.kind) {
    case 'incr':
      return statsd.incr(c.name, c.value, c.options);
    case 'decr':
      return statsd.decr(c.name, c.value, c.options);
    case 'gauge':
      return statsd.gauge(c.name, c.value, c.options);
    case 'delta':
      return statsd.gauge(c.name, c.value, { ...c.options, delta: true });
    case 'timing':
      return statsd.timing(c.name, c.value, c.options);
    case 'histogram':
      return statsd.histogram(c.name, c.value, c.options);
    case 'distribution':
      return statsd.distribution(c.name, c.value, c.options);
    case 'set':
      return statsd.set(c.name, c.value, c.options);
    case 'inject':
      return statsd.injectMetric(c.name, c.value, c.type, c.options);
  }
}

function connector(cfg: Config, errors: StatsdError[]): MemoryConnector {
  return new MemoryConnector({
    ...cfg,
    globalTags: cfg.globalTags,
    onError: (e) => errors.push(e),
  });
}

/** Checks that a line is one metric whose name and tags hold no wire character. */
function checkLine(line: string, cfg: Config): ParsedMetric {
  expect(line).not.toMatch(/[\n\r]/);
  // Well-formed UTF-16, so the bytes counted are the bytes sent.
  expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line);
  // eslint-disable-next-line no-control-regex -- the whole ASCII range, controls included
  if (cfg.protocol !== 'udp') expect(line).toMatch(/^[\u0000-\u007f]*$/);
  const parsed = parseLine(line);
  let metricName = parsed.name;
  if (cfg.tagFormat === 'influx' || cfg.tagFormat === 'graphite') {
    const [head, ...tags] = parsed.name.split(cfg.tagFormat === 'influx' ? ',' : ';');
    metricName = head ?? '';
    for (const tag of tags) {
      const parts = tag.split('=');
      expect(parts).toHaveLength(2);
      expect(parts[0]).not.toBe('');
      for (const part of parts) expect(part).not.toMatch(FORBIDDEN);
    }
  }
  expect(metricName).not.toMatch(FORBIDDEN);
  expect(metricName).not.toBe('');
  if (cfg.tagFormat !== 'dogstatsd') expect(parsed.tags).toEqual([]);
  for (const tag of parsed.tags) {
    const colon = tag.indexOf(':');
    const key = colon < 0 ? tag : tag.slice(0, colon);
    expect(key).not.toBe('');
    expect(key).not.toMatch(FORBIDDEN);
    if (colon >= 0) expect(tag.slice(colon + 1)).not.toMatch(FORBIDDEN_BUT_COLON);
  }
  if (parsed.type === 's') expect(parsed.value).not.toMatch(FORBIDDEN);
  else expect(parsed.value).toMatch(NUMBER_TEXT);
  return parsed;
}

function expectedType(c: Call, dialect: Dialect): string {
  const rules = DIALECTS[dialect];
  const mapped = (type: 'h' | 'd'): string =>
    (type === 'h' ? rules.histogramType : rules.distributionType).slice(1);
  switch (c.kind) {
    case 'incr':
    case 'decr':
      return 'c';
    case 'gauge':
    case 'delta':
      return 'g';
    case 'timing':
      return 'ms';
    case 'histogram':
      return mapped('h');
    case 'distribution':
      return mapped('d');
    case 'set':
      return 's';
    case 'inject':
      return c.type === 'h' || c.type === 'd' ? mapped(c.type) : c.type;
  }
}

function rated(c: Call): boolean {
  if (c.kind === 'inject') return c.type !== 'g' && c.type !== 's';
  return c.kind !== 'gauge' && c.kind !== 'delta' && c.kind !== 'set';
}

function expectNumber(text: string, expected: number): void {
  expect(Number(text)).toBe(expected === 0 ? 0 : expected);
}

/**
 * Checks the value written, and how many lines the call takes (2 for a negative gauge where the
 * dialect sets it after a 0).
 */
function checkValue(c: Call, lines: readonly ParsedMetric[], dialect: Dialect): void {
  const last = lines[lines.length - 1] as ParsedMetric;
  const negativeGauge =
    (c.kind === 'gauge' || (c.kind === 'inject' && c.type === 'g')) &&
    c.value < 0 &&
    DIALECTS[dialect].negativeGauge === 'zeroFirst';
  expect(lines).toHaveLength(negativeGauge ? 2 : 1);
  if (negativeGauge) expect(lines[0]?.value).toBe('0');
  switch (c.kind) {
    case 'decr':
      return expectNumber(last.value, -c.value);
    case 'delta':
      expect(last.value[0]).toBe(c.value < 0 ? '-' : '+');
      return expectNumber(last.value, c.value);
    case 'timing': {
      // Milliseconds rounded to the microsecond.
      const ms = Number(last.value);
      const exact = c.value * 1000;
      expect(Math.abs(ms - exact)).toBeLessThanOrEqual(0.0005 + Math.abs(exact) * 1e-15);
      return;
    }
    case 'set':
      if (typeof c.value === 'number') return expectNumber(last.value, c.value);
      // One character out for each code point in: names that differ only in unsafe characters
      // still differ in length and in their safe characters.
      expect([...last.value]).toHaveLength([...c.value].length);
      return;
    default:
      return expectNumber(last.value, c.value);
  }
}

describe('properties of every emitted line', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('writes each valid call as exactly one metric of the intended type, value and rate', () => {
    fc.assert(
      fc.property(config, call, draw, (cfg, c, draw) => {
        jest.spyOn(Math, 'random').mockReturnValue(draw);
        const errors: StatsdError[] = [];
        const statsd = connector(cfg, errors);
        expect(() => perform(statsd, c)).not.toThrow();
        const outcome = expectedOutcome(c, cfg, draw);
        const lines = statsd.lines;
        const stats = statsd.stats();
        expect(stats.enqueued).toBe(stats.sent + stats.dropped + stats.queued);
        if (outcome === 'invalid') {
          expect(lines).toEqual([]);
          expect(stats).toMatchObject({ enqueued: 1, dropped: 1, sampledOut: 0 });
          expect(stats.dropReasons.invalid).toBe(1);
          expect(errors.map((e) => e.code)).toContain(ErrorCode.InvalidMetric);
          return;
        }
        if (outcome === 'unsupported') {
          expect(lines).toEqual([]);
          expect(stats).toMatchObject({ enqueued: 1, dropped: 1, sampledOut: 0 });
          expect(stats.dropReasons.unsupported).toBe(1);
          expect(errors.map((e) => e.code)).toContain(ErrorCode.Unsupported);
          return;
        }
        if (outcome === 'sampledOut') {
          expect(lines).toEqual([]);
          expect(stats).toMatchObject({ enqueued: 0, sampledOut: 1 });
          return;
        }
        expect(stats.enqueued).toBe(1);
        if (stats.dropReasons.tooLong === 1) {
          expect(lines).toEqual([]);
          expect(errors.map((e) => e.code)).toContain(ErrorCode.LineTooLong);
          // Only when it had to be: given room, the same call writes more than the budget holds
          // (a line on a stream carries its newline).
          const roomy = connector({ ...cfg, maxPacketSize: 65_507 }, []);
          perform(roomy, c);
          const unit = roomy.lines.join('\n');
          const bytes = Buffer.byteLength(unit, 'utf8') + (cfg.protocol === 'udp' ? 0 : 1);
          expect(bytes).toBeGreaterThan(cfg.maxPacketSize);
          return;
        }
        expect(stats).toMatchObject({ sent: 1, dropped: 0 });
        const parsed = lines.map((line) => checkLine(line, cfg));
        const type = expectedType(c, cfg.dialect);
        const r = effectiveRate(c, cfg);
        for (const metric of parsed) {
          expect(metric.type).toBe(type);
          expect(metric.sampleRate).toBe(rated(c) && r < 1 ? r : 1);
        }
        checkValue(c, parsed, cfg.dialect);
        for (const packet of statsd.packets) {
          expect(Buffer.byteLength(packet, 'utf8')).toBeLessThanOrEqual(cfg.maxPacketSize);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('packs any sequence of calls into whole-line packets within the budget, with exact accounting', () => {
    fc.assert(
      fc.property(config, fc.array(call, { maxLength: 60 }), draw, (cfg, calls, draw) => {
        jest.spyOn(Math, 'random').mockReturnValue(draw);
        const errors: StatsdError[] = [];
        const statsd = connector(cfg, errors);
        for (const c of calls) expect(() => perform(statsd, c)).not.toThrow();
        const packets = statsd.packets;
        const outcomes = calls.map((c) => expectedOutcome(c, cfg, draw));
        const count = (o: Outcome): number => outcomes.filter((x) => x === o).length;
        const stats = statsd.stats();
        expect(stats.queued).toBe(0);
        expect(stats.enqueued).toBe(stats.sent + stats.dropped);
        expect(stats.enqueued).toBe(calls.length - count('sampledOut'));
        expect(stats.sampledOut).toBe(count('sampledOut'));
        expect(stats.dropReasons.invalid).toBe(count('invalid'));
        expect(stats.dropReasons.unsupported).toBe(count('unsupported'));
        expect(stats.sent + stats.dropReasons.tooLong).toBe(count('valid'));
        expect(stats.packetsSent).toBe(packets.length);
        let lines = 0;
        for (const packet of packets) {
          expect(Buffer.byteLength(packet, 'utf8')).toBeLessThanOrEqual(cfg.maxPacketSize);
          expect(packet).not.toBe('');
          const body = cfg.protocol === 'udp' ? packet : packet.slice(0, -1);
          if (cfg.protocol !== 'udp') expect(packet.endsWith('\n')).toBe(true);
          for (const line of body.split('\n')) {
            checkLine(line, cfg);
            lines++;
          }
        }
        expect(lines).toBeGreaterThanOrEqual(stats.sent);
        expect(stats.bytesSent).toBe(
          packets.reduce((sum, packet) => sum + Buffer.byteLength(packet, 'utf8'), 0),
        );
      }),
      { numRuns: 500 },
    );
  });
});
