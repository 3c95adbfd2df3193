/** Options for {@link StatsdDaemon.start}. */
export interface StatsdDaemonOptions {
  /**
   * Milliseconds between the daemon's flushes. Every flush zeroes counters and empties timers, so
   * the long default keeps everything a test sent visible until the daemon stops.
   * @default 3_600_000
   */
  flushInterval?: number;
  /**
   * Extra keys merged into the generated daemon config (for example `deleteIdleStats`,
   * `keyNameSanitize`, `prefixStats`). Values must survive `JSON.stringify`. The listening
   * addresses and ports (`servers`, `mgmt_address`, `mgmt_port`) cannot be overridden: the daemon
   * only ever listens on loopback, on the ports this object reports.
   * @default {}
   */
  config?: Record<string, unknown>;
  /**
   * Milliseconds to wait for the daemon's management port to answer after spawning it.
   * @default 10_000
   */
  startTimeout?: number;
  /**
   * Loads a backend into the daemon that records what it computes at each flush (counters,
   * timer statistics such as `count_ps`, `sum`, `median`, `upper_90`), read back with
   * {@link StatsdDaemon.flushes} and {@link StatsdDaemon.nextFlush}. The management port shows
   * raw values only; this shows what a daemon's backends would forward.
   * @default false
   */
  recordFlushes?: boolean;
}

/** Options for {@link StatsdDaemon.waitFor}. */
export interface WaitForOptions {
  /**
   * Milliseconds to keep polling before rejecting.
   * @default 5_000
   */
  timeout?: number;
  /**
   * Milliseconds between two reads.
   * @default 20
   */
  interval?: number;
}

/** How {@link StatsdDaemon.stop} ends the daemon: `SIGTERM` lets it exit cleanly. */
export type StopSignal = 'SIGTERM' | 'SIGKILL';
