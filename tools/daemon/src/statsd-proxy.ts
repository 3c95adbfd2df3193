import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { locateStatsdScript, writeDaemonFiles } from './daemon-files.js';
import { spawnDaemonScript, type DaemonProcess } from './daemon-process.js';
import { pickFreePorts } from './free-port.js';
import type { StatsdDaemon } from './statsd-daemon.js';

const HOST = '127.0.0.1';
const PROBE_INTERVAL_MS = 15;

/** Options for {@link StatsdProxy.start}. */
export interface StatsdProxyOptions {
  /** The daemons behind the proxy: it hashes each metric name onto one of them. */
  nodes: readonly StatsdDaemon[];
  /**
   * What the proxy listens on for clients. It always forwards to the daemons over UDP, one line
   * per datagram.
   * @default 'udp'
   */
  server?: 'udp' | 'tcp';
  /**
   * Milliseconds between the proxy's health checks of each daemon's management port.
   * @default 1_000
   */
  checkInterval?: number;
  /**
   * Milliseconds to wait for the proxy's management port to answer after spawning it.
   * @default 10_000
   */
  startTimeout?: number;
}

/**
 * The reference daemon's cluster proxy (`proxy.js` in the `statsd` package) on loopback, in front
 * of {@link StatsdDaemon}s: consistent hashing of metric names onto the daemons, and a health
 * check of each one every `checkInterval` that takes dead daemons out of the ring.
 */
export class StatsdProxy {
  /** The loopback address the proxy listens on. */
  readonly host: '127.0.0.1' = HOST;
  /** The port clients send to, over the protocol of {@link StatsdProxy.protocol}. */
  readonly port: number;
  /** What the proxy accepts from clients. */
  readonly protocol: 'udp' | 'tcp';
  /** The proxy's management port (`health`, `status`). */
  readonly mgmtPort: number;
  readonly #process: DaemonProcess;

  private constructor(
    port: number,
    protocol: 'udp' | 'tcp',
    mgmtPort: number,
    process: DaemonProcess,
  ) {
    this.port = port;
    this.protocol = protocol;
    this.mgmtPort = mgmtPort;
    this.#process = process;
  }

  /** Starts a proxy in front of `nodes` and resolves once its management port answers. */
  static async start(options: StatsdProxyOptions): Promise<StatsdProxy> {
    const { nodes, server = 'udp', checkInterval = 1_000, startTimeout = 10_000 } = options;
    const ports = await pickFreePorts(HOST);
    const port = server === 'udp' ? ports.udpPort : ports.tcpPort;
    const files = await writeDaemonFiles({
      nodes: nodes.map((d) => ({ host: d.host, port: d.udpPort, adminport: d.mgmtPort })),
      server: `./servers/${server}`,
      // `host` in the example config does not set the bind address: `address` does.
      address: HOST,
      port,
      mgmt_address: HOST,
      mgmt_port: ports.mgmtPort,
      forkCount: 0,
      checkInterval,
      automaticConfigReload: false,
    });
    const script = join(dirname(locateStatsdScript()), 'proxy.js');
    const proxy = new StatsdProxy(port, server, ports.mgmtPort, spawnDaemonScript(script, files));
    try {
      await proxy.#waitUntilReady(startTimeout);
    } catch (error) {
      await proxy.stop();
      throw error;
    }
    return proxy;
  }

  /** Asks the management port for the proxy's own health (`up` unless set `down`). */
  health(timeoutMs = 1_000): Promise<string> {
    return command(this.mgmtPort, 'health', /\n/, timeoutMs);
  }

  /** The daemons in the proxy's hash ring now (`host:port` of their UDP servers). */
  async nodes(timeoutMs = 1_000): Promise<string[]> {
    const answer = await command(this.mgmtPort, 'status', /nodes:[^\n]*\n/, timeoutMs);
    const line = /nodes:([^\n]*)/.exec(answer)?.[1] ?? '';
    return line.split(' ').filter((node) => node !== '');
  }

  /**
   * Resolves once the ring holds `count` daemons: a daemon that stopped answering its health
   * check leaves the ring at the proxy's next check, one that answers again comes back.
   */
  async waitForNodes(count: number, timeoutMs = 5_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last: string[] = [];
    while (performance.now() < deadline) {
      last = await this.nodes();
      if (last.length === count) return;
      await delay(PROBE_INTERVAL_MS);
    }
    throw new Error(`The proxy's ring did not reach ${count} nodes; it holds ${last.join(', ')}.`);
  }

  /** Stops the proxy and waits for it to exit; calling it again does nothing. */
  stop(): Promise<void> {
    return this.#process.stop('SIGTERM');
  }

  async #waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (!this.#process.alive) {
        throw new Error(`The StatsD proxy exited before it answered:\n${this.#process.output()}`);
      }
      try {
        // The metrics server starts before the management port in the same turn.
        if ((await this.health()).includes('up')) return;
      } catch {
        // Not listening yet.
      }
      if (performance.now() > deadline) {
        throw new Error(
          `The StatsD proxy did not answer within ${timeoutMs} ms:\n${this.#process.output()}`,
        );
      }
      await delay(PROBE_INTERVAL_MS);
    }
  }
}

/** Sends one management command and resolves with the answer once `complete` matches it. */
function command(port: number, text: string, complete: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`The StatsD proxy's management port did not answer \`${text}\`.`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${text}\r\n`));
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (!complete.test(answer)) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer.trim());
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
