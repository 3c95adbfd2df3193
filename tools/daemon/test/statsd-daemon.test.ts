import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect } from 'node:net';
import { inspect } from 'node:util';
import { StatsdDaemon } from '../src/index.js';
import { parseNumberListTable, parseNumberTable } from '../src/inspect-parser.js';

async function sendUdp(daemon: StatsdDaemon, payload: string): Promise<void> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.send(payload, daemon.udpPort, daemon.host, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  } finally {
    socket.close();
  }
}

async function sendTcp(daemon: StatsdDaemon, payload: string): Promise<void> {
  const socket = connect({ port: daemon.tcpPort, host: daemon.host });
  await once(socket, 'connect');
  socket.end(payload);
  await once(socket, 'close');
}

const readCounters = (d: StatsdDaemon): Promise<Record<string, number>> => d.counters();

describe('StatsdDaemon', () => {
  let daemon: StatsdDaemon;

  beforeAll(async () => {
    daemon = await StatsdDaemon.start();
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it('listens on loopback on three ephemeral ports when started', () => {
    expect(daemon.running).toBe(true);
    expect(daemon.host).toBe('127.0.0.1');
    expect(new Set([daemon.tcpPort, daemon.mgmtPort]).size).toBe(2);
    for (const port of [daemon.udpPort, daemon.tcpPort, daemon.mgmtPort]) {
      expect(port).toBeGreaterThan(0);
    }
  });

  it('shows a counter in counters() when the line arrives over UDP', async () => {
    await sendUdp(daemon, 'udp.jobs:3|c\nudp.jobs:2|c');
    const counters = await daemon.waitFor(readCounters, (c) => c['udp.jobs'] !== undefined);
    expect(counters['udp.jobs']).toBe(5);
  });

  it('shows a counter in counters() when a newline-terminated line arrives over TCP', async () => {
    await sendTcp(daemon, 'tcp.jobs:7|c\n');
    const counters = await daemon.waitFor(readCounters, (c) => c['tcp.jobs'] !== undefined);
    expect(counters['tcp.jobs']).toBe(7);
  });

  it('shows a gauge in gauges() when gauge lines arrive', async () => {
    await sendUdp(daemon, 'pool.size:12|g\npool.size:+4|g');
    const gauges = await daemon.waitFor(
      (d) => d.gauges(),
      (g) => g['pool.size'] === 16,
    );
    expect(gauges['pool.size']).toBe(16);
  });

  it('shows every timer value in timers() when more than 100 arrive', async () => {
    // util.inspect would print only 100 items by default; all 150 must come back.
    const values = Array.from({ length: 150 }, (_, i) => i * 1.5);
    await sendTcp(daemon, values.map((v) => `db.query:${v}|ms\n`).join(''));
    const timers = await daemon.waitFor(
      (d) => d.timers(),
      (t) => t['db.query']?.length === values.length,
    );
    expect(timers['db.query']).toEqual(values);
  });

  it('reads quoted, sanitised names and Infinity when the daemon prints them', async () => {
    await sendUdp(daemon, 'odd name/x:1|c\nrate.zero:1|c|@0');
    const counters = await daemon.waitFor(readCounters, (c) => c['rate.zero'] !== undefined);
    expect(counters['odd_name-x']).toBe(1);
    expect(counters['rate.zero']).toBe(Infinity);
  });

  it('counts lines in badLines() when they carry no valid value or type', async () => {
    const before = await daemon.badLines();
    await sendUdp(daemon, 'foo:bar|c\nx|zz\nneg.timer:-1|ms');
    await expect(
      daemon.waitFor(
        (d) => d.badLines(),
        (n) => n === before + 3,
      ),
    ).resolves.toBe(before + 3);
  });

  it('rejects with the last value read when waitFor times out', async () => {
    const waiting = daemon.waitFor(readCounters, (c) => c['never.sent'] === 1, {
      timeout: 100,
      interval: 10,
    });
    await expect(waiting).rejects.toThrow(
      /timed out after 100 ms; last value read: \{.*'statsd\.bad_lines_seen'/s,
    );
  });

  it('rejects with the last read error as cause when every read fails', async () => {
    const failure = new Error('read failed');
    const waiting = daemon.waitFor(
      () => Promise.reject(failure),
      () => true,
      { timeout: 50 },
    );
    await expect(waiting).rejects.toMatchObject({
      message: expect.stringContaining('no successful read') as unknown,
      cause: failure,
    });
  });
});

describe('StatsdDaemon.start', () => {
  it('rejects with the daemon output when the daemon cannot start', async () => {
    const starting = StatsdDaemon.start({ config: { backends: ['./backends/missing'] } });
    await expect(starting).rejects.toThrow(
      /exited \(code 1\).*Cannot find module '\.\/backends\/missing'/s,
    );
  });

  it('throws a TypeError naming the option when flushInterval is not a positive number', async () => {
    await expect(StatsdDaemon.start({ flushInterval: 0 })).rejects.toThrow(
      new TypeError(
        'Invalid option `flushInterval`: received 0, expected a positive, finite number of milliseconds.',
      ),
    );
  });
});

describe('StatsdDaemon flush recording', () => {
  it('records the timer statistics the daemon computes when recordFlushes is set', async () => {
    await using daemon = await StatsdDaemon.start({ flushInterval: 200, recordFlushes: true });
    // One datagram: its lines reach the same flush.
    await sendUdp(daemon, 'rec.t:1|ms\nrec.t:3|ms|@0.5\nrec.t:8|ms\nrec.hits:2|c|@0.5');
    const flushes = await daemon.waitFor(
      (d) => d.flushes(),
      (all) => all.some((flush) => (flush.timerCounters['rec.t'] ?? 0) > 0),
    );
    const flush = flushes.find((f) => (f.timerCounters['rec.t'] ?? 0) > 0);
    // A value sent at rate 0.5 counts twice; the statistics of the values count each once.
    expect(flush?.timerCounters['rec.t']).toBe(4);
    expect(flush?.timers['rec.t']).toEqual([1, 3, 8]);
    expect(flush?.counters['rec.hits']).toBe(4);
    expect(flush?.timerData['rec.t']).toMatchObject({
      count: 4,
      count_ps: 20,
      sum: 12,
      sum_squares: 74,
      mean: 4,
      median: 3,
      upper: 8,
      lower: 1,
      upper_90: 8,
    });
  });

  it('resolves nextFlush with a flush recorded after the call', async () => {
    await using daemon = await StatsdDaemon.start({ flushInterval: 200, recordFlushes: true });
    await sendUdp(daemon, 'next.hits:1|c');
    await daemon.waitFor(
      (d) => d.flushes(),
      (all) => all.some((flush) => flush.counters['next.hits'] === 1),
    );
    const next = await daemon.nextFlush();
    // A later flush: the daemon zeroed the counter after the flush that held it.
    expect(next.counters['next.hits']).toBe(0);
  });

  it('rejects flushes() naming the option when the daemon records none', async () => {
    await using daemon = await StatsdDaemon.start();
    await expect(daemon.flushes()).rejects.toThrow(/without `recordFlushes: true`/);
  });

  it('throws a TypeError naming the option when recordFlushes is not a boolean', async () => {
    const options = { recordFlushes: 'yes' } as unknown as { recordFlushes: boolean };
    await expect(StatsdDaemon.start(options)).rejects.toThrow(
      new TypeError("Invalid option `recordFlushes`: received 'yes', expected true or false."),
    );
  });
});

describe('StatsdDaemon lifecycle', () => {
  let daemon: StatsdDaemon;

  beforeEach(async () => {
    daemon = await StatsdDaemon.start();
  });

  afterEach(async () => {
    await daemon.stop();
  });

  it('keeps the same ports and resets all state when restarted', async () => {
    const ports = [daemon.udpPort, daemon.tcpPort, daemon.mgmtPort];
    await sendUdp(daemon, 'before.restart:1|c');
    await daemon.waitFor(readCounters, (c) => c['before.restart'] === 1);

    await daemon.restart();

    expect([daemon.udpPort, daemon.tcpPort, daemon.mgmtPort]).toEqual(ports);
    expect(daemon.running).toBe(true);
    expect(await daemon.counters()).not.toHaveProperty('before.restart');
    await sendTcp(daemon, 'after.restart:1|c\n');
    await daemon.waitFor(readCounters, (c) => c['after.restart'] === 1);
  });

  it('starts again on the same ports when restarted after stop(SIGKILL)', async () => {
    const udpPort = daemon.udpPort;
    await daemon.stop('SIGKILL');
    expect(daemon.running).toBe(false);

    await daemon.restart();

    expect(daemon.running).toBe(true);
    expect(daemon.udpPort).toBe(udpPort);
    await sendUdp(daemon, 'after.kill:2|c');
    await daemon.waitFor(readCounters, (c) => c['after.kill'] === 2);
  });

  it('retries on the same ports when one is briefly taken during restart', async () => {
    await daemon.stop();
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(daemon.udpPort, daemon.host, resolve));
    const released = new Promise<void>((resolve) => {
      setTimeout(() => squatter.close(() => resolve()), 300);
    });

    await daemon.restart();
    await released;

    expect(daemon.running).toBe(true);
    await sendUdp(daemon, 'after.squat:1|c');
    await daemon.waitFor(readCounters, (c) => c['after.squat'] === 1);
  });

  it('rejects queries and stops again without error when already stopped', async () => {
    await daemon.stop();
    await daemon.stop('SIGKILL');
    expect(daemon.running).toBe(false);
    await expect(daemon.counters()).rejects.toThrow(/not running/);
  });
});

describe('parseNumberTable', () => {
  it('reads every literal form util.inspect prints when values are numbers', () => {
    const table = { plain: 1, 'a.b': -0.5, "it's": 1e21, [`q"'`]: NaN, __proto__x: -Infinity };
    const parsed = parseNumberTable(inspect(table, { breakLength: 20 }));
    expect(parsed).toEqual(table);
  });

  it('keeps __proto__ as an ordinary key when a metric has that name', () => {
    const parsed = parseNumberTable("{ '__proto__': 3 }");
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
  });

  it('throws when a value is not a number', () => {
    expect(() => parseNumberTable("{ a: 'text' }")).toThrow(/Cannot read/);
  });
});

describe('parseNumberListTable', () => {
  it('reads column-aligned arrays when util.inspect wraps them', () => {
    const table = { t: Array.from({ length: 40 }, (_, i) => i * 7), empty: [] };
    expect(parseNumberListTable(inspect(table))).toEqual(table);
  });

  it('throws instead of returning a partial list when util.inspect truncated an array', () => {
    const text = inspect({ t: Array.from({ length: 101 }, () => 1) }, { maxArrayLength: 100 });
    expect(() => parseNumberListTable(text)).toThrow(/truncated/);
  });
});
