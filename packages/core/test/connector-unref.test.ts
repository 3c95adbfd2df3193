import type { Protocol } from '../src/types.js';
import {
  closedPort,
  connectorFor,
  errorLog,
  nextTurn,
  stopConnectors,
  until,
} from './helpers/connector-harness.js';
import { StatsdDaemon } from '@statsd-internal/daemon';

/**
 * Resources that keep the process alive and were not there before: `getActiveResourcesInfo()`
 * lists only ref'd timers and handles, so anything a connector leaves ref'd shows up here.
 */
function newResources(before: readonly string[]): string[] {
  const remaining = [...before];
  const added: string[] = [];
  for (const resource of process.getActiveResourcesInfo()) {
    const index = remaining.indexOf(resource);
    if (index >= 0) remaining.splice(index, 1);
    else added.push(resource);
  }
  return added;
}

/**
 * The resources alive now, once sockets closed in earlier turns (the daemon harness's management
 * queries) are gone: their handles close one turn after they are destroyed.
 */
async function baseline(): Promise<string[]> {
  await nextTurn();
  await nextTurn();
  return process.getActiveResourcesInfo();
}

afterEach(stopConnectors);

describe('Connector process lifetime', () => {
  let daemon: StatsdDaemon;

  beforeAll(async () => {
    // A server in another process: a server in this one would hold ref'd sockets of its own.
    daemon = await StatsdDaemon.start();
  });

  afterAll(async () => {
    await daemon.stop();
  });

  it.each<Protocol>(['tcp', 'udp'])(
    'holds no ref’d socket or timer when idle and connected over %s',
    async (protocol) => {
      const before = await baseline();
      const statsd = connectorFor({
        host: daemon.host,
        port: protocol === 'tcp' ? daemon.tcpPort : daemon.udpPort,
        protocol,
      });
      await statsd.start();
      await until(() => statsd.stats().connected, 'the connection');
      statsd.incr('idle');
      expect(await statsd.flush()).toBe(true);
      await nextTurn();
      expect(newResources(before)).toEqual([]);
    },
  );

  it('holds no ref’d socket or timer while waiting to reconnect', async () => {
    const port = await closedPort('tcp');
    const { errors, onError } = errorLog();
    const before = await baseline();
    const statsd = connectorFor({
      host: '127.0.0.1',
      port,
      stopTimeout: 100,
      // Long enough that the test looks while the retry timer is pending.
      reconnectMinDelay: 60_000,
      reconnectMaxDelay: 60_000,
      onError,
    });
    await statsd.start();
    statsd.incr('queued');
    await until(() => errors.length > 0, 'the failed connection attempt');
    await nextTurn();
    expect(newResources(before)).toEqual([]);
  });

  it('holds no ref’d timer while a packet waits for flushInterval', async () => {
    const before = await baseline();
    const statsd = connectorFor({ host: '127.0.0.1', port: 9, flushInterval: 60_000 });
    statsd.incr('waiting');
    expect(statsd.stats().queued).toBe(1);
    expect(newResources(before)).toEqual([]);
  });

  it('holds no ref’d immediate while a packet waits for the end of the turn', async () => {
    const before = await baseline();
    const statsd = connectorFor({ host: '127.0.0.1', port: 9, flushInterval: 0 });
    statsd.incr('waiting');
    expect(newResources(before)).toEqual([]);
  });
});
