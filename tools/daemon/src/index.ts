export type { DaemonFlush } from './flush-recorder.js';
export { StatsdDaemon } from './statsd-daemon.js';
export type { StatsdDaemonOptions, StopSignal, WaitForOptions } from './types.js';
export { StatsdProxy } from './statsd-proxy.js';
export type { StatsdProxyOptions } from './statsd-proxy.js';
