import type { Connector } from '../src/connector.js';
import type { Protocol } from '../src/types.js';
import {
  connectorFor,
  errorLog,
  expectBalanced,
  nextTurn,
  stopConnectors,
  until,
} from './helpers/connector-harness.js';
import { StatsdDaemon } from '@statsd-internal/daemon';

type Counters = Record<string, number>;
const counters = (d: StatsdDaemon): Promise<Counters> => d.counters();
const gauges = (d: StatsdDaemon): Promise<Counters> => d.gauges();

function portOf(daemon: StatsdDaemon, protocol: Protocol): number {
  return protocol === 'udp' ? daemon.udpPort : daemon.tcpPort;
}

afterEach(stopConnectors);

describe('Connector against the StatsD daemon', () => {
  let daemon: StatsdDaemon;

  beforeAll(async () => {
    daemon = await StatsdDaemon.start();
  });

  afterAll(async () => {
    await daemon.stop();
  });

  afterEach(async () => {
    expect(await daemon.badLines()).toBe(0);
  });

  describe.each<Protocol>(['tcp', 'udp'])('over %s', (protocol) => {
    const prefix = `e2e-${protocol}`;

    function connect(name: string): Connector {
      return connectorFor({
        host: daemon.host,
        port: portOf(daemon, protocol),
        protocol,
        prefix: `${prefix}.${name}`,
      });
    }

    it('sums counters when incr and decr are called', async () => {
      const statsd = connect('counters');
      await statsd.start();
      statsd.incr('jobs');
      statsd.incr('jobs', 4);
      statsd.decr('jobs', 2);
      statsd.incr('fraction', 0.5);
      const seen = await daemon.waitFor(
        counters,
        (c) => c[`${prefix}.counters.counters.fraction`] !== undefined,
      );
      expect(seen[`${prefix}.counters.counters.jobs`]).toBe(3);
      expect(seen[`${prefix}.counters.counters.fraction`]).toBe(0.5);
    });

    it('stores absolute values and applies deltas when gauges are set', async () => {
      const statsd = connect('gauges');
      await statsd.start();
      statsd.gauge('pool', 12);
      statsd.gauge('pool', 4, { delta: true });
      statsd.gauge('pool', -3, { delta: true });
      statsd.gauge('never.seen', -5);
      statsd.gauge('level', 7);
      statsd.gauge('level', -2.5);
      statsd.gauge('done', 1);
      const key = (name: string): string => `${prefix}.gauges.gauges.${name}`;
      const seen = await daemon.waitFor(gauges, (g) => g[key('done')] === 1);
      expect(seen[key('pool')]).toBe(13);
      expect(seen[key('never.seen')]).toBe(-5);
      // Without the leading 0 the daemon would read -2.5 as a change and store 4.5.
      expect(seen[key('level')]).toBe(-2.5);
    });

    it('records timers in milliseconds when durations are given in seconds', async () => {
      const statsd = connect('timers');
      await statsd.start();
      statsd.timing('db', 0.25);
      statsd.timing('db', 0.0015);
      statsd.timing('db', 0);
      const name = `${prefix}.timers.timers.db`;
      const seen = await daemon.waitFor(
        (d) => d.timers(),
        (t) => t[name]?.length === 3,
      );
      expect(seen[name]).toEqual([250, 1.5, 0]);
    });

    it('writes the path right under the prefix when injectMetric is called', async () => {
      const statsd = connect('inject');
      await statsd.start();
      statsd.injectMetric('raw.hits', 7, 'c');
      statsd.injectMetric('raw.level', -4, 'g');
      statsd.injectMetric('raw.latency', '12.5', 'ms');
      const seen = await daemon.waitFor(counters, (c) => c[`${prefix}.inject.raw.hits`] === 7);
      expect(seen[`${prefix}.inject.raw.hits`]).toBe(7);
      expect((await daemon.gauges())[`${prefix}.inject.raw.level`]).toBe(-4);
      expect((await daemon.timers())[`${prefix}.inject.raw.latency`]).toEqual([12.5]);
    });

    it('reports connected after start and disconnected after stop', async () => {
      const statsd = connect('lifecycle');
      expect(statsd.stats().connected).toBe(false);
      await statsd.start();
      await until(() => statsd.stats().connected, 'the connection');
      await statsd.stop();
      expect(statsd.stats().connected).toBe(false);
    });

    it('delivers every queued metric when stop() is called while the connection is being made', async () => {
      const statsd = connect('drain-connecting');
      await statsd.start();
      for (let i = 0; i < 5; i++) statsd.incr('jobs');
      statsd.gauge('pool', 3);
      expect(statsd.stats().connected).toBe(false);
      await statsd.stop();
      expect(statsd.stats()).toMatchObject({ enqueued: 6, sent: 6, dropped: 0, queued: 0 });
      const seen = await daemon.waitFor(
        counters,
        (c) => c[`${prefix}.drain-connecting.counters.jobs`] === 5,
      );
      expect(seen[`${prefix}.drain-connecting.counters.jobs`]).toBe(5);
      expect((await daemon.gauges())[`${prefix}.drain-connecting.gauges.pool`]).toBe(3);
    });

    it('delivers every queued metric when stop() is called on an open connection', async () => {
      const statsd = connect('drain-open');
      await statsd.start();
      await until(() => statsd.stats().connected, 'the connection');
      for (let i = 0; i < 3; i++) statsd.incr('jobs');
      await statsd.stop();
      expect(statsd.stats()).toMatchObject({ enqueued: 3, sent: 3, dropped: 0, queued: 0 });
      await daemon.waitFor(counters, (c) => c[`${prefix}.drain-open.counters.jobs`] === 3);
    });
  });
});

