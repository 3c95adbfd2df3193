/**
 * The helpers the test suites of every package share: one real daemon per suite, loopback HTTP
 * servers, the daemon's timers, and small async tools. Test-only: loaded from source by Jest.
 */
export { deferred, thrown, within } from './async.js';
export { close, listen, portOf } from './http.js';
export {
  daemonEnv,
  requestTags,
  requestTimers,
  timersOf,
  waitForTags,
  waitForTimer,
  waitForTimers,
} from './timers.js';
export { useDaemon, useDaemonWithCleanup } from './use-daemon.js';
export { describeAdapterBehaviour } from './adapter-suite.js';
export { frameworkHookOptions } from './adapter-driver.js';
export { serveAdapterApp } from './adapter-serve.js';
export type {
  AdapterConnector,
  AdapterDriver,
  AdapterOptions,
  AppSpec,
  FrameworkHookOptions,
  Handler,
  HandlerContext,
  Reply,
  Route,
  StartedApp,
  StartedHttp2App,
} from './adapter-driver.js';
