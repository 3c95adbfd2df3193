import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { StatsdEnvironment } from '@statsd/core';
import Koa from 'koa';
import Koa2 from 'koa2';
import { StatsdDaemon } from '@statsd-internal/daemon';
import { useDaemon as useSharedDaemon } from '@statsd-internal/daemon/jest';

export { StatsdDaemon };

/** Every supported Koa major, with the status each one sends for an `ENOENT` error. */
export const KOA_MAJORS: ReadonlyArray<readonly [string, typeof Koa, number]> = [
  ['Koa 3', Koa, 500],
  ['Koa 2', Koa2, 404],
];

/** The `STATSD_*` variables that point a connector at the daemon over TCP. */
export function daemonEnv(daemon: StatsdDaemon, extra: StatsdEnvironment = {}): StatsdEnvironment {
  return {
    STATSD_HOST: daemon.host,
    STATSD_PORT: String(daemon.tcpPort),
    STATSD_PROTOCOL: 'tcp',
    ...extra,
  };
}

/** Starts `app` on an ephemeral loopback port. */
export async function listen(app: Koa): Promise<Server> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** The port a listening server was given. */
export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** Closes a server and every connection still open on it. */
export async function close(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}

/**
 * The request timers the daemon holds under `<prefix>.timers.`, as
 * `<route>.<METHOD>.<status>` → how many values it received.
 */
export async function requestTimers(
  daemon: StatsdDaemon,
  prefix: string,
): Promise<Record<string, number>> {
  const start = `${prefix}.timers.`;
  const out: Record<string, number> = {};
  for (const [key, values] of Object.entries(await daemon.timers())) {
    if (key.startsWith(start)) out[key.slice(start.length)] = values.length;
  }
  return out;
}

/** Waits until the daemon holds `total` request timer values under `prefix`, and returns them. */
export function waitForTimers(
  daemon: StatsdDaemon,
  prefix: string,
  total: number,
): Promise<Record<string, number>> {
  return daemon.waitFor(
    (d) => requestTimers(d, prefix),
    (timers) => Object.values(timers).reduce((sum, n) => sum + n, 0) >= total,
  );
}

/**
 * One real daemon for a `describe` block, handed to `use`. Returns the list of cleanup steps a
 * test registers; after each test they run in reverse order and the daemon must have seen no
 * bad line.
 */
export function useDaemon(use: (daemon: StatsdDaemon) => void): Array<() => Promise<void>> {
  const cleanup: Array<() => Promise<void>> = [];
  useSharedDaemon(use, async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  return cleanup;
}
