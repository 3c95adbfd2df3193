import type { AddressInfo } from 'node:net';
import type { StatsdEnvironment } from '@statsd/core';
import Fastify from 'fastify';
import Fastify4 from 'fastify4';
import { StatsdDaemon } from '@statsd-internal/daemon';
import { useDaemon as useSharedDaemon } from '@statsd-internal/daemon/jest';

export { StatsdDaemon };

/**
 * Every supported Fastify major. Fastify 4's typings are its own (`fastify4`); the tests type
 * the apps with Fastify 5's, which the package's declaration merging augments.
 */
export const FASTIFY_MAJORS: ReadonlyArray<readonly [string, typeof Fastify]> = [
  ['Fastify 5', Fastify],
  ['Fastify 4', Fastify4 as unknown as typeof Fastify],
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

/** The port a listening app was given. */
export function portOf(app: { server: { address(): unknown } }): number {
  return (app.server.address() as AddressInfo).port;
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
