import type { ConnectorStats, Dialect } from '@statsd/core';
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
  /** The app in `naming: 'tags'` with a `dogstatsd` connector, and what its sink received. */
  readonly tagged: TaggedReport;
  /** Everything that went wrong; empty on a good run. */
  readonly problems: readonly string[];
}

/** How many `http.request` timers arrived with one `route`, `method` and `status` tag. */
export interface TaggedRequestRow {
  /** The route template (`/users/:id`), or `unmatched`. */
  readonly route: string;
  /** The request's method. */
  readonly method: string;
  /** The status code, or `aborted`. */
  readonly status: string;
  /** Timers received with these tags. */
  readonly count: number;
}

/** A DogStatsD event as the sink received it. */
export interface ReceivedEvent {
  /** The event's title. */
  readonly title: string;
  /** The event's text. */
  readonly text: string;
  /** `t:`: `info`, `success`, `warning` or `error`, when sent. */
  readonly alertType?: string;
  /** The event's tags, `key:value`. */
  readonly tags: readonly string[];
  /** The line as received. */
  readonly line: string;
}

/** A DogStatsD service check as the sink received it. */
export interface ReceivedCheck {
  /** The check's name. */
  readonly name: string;
  /** 0 ok, 1 warning, 2 critical, 3 unknown. */
  readonly status: number;
  /** `m:`: the check's message, when sent. */
  readonly message?: string;
  /** The check's tags, `key:value`. */
  readonly tags: readonly string[];
  /** The line as received. */
  readonly line: string;
}

/** The app in `naming: 'tags'` with a `dogstatsd`-dialect connector and a recording sink. */
export interface TaggedReport {
  /** The example app used: `express-app`. */
  readonly name: string;
  /** Its connector's dialect: `dogstatsd`. */
  readonly dialect: Dialect;
  /** Its connector's accounting after stopping. */
  readonly stats: ConnectorStats;
  /** The burst it was sent, as the client saw it. */
  readonly traffic: TrafficReport;
  /** The request timers the sink received, by their tags. */
  readonly requests: readonly TaggedRequestRow[];
  /** The events the sink received. */
  readonly events: readonly ReceivedEvent[];
  /** The service checks the sink received. */
  readonly checks: readonly ReceivedCheck[];
  /** Every line the sink received, in arrival order. */
  readonly lines: readonly string[];
  /** The metrics in those lines: values (DogStatsD packs several of a series on one line), events and checks. */
  readonly received: number;
}
