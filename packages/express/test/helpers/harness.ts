import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express4 from 'express4';
import express5 from 'express';
import type { Connector } from '@statsd/core';
import {
  statsdMiddleware,
  type StatsdMiddleware,
  type StatsdMiddlewareOptions,
} from '../../src/index.js';
import type { StatsdDaemon } from '@statsd-internal/daemon';
import { useDaemon as useSharedDaemon } from '@statsd-internal/daemon/jest';

/**
 * The Express majors every test runs against. Both are driven through Express 5's typings: the
 * runtime APIs used here are the same in both, and Express 4's typings are checked on their own
 * in `types.test.ts`.
 */
export type ExpressFactory = typeof express5;
export const EXPRESS_VERSIONS: ReadonlyArray<readonly [string, ExpressFactory]> = [
  ['express 5', express5],
  ['express 4', express4 as unknown as ExpressFactory],
];

const middlewares: StatsdMiddleware[] = [];
const servers: Server[] = [];

/** A middleware whose connector is stopped by {@link cleanUp}. */
export function tracked(options?: StatsdMiddlewareOptions): StatsdMiddleware {
  const statsd = statsdMiddleware(options);
  middlewares.push(statsd);
  return statsd;
}

/** Connector settings for the daemon's TCP port, with a prefix of its own. */
export function daemonOptions(daemon: StatsdDaemon, prefix: string): StatsdMiddlewareOptions {
  return { host: daemon.host, port: daemon.tcpPort, prefix, stopTimeout: 2000 };
}

/** Serves `app` on an ephemeral loopback port; closed by {@link cleanUp}. */
export async function listen(app: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(app);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** Closes the servers and stops the connectors of the test; call it from `afterEach`. */
export async function cleanUp(): Promise<void> {
  await Promise.all(
    servers.splice(0).map(async (server) => {
      if (!server.listening) return;
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    }),
  );
  await Promise.all(middlewares.splice(0).map((statsd) => statsd.connector.stop()));
}

/** A promise with its resolve function, for handlers that tell the test where they are. */
export function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/**
 * Sends `GET path` and destroys the connection once `reached` resolves (the handler has the
 * request), before any response is finished.
 */
export async function abandon(server: Server, path: string, reached: Promise<void>): Promise<void> {
  const req = httpRequest({ host: '127.0.0.1', port: portOf(server), path, agent: false });
  const failed = once(req, 'error').catch(() => undefined);
  req.end();
  await reached;
  req.destroy();
  await failed;
}

/** The daemon's timers whose names start with `prefix.` (values in arrival order). */
export async function timersOf(
  daemon: StatsdDaemon,
  prefix: string,
): Promise<Record<string, number[]>> {
  const all = await daemon.timers();
  return Object.fromEntries(Object.entries(all).filter(([name]) => name.startsWith(prefix + '.')));
}

/** Waits until the timer `name` holds at least `count` values, and returns them. */
export async function waitForTimer(
  daemon: StatsdDaemon,
  name: string,
  count = 1,
): Promise<number[]> {
  const timers = await daemon.waitFor(
    (d) => d.timers(),
    (t) => (t[name]?.length ?? 0) >= count,
  );
  return timers[name] as number[];
}

/** Resolves when `connector.stop()` has been called and has finished. */
export function whenStopped(connector: Connector): Promise<void> {
  return new Promise((resolve) => {
    const stop = connector.stop.bind(connector);
    connector.stop = async () => {
      await stop();
      resolve();
    };
  });
}

/** Rejects naming `what` if `promise` has not settled within `ms` milliseconds. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One real daemon for a test file, handed to `use`; after each test the servers and connectors
 * are cleaned up and the daemon must have seen no bad line.
 */
export function useDaemon(use: (daemon: StatsdDaemon) => void): void {
  useSharedDaemon(use, cleanUp);
}
