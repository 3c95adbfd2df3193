import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Connector } from '../../src/connector.js';
import type { StatsdError } from '../../src/errors.js';
import { FakeStatsdServer, type FakeStatsdServerOptions } from '../../src/testing/index.js';
import type { ConnectorOptions, ConnectorStats } from '../../src/types.js';

/**
 * Short delays so that reconnects, connect failures and stop deadlines happen within a test's
 * budget. `flushInterval: 0` sends at the end of each event-loop turn. Reports are dropped
 * unless a test passes its own `onError` to check them.
 */
export const FAST: Readonly<ConnectorOptions> = {
  onError: () => {},
  flushInterval: 0,
  reconnectMinDelay: 10,
  reconnectMaxDelay: 50,
  connectTimeout: 500,
  stopTimeout: 1000,
};

const connectors: Connector[] = [];

/** A connector with the fast settings, stopped by {@link stopConnectors} after the test. */
export function connectorFor(options: ConnectorOptions): Connector {
  const connector = new Connector({ ...FAST, ...options });
  connectors.push(connector);
  return connector;
}

/** Stops every connector made by {@link connectorFor}; call it from `afterEach`. */
export async function stopConnectors(): Promise<void> {
  await Promise.all(connectors.splice(0).map((connector) => connector.stop()));
}

const servers: FakeStatsdServer[] = [];

/** A FakeStatsdServer, stopped by {@link stopServers} after the test. */
export async function serverFor(options?: FakeStatsdServerOptions): Promise<FakeStatsdServer> {
  const server = await FakeStatsdServer.start(options);
  servers.push(server);
  return server;
}

/** Stops every server made by {@link serverFor}; call it from `afterEach`, after the connectors. */
export async function stopServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
}

/** Records what reaches `onError`. */
export function errorLog(): { errors: StatsdError[]; onError: (error: StatsdError) => void } {
  const errors: StatsdError[] = [];
  return { errors, onError: (error) => errors.push(error) };
}

/**
 * Polls `condition` every few milliseconds, for state that has no event to await (the
 * connector's stats, a connection noticed as lost). Rejects naming `what` after `timeout` ms.
 */
export async function until(
  condition: () => boolean,
  what: string,
  timeout: number = 5000,
): Promise<void> {
  const deadline = performance.now() + timeout;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out after ${timeout} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits for one turn of the event loop (pending I/O callbacks and immediates run). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The accounting every quiet moment must satisfy. */
export function expectBalanced(stats: ConnectorStats): void {
  expect({
    enqueued: stats.enqueued,
    accounted: stats.sent + stats.dropped + stats.queued,
  }).toEqual({ enqueued: stats.enqueued, accounted: stats.enqueued });
}

/**
 * A loopback port where nothing listens right now: bound by the system, then released. TCP
 * connections to it are refused; UDP datagrams to it draw ICMP port-unreachable answers.
 */
export async function closedPort(protocol: 'tcp' | 'udp'): Promise<number> {
  if (protocol === 'udp') {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address();
    await new Promise<void>((resolve) => socket.close(resolve));
    return port;
  }
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port was bound');
  return address.port;
}
