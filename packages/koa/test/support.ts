import type { Server } from 'node:http';
import Koa from 'koa';
import Koa2 from 'koa2';
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

/** Every supported Koa major, with the status each one sends for an `ENOENT` error. */
export const KOA_MAJORS: ReadonlyArray<readonly [string, typeof Koa, number]> = [
  ['Koa 3', Koa, 500],
  ['Koa 2', Koa2, 404],
];

/** Starts `app` on an ephemeral loopback port. */
export function listen(app: Koa): Promise<Server> {
  const handle = app.callback();
  // Koa settles its own errors (its 'error' event): the promise is only for callers who wait.
  return listenOn((req, res) => void handle(req, res));
}
