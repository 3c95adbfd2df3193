import { once } from 'node:events';
import { request as httpRequest, type RequestListener, type Server } from 'node:http';
import express4 from 'express4';
import express4Lowest from 'express-4.17';
import express5 from 'express';
import type { Connector } from '@statsd/core';
import {
  statsdMiddleware,
  type StatsdMiddleware,
  type StatsdMiddlewareOptions,
} from '../../src/index.js';
import type { StatsdDaemon } from '@statsd-internal/daemon';
import {
  close,
  listen as listenOn,
  portOf,
  useDaemon as useSharedDaemon,
} from '@statsd-internal/daemon/jest';

export {
  deferred as signal,
  portOf,
  timersOf,
  waitForTimer,
  within,
} from '@statsd-internal/daemon/jest';

/**
 * The Express versions every test runs against: the newest of each major and the lowest the peer
 * range accepts (4.17.0). All are driven through Express 5's typings: the runtime APIs used here
 * are the same in each, and Express 4's typings are checked on their own in `typings.test.ts`.
 */
export type ExpressFactory = typeof express5;
export const EXPRESS_VERSIONS: ReadonlyArray<readonly [string, ExpressFactory]> = [
  ['express 5', express5],
  ['express 4', express4 as unknown as ExpressFactory],
  ['express 4.17', express4Lowest as unknown as ExpressFactory],
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
export async function listen(app: RequestListener): Promise<Server> {
  const server = await listenOn(app);
  servers.push(server);
  return server;
}

/** Closes the servers and stops the connectors of the test; call it from `afterEach`. */
export async function cleanUp(): Promise<void> {
  await Promise.all(servers.splice(0).map(close));
  await Promise.all(middlewares.splice(0).map((statsd) => statsd.connector.stop()));
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

/**
 * One real daemon for a test file, handed to `use`; after each test the servers and connectors
 * are cleaned up and the daemon must have seen no bad line.
 */
export function useDaemon(use: (daemon: StatsdDaemon) => void): void {
  useSharedDaemon(use, cleanUp);
}

/** What {@link describeEachExpress} hands a suite. */
export interface ExpressSuite {
  /** The suite's daemon; read it inside tests and hooks, once it has started. */
  readonly daemon: StatsdDaemon;
  /** A name no other test of the file uses, for a prefix or a service: `<title><major>-t<n>`. */
  nextName(): string;
}

/**
 * The preamble every Express suite shares: one real daemon for the file (servers and connectors
 * cleaned up after each test, no bad line allowed), then `body` once per Express major, as
 * `describe('statsdMiddleware <title> with express <major>')`.
 */
export function describeEachExpress(
  title: string,
  body: (express: ExpressFactory, suite: ExpressSuite) => void,
): void {
  let daemon: StatsdDaemon | undefined;
  let serial = 0;
  useDaemon((started) => {
    daemon = started;
  });
  const slug = title.replace(/[^a-z0-9]/gi, '');
  describe.each(EXPRESS_VERSIONS)(`statsdMiddleware ${title} with %s`, (label, express) => {
    const major = label.replace(/\D/g, '');
    body(express, {
      get daemon(): StatsdDaemon {
        if (daemon === undefined) throw new Error('the daemon is read before it has started');
        return daemon;
      },
      nextName: () => `${slug}${major}-t${++serial}`,
    });
  });
}
