export { StatsdDaemon } from './statsd-daemon.js';
export type { StatsdDaemonOptions, StopSignal, WaitForOptions } from './types.js';
