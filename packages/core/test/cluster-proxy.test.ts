import { setTimeout as delay } from 'node:timers/promises';
import type { Connector } from '../src/connector.js';
import { connectorFor, stopConnectors } from './helpers/connector-harness.js';
import { StatsdDaemon, StatsdProxy } from '@statsd-internal/daemon';

// The deployment the root README describes for many daemons: applications send to the reference
// daemon's cluster proxy (`proxy.js`), which hashes each name onto one daemon. The proxy splits
// every packet into one-line datagrams on its own UDP socket and drops what overflows it, so the
// connector's output is paced here the way the README says survives (as measured there).
const NAMES = 40;
const CHUNK = 50;
const PAUSE_MS = 10;

type Counters = Record<string, number>;

/**
 * Counts a value on every name `rounds` times, flushing in chunks of {@link CHUNK} lines;
 * returns each name's sum and the sum of all.
 */
async function sendPaced(
  statsd: Connector,
  rounds: number,
): Promise<{ sent: Map<string, number>; expected: number }> {
  const sent = new Map<string, number>();
  let lines = 0;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < NAMES; i++) {
      const name = `n${i}`;
      const value = i + round + 1;
      statsd.incr(name, value);
      sent.set(name, (sent.get(name) ?? 0) + value);
      if (++lines % CHUNK === 0) {
        await statsd.flush();
        // Pacing is what this test is about: the proxy has no flow control to await.
        await delay(PAUSE_MS);
      }
    }
  }
  await statsd.flush();
  return { sent, expected: [...sent.values()].reduce((a, b) => a + b, 0) };
}

/** Each daemon's counters under `prefix.counters.`, keyed by the name after it. */
async function countersUnder(
  daemons: readonly StatsdDaemon[],
  prefix: string,
): Promise<Counters[]> {
  const start = `${prefix}.counters.`;
  return Promise.all(
    daemons.map(async (daemon) => {
      const out: Counters = {};
      for (const [key, value] of Object.entries(await daemon.counters())) {
        if (key.startsWith(start)) out[key.slice(start.length)] = value;
      }
      return out;
    }),
  );
}

function total(counters: readonly Counters[]): number {
  let sum = 0;
  for (const one of counters) for (const value of Object.values(one)) sum += value;
  return sum;
}

/** Polls the daemons until they hold `expected` in all, or 5 s pass; returns the last read. */
async function settle(
  daemons: readonly StatsdDaemon[],
  prefix: string,
  expected: number,
): Promise<Counters[]> {
  let last = await countersUnder(daemons, prefix);
  for (let i = 0; i < 250 && total(last) < expected; i++) {
    await delay(20);
    last = await countersUnder(daemons, prefix);
  }
  return last;
}

afterEach(stopConnectors);

describe.each<'udp' | 'tcp'>(['udp', 'tcp'])(
  'Connector through the cluster proxy over %s',
  (protocol) => {
    let daemons: StatsdDaemon[] = [];
    let proxy: StatsdProxy | undefined;

    beforeEach(async () => {
      daemons = [await StatsdDaemon.start(), await StatsdDaemon.start()];
      proxy = await StatsdProxy.start({ nodes: daemons, server: protocol, checkInterval: 200 });
    });

    afterEach(async () => {
      await proxy?.stop();
      for (const daemon of daemons) {
        expect(await daemon.badLines()).toBe(0);
        await daemon.stop();
      }
    });

    it('delivers every paced counter to exactly one daemon, with sums equal to what was sent', async () => {
      const prefix = `cluster-${protocol}`;
      const statsd = connectorFor({ host: proxy!.host, port: proxy!.port, protocol, prefix });
      await statsd.start();

      const { sent, expected } = await sendPaced(statsd, 5);
      const perDaemon = await settle(daemons, prefix, expected);

      for (const [name, value] of sent) {
        const holders = perDaemon.filter((counters) => name in counters);
        expect({ name, daemons: holders.length }).toEqual({ name, daemons: 1 });
        expect({ name, sum: holders[0]?.[name] }).toEqual({ name, sum: value });
      }
      // Consistent hashing spreads the 40 names over both daemons.
      expect(perDaemon.map((counters) => Object.keys(counters).length > 0)).toEqual([true, true]);
      expect(total(perDaemon)).toBe(expected);
    });

    it('moves the names of a daemon that stopped to the one left, after a health check', async () => {
      const prefix = `failover-${protocol}`;
      const [survivor, stopped] = daemons as [StatsdDaemon, StatsdDaemon];
      expect(await proxy!.nodes()).toHaveLength(2);
      await stopped.stop();
      daemons = [survivor];
      // The proxy takes the dead daemon out of its ring at its next health check.
      await proxy!.waitForNodes(1);
      expect(await proxy!.nodes()).toEqual([`${survivor.host}:${survivor.udpPort}`]);
      const statsd = connectorFor({ host: proxy!.host, port: proxy!.port, protocol, prefix });
      await statsd.start();

      const { sent, expected } = await sendPaced(statsd, 2);
      const [onSurvivor] = await settle([survivor], prefix, expected);

      expect(onSurvivor).toEqual(Object.fromEntries(sent));
    });
  },
);
