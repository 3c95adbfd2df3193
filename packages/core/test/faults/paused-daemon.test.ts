import { StatsdDaemon } from '@statsd-internal/daemon';
import {
  connectorFor,
  expectBalanced,
  nextTurn,
  stopConnectors,
} from '../helpers/connector-harness.js';

let daemon: StatsdDaemon;

beforeAll(async () => {
  daemon = await StatsdDaemon.start();
});

afterAll(async () => {
  daemon.resume();
  await daemon.stop();
});

afterEach(async () => {
  daemon.resume();
  await stopConnectors();
  expect(await daemon.badLines()).toBe(0);
});

describe('Connector against a daemon frozen with SIGSTOP, then resumed', () => {
  it('loses nothing over TCP', async () => {
    const statsd = connectorFor({ host: daemon.host, port: daemon.tcpPort, prefix: 'frozen' });
    await statsd.start();
    let total = 0;
    for (let round = 0; round < 60; round++) {
      if (round === 20) daemon.pause();
      for (let i = 0; i < 500; i++) {
        statsd.incr(`seq.${i % 50}`);
        total++;
      }
      await nextTurn();
    }
    // Frozen for the time the writes took: the kernel and the queue hold what it has not read.
    await new Promise((resolve) => setTimeout(resolve, 300));
    daemon.resume();
    const sum = (counters: Record<string, number>): number =>
      Object.entries(counters)
        .filter(([name]) => name.startsWith('frozen.counters.seq.'))
        .reduce((acc, [, value]) => acc + value, 0);
    await daemon.waitFor(
      (d) => d.counters(),
      (counters) => sum(counters) === total,
      { timeout: 10_000 },
    );
    await statsd.stop();
    const stats = statsd.stats();
    expect(stats).toMatchObject({ enqueued: total, sent: total, dropped: 0, queued: 0 });
    expectBalanced(stats);
  });
});
