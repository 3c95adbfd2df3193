import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import Fastify4 from 'fastify4';
import { StatsdDaemon } from '@statsd-internal/daemon';

export { StatsdDaemon };
export {
  daemonEnv,
  requestTimers,
  useDaemonWithCleanup as useDaemon,
  waitForTimers,
} from '@statsd-internal/daemon/jest';

/**
 * Every supported Fastify major. Fastify 4's typings are its own (`fastify4`); the tests type
 * the apps with Fastify 5's, which the package's declaration merging augments.
 */
export const FASTIFY_MAJORS: ReadonlyArray<readonly [string, typeof Fastify]> = [
  ['Fastify 5', Fastify],
  ['Fastify 4', Fastify4 as unknown as typeof Fastify],
];

/** The port a listening app was given. */
export function portOf(app: { server: { address(): unknown } }): number {
  return (app.server.address() as AddressInfo).port;
}
