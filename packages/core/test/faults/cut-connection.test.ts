import { FakeStatsdServer } from '../../src/testing/index.js';
import {
  connectorFor,
  expectBalanced,
  nextTurn,
  stopConnectors,
  until,
} from '../helpers/connector-harness.js';
import { CuttingProxy, expectIntactSequence } from './fault-peers.js';

let server: FakeStatsdServer | undefined;
let proxy: CuttingProxy | undefined;

afterEach(async () => {
  await stopConnectors();
  await proxy?.stop();
  await server?.stop();
});

describe('Connector through a proxy that cuts the connection mid-line', () => {
  it('leaves no partial, merged or duplicated line at the server and accounts for every metric', async () => {
    server = await FakeStatsdServer.start({ protocol: 'tcp' });
    proxy = await CuttingProxy.start(server.port);
    const statsd = connectorFor({ host: '127.0.0.1', port: proxy.port });
    await statsd.start();
    await until(() => statsd.stats().connected, 'the connection');
    const CUTS = 12;
    let total = 0;
    for (let cut = 0; cut < CUTS; cut++) {
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 200; i++) statsd.incr(`seq.${total++}`);
        await nextTurn();
      }
      proxy.cut();
      for (let i = 0; i < 200; i++) statsd.incr(`seq.${total++}`);
      await until(() => proxy?.cuts === cut + 1, 'the cut');
      await until(() => statsd.stats().connected, 'the reconnection');
    }
    for (let i = 0; i < 200; i++) statsd.incr(`seq.${total++}`);
    await statsd.stop();
    const stats = statsd.stats();
    expect(stats).toMatchObject({ enqueued: total, queued: 0 });
    expect(stats.reconnects).toBeGreaterThanOrEqual(CUTS);
    expectBalanced(stats);
    // The graceful stop ended the last connection after its last write.
    await until(() => server?.connections === 0, 'the server to see the end');
    const arrived = expectIntactSequence(server.lines);
    // What the proxy never forwarded was handed to the operating system, so it counts as sent
    // (no StatsD server acknowledges): the server has at most what was counted sent.
    expect(arrived).toBeLessThanOrEqual(stats.sent);
    expect(arrived).toBeGreaterThan(0);
  });
});
