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
    const send = (count: number): void => {
      for (let i = 0; i < count; i++) statsd.incr(`seq.${total++ % 50}`);
    };
    for (let round = 0; round < 20; round++) {
      send(500);
      await nextTurn();
    }
    daemon.pause();
    // Frozen until the kernel's buffers are full and writes wait in the connector.
    let backedUp = false;
    for (let round = 0; round < 100 && !backedUp; round++) {
      send(5000);
      backedUp = !(await statsd.flush(50));
    }
    expect(backedUp).toBe(true);
    send(1000);
    daemon.resume();
    const sum = (counters: Record<string, number>): number =>
      Object.entries(counters)
        .filter(([name]) => name.startsWith('frozen.counters.seq.'))
        .reduce((acc, [, value]) => acc + value, 0);
    await daemon.waitFor(
      (d) => d.counters(),
      (counters) => sum(counters) === total,
      { timeout: 20_000 },
    );
    await statsd.stop();
    const stats = statsd.stats();
    expect(stats).toMatchObject({ enqueued: total, sent: total, dropped: 0, queued: 0 });
    expectBalanced(stats);
  });
});
