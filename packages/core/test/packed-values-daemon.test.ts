import { StatsdDaemon, type DaemonFlush } from '@statsd-internal/daemon';
import type { Connector } from '../src/connector.js';
import type { Protocol, TagFormat, Tags } from '../src/types.js';
import { connectorFor, stopConnectors, until } from './helpers/connector-harness.js';

// Packed values against the reference daemon (statsd 0.9.0): two connectors make the same calls,
// one packing values and one not, and what the daemon computes at its flush (count with sample
// rates, count_ps, sums, median, percentiles) must be the same for both, key for key.

/** Long enough that every value of a round reaches the flush after the one it waits for. */
const FLUSH_INTERVAL = 1_000;
const CALLS = 400;
const RATES = [1, 1, 0.5, 0.25, 0.1] as const;
const TAG_SETS: readonly (Tags | undefined)[] = [
  undefined,
  { route: 'users', method: 'get' },
  { route: 'orders', method: 'post' },
];
const KINDS = ['timing', 'histogram', 'distribution'] as const;
const PATHS = ['api.latency', 'db.query'] as const;

let daemon: StatsdDaemon;

beforeAll(async () => {
  daemon = await StatsdDaemon.start({
    flushInterval: FLUSH_INTERVAL,
    recordFlushes: true,
    // Several percentiles: the daemon computes `count_10`, `mean_50`, `upper_99`, … per threshold.
    config: { percentThreshold: [10, 50, 90, 99] },
  });
});

afterAll(async () => {
  await daemon.stop();
});

afterEach(async () => {
  await stopConnectors();
});

/** A small seeded generator (mulberry32), so a failing round can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks from a non-empty list with `random`. */
function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)] as T;
}

/**
 * Makes the same calls on every connector. The connector samples with `Math.random`: each call's
 * draw is fixed, and the same for all connectors, so they keep and drop the same calls.
 */
function sendRound(connectors: readonly Connector[], seed: number): void {
  const random = seeded(seed);
  let draw = 0;
  const spy = jest.spyOn(Math, 'random').mockImplementation(() => draw);
  try {
    for (let i = 0; i < CALLS; i++) {
      const kind = pick(KINDS, random);
      const path = pick(PATHS, random);
      const tags = pick(TAG_SETS, random);
      const sampleRate = pick(RATES, random);
      // Milliseconds with a fraction, and some repeated values, as real timers have.
      const value = Math.round(random() * 4000) / 8;
      draw = random();
      for (const statsd of connectors) {
        const options = { tags, sampleRate };
        if (kind === 'timing') statsd.timing(path, value / 1000, options);
        else statsd[kind](path, value, options);
      }
    }
  } finally {
    spy.mockRestore();
  }
}

/** The timer statistics of the keys under `prefix.`, with the prefix taken off. */
function timersUnder(flush: DaemonFlush, prefix: string): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  for (const [key, data] of Object.entries(flush.timerData)) {
    if (key.startsWith(`${prefix}.`) && (flush.timerCounters[key] ?? 0) > 0) {
      found[key.slice(prefix.length + 1)] = data;
    }
  }
  return found;
}

/** The first flush recorded that holds values of timers under `prefix.`. */
async function heldFlush(prefix: string): Promise<DaemonFlush> {
  const flushes = await daemon.waitFor(
    (d) => d.flushes(),
    (all) => all.some((flush) => valuesUnder(flush, prefix) > 0),
    { timeout: 3 * FLUSH_INTERVAL },
  );
  return flushes.find((flush) => valuesUnder(flush, prefix) > 0) as DaemonFlush;
}

/** How many values the daemon holds in the flush for the timers under `prefix.`. */
function valuesUnder(flush: DaemonFlush, prefix: string): number {
  return Object.entries(flush.timers)
    .filter(([key]) => key.startsWith(`${prefix}.`))
    .reduce((total, [, values]) => total + values.length, 0);
}

describe.each<Protocol>(['udp', 'tcp'])('packed values against the daemon over %s', (protocol) => {
  it.each<TagFormat>(['graphite', 'dogstatsd'])(
    'flushes the same timer statistics as unpacked lines, with %s tags',
    async (tagFormat) => {
      const base = `packed.${protocol}.${tagFormat}`;
      const [packed, plain] = [true, false].map((packValues) =>
        connectorFor({
          dialect: 'statsd',
          host: daemon.host,
          port: protocol === 'udp' ? daemon.udpPort : daemon.tcpPort,
          protocol,
          tagFormat,
          packValues,
          prefix: `${base}.${packValues ? 'packed' : 'plain'}`,
        }),
      ) as [Connector, Connector];
      await Promise.all([packed.start(), plain.start()]);

      // Right after a flush, so that the whole round lands in the next one.
      await daemon.nextFlush();
      sendRound([packed, plain], 12 + protocol.length + tagFormat.length);
      await until(
        () => [packed, plain].every((c) => c.stats().sent === c.stats().enqueued),
        'both connectors sent every value',
      );
      const flush = await heldFlush(`${base}.plain`);
      const sent = { packed: packed.stats(), plain: plain.stats() };
      expect(sent.packed.enqueued).toBe(sent.plain.enqueued);
      expect(sent.packed.sampledOut).toBe(sent.plain.sampledOut);
      expect(sent.packed.sampledOut).toBeGreaterThan(0);
      // Every value the connectors sent is in this one flush, or the comparison means nothing.
      const held = {
        packed: valuesUnder(flush, `${base}.packed`),
        plain: valuesUnder(flush, `${base}.plain`),
      };
      if (held.packed !== sent.packed.sent || held.plain !== sent.plain.sent) {
        throw new Error(
          `The flush holds ${held.packed} packed and ${held.plain} plain values of the ` +
            `${sent.packed.sent} each connector sent: the round spread over two flushes or lost ` +
            'values; nothing can be compared.',
        );
      }

      const packedTimers = timersUnder(flush, `${base}.packed`);
      expect(Object.keys(packedTimers).length).toBe(KINDS.length * PATHS.length * TAG_SETS.length);
      expect(Object.values(packedTimers)[0]).toHaveProperty('upper_99');
      expect(packedTimers).toEqual(timersUnder(flush, `${base}.plain`));

      // Packing must have done something: fewer bytes for the same values.
      expect(sent.packed.bytesSent).toBeLessThan(sent.plain.bytesSent);
      for (const each of await daemon.flushes()) {
        expect(each.counters['statsd.bad_lines_seen'] ?? 0).toBe(0);
      }
      expect(await daemon.badLines()).toBe(0);
    },
  );
});
