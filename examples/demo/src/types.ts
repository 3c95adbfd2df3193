import type { ConnectorStats } from '@statsd/core';
import type { WorkerSummary } from '@statsd-examples/worker';
import type { VisitOutcome } from './traffic.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /**
   * Receives one line per step, as the demo goes.
   * @default nothing is logged
   */
  log?: (line: string) => void;
  /**
   * Milliseconds to wait for every request and job to show up in the daemon.
   * @default 10_000
   */
  waitTimeout?: number;
}

/** Count, minimum, median and maximum of one timer's values, in milliseconds. */
export interface TimerSummary {
  /** How many values the daemon received. */
  readonly count: number;
  /** Smallest value. */
  readonly min: number;
  /** Middle value (the mean of the two middle ones for an even count). */
  readonly median: number;
  /** Largest value. */
  readonly max: number;
}

/** What the daemon holds, read over its management port. */
export interface DaemonSnapshot {
  /** Every counter, `statsd.*` housekeeping included. */
  readonly counters: Readonly<Record<string, number>>;
  /** Every gauge, `statsd.*` housekeeping included. */
  readonly gauges: Readonly<Record<string, number>>;
  /** Every timer's raw values in milliseconds. */
  readonly timers: Readonly<Record<string, readonly number[]>>;
  /** `statsd.bad_lines_seen`: lines the daemon could not parse. */
  readonly badLines: number;
}

/** One process that sent metrics (an app or the worker): its prefix and connector accounting. */
export interface SourceReport {
  /** `express-app`, `koa-app` or `worker`. */
  readonly name: string;
  /** The prefix of its metrics, without the trailing dot. */
  readonly prefix: string;
  /** How its connector talked to the daemon. */
  readonly protocol: 'tcp' | 'udp';
  /** Its connector's accounting after stopping. */
  readonly stats: ConnectorStats;
}

/** What one application was sent and how each request ended, as the client saw it. */
export interface TrafficReport {
  /** `express-app` or `koa-app`. */
  readonly app: string;
  /** Requests sent. */
  readonly sent: number;
  /** Requests the middleware skips (`/health`). */
  readonly skipped: number;
  /** Outcomes by status code, and `aborted`. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Each request's outcome, in the order sent. */
  readonly visits: readonly { readonly path: string; readonly outcome: VisitOutcome }[];
}

/** Everything the demo did and what the daemon made of it. */
export interface DemoResult {
  /** The daemon's state just before it stopped. */
  readonly snapshot: DaemonSnapshot;
  /** The apps and the worker, in that order. */
  readonly sources: readonly SourceReport[];
  /** The request bursts, one per app. */
  readonly traffic: readonly TrafficReport[];
  /** What the worker reported. */
  readonly worker: WorkerSummary;
  /** Everything that went wrong; empty on a good run. */
  readonly problems: readonly string[];
}