describe('Connector when the StatsD daemon goes away', () => {
  let daemon: StatsdDaemon;

  beforeEach(async () => {
    daemon = await StatsdDaemon.start();
  });

  afterEach(async () => {
    await daemon.stop();
  });

  it('reconnects over TCP when the daemon restarts on the same port', async () => {
    const statsd = connectorFor({ host: daemon.host, port: daemon.tcpPort, prefix: 'restart' });
    await statsd.start();
    statsd.incr('before');
    await daemon.waitFor(counters, (c) => c['restart.counters.before'] === 1);
    await daemon.restart();
    await until(() => statsd.stats().reconnects === 1 && statsd.stats().connected, 'a reconnect');
    statsd.incr('after', 2);
    const seen = await daemon.waitFor(counters, (c) => c['restart.counters.after'] === 2);
    expect(seen['restart.counters.before']).toBeUndefined();
    expect(await daemon.badLines()).toBe(0);
    await statsd.flush();
    expectBalanced(statsd.stats());
  });

  it('keeps delivering over UDP when the daemon restarts on the same port', async () => {
    const statsd = connectorFor({
      host: daemon.host,
      port: daemon.udpPort,
      protocol: 'udp',
      prefix: 'restart',
    });
    await statsd.start();
    statsd.incr('before');
    await daemon.waitFor(counters, (c) => c['restart.counters.before'] === 1);
    await daemon.restart();
    statsd.incr('after', 2);
    await daemon.waitFor(counters, (c) => c['restart.counters.after'] === 2);
    await statsd.flush();
    expectBalanced(statsd.stats());
  });

  it('delivers every metric queued while the daemon was down when it was killed mid-stream', async () => {
    const { errors, onError } = errorLog();
    const statsd = connectorFor({
      host: daemon.host,
      port: daemon.tcpPort,
      prefix: 'killed',
      onError,
    });
    await statsd.start();
    await until(() => statsd.stats().connected, 'the first connection');
    // A steady stream across the kill and the restart. Metrics sent while the connector still
    // believed in the dead connection may be lost with it (the kernel accepted them); every one
    // sent while it knew it was disconnected waits in the queue and must arrive.
    let whileDown = 0;
    let streaming = true;
    const stream = (async (): Promise<void> => {
      while (streaming) {
        if (statsd.stats().connected) {
          statsd.incr('up');
        } else {
          statsd.incr('down');
          statsd.gauge('down.gauge', -whileDown - 1);
          whileDown++;
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await daemon.waitFor(counters, (c) => (c['killed.counters.up'] ?? 0) >= 5);
    await daemon.stop('SIGKILL');
    await until(() => whileDown >= 20, 'metrics sent while the daemon is down');
    await daemon.restart();
    await until(() => statsd.stats().reconnects === 1, 'a reconnect');
    await daemon.waitFor(counters, (c) => (c['killed.counters.up'] ?? 0) >= 5);
    streaming = false;
    await stream;
    const seen = await daemon.waitFor(counters, (c) => c['killed.counters.down'] === whileDown);
    expect(seen['killed.counters.down']).toBe(whileDown);
    expect((await daemon.gauges())['killed.gauges.down.gauge']).toBe(-whileDown);
    expect(await daemon.badLines()).toBe(0);
    expect(errors.map((error) => error.code)).toContain('ERR_STATSD_TRANSPORT');
    expect(await statsd.flush()).toBe(true);
    await nextTurn();
    expectBalanced(statsd.stats());
  });
});
