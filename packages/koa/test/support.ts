import type { Server } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import Koa2 from 'koa2';
import Koa2Lowest from 'koa-2.13';
import RouterLowest from 'koa-router-12';
import { StatsdDaemon } from '@statsd-internal/daemon';
import { listen as listenOn } from '@statsd-internal/daemon/jest';

export { StatsdDaemon };
export {
  close,
  daemonEnv,
  portOf,
  requestTimers,
  useDaemonWithCleanup as useDaemon,
  waitForTags,
  waitForTimers,
} from '@statsd-internal/daemon/jest';

/**
 * The Koa versions every test runs against, with the status each one sends for an `ENOENT`
 * error: the newest of each major, and the lowest the peer range accepts (2.13.0).
 */
export const KOA_MAJORS: ReadonlyArray<readonly [string, typeof Koa, number]> = [
  ['Koa 3', Koa, 500],
  ['Koa 2', Koa2, 404],
  ['Koa 2.13', Koa2Lowest, 404],
];

/**
 * The @koa/router each Koa of {@link KOA_MAJORS} is tested with: the newest router with the
 * newest Koa of each major, and the lowest router the peer range accepts (12.0.0) with the
 * lowest Koa.
 */
export function routerFor(koa: typeof Koa): typeof Router {
  return koa === Koa2Lowest ? RouterLowest : Router;
}

/**
 * A route template matching every path under `/files/`, named `path`: @koa/router 14 and later
 * (path-to-regexp 8) write it `*path`; 12 and 13 (path-to-regexp 6) write it `:path*`.
 */
export function filesWildcard(router: typeof Router): string {
  return router === RouterLowest ? '/files/:path*' : '/files/*path';
}

/** Starts `app` on an ephemeral loopback port. */
export function listen(app: Koa): Promise<Server> {
  const handle = app.callback();
  // Koa settles its own errors (its 'error' event): the promise is only for callers who wait.
  return listenOn((req, res) => void handle(req, res));
}
