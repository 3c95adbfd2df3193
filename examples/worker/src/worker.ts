import { createConnector } from '@statsd/core';
import type { Connector, ConnectorStats, ErrorHandler, StatsdEnvironment } from '@statsd/core';
import { setTimeout as delay } from 'node:timers/promises';

/** Options of {@link runWorker}. */
export interface WorkerOptions {
  /**
   * How many fake jobs to process.
   * @default 20
   */
  jobs?: number;
  /**
   * Every `failEvery`-th job fails (`0` for none), so the failure counter has something to show.
   * @default 5
   */
  failEvery?: number;
  /**
   * The environment name in the prefix `applications.worker.<environment>`.
   * @default env.NODE_ENV, else 'development'
   */
  environment?: string;
  /**
   * Where `STATSD_HOST`, `STATSD_PORT`, `STATSD_PROTOCOL`, `STATSD_PREFIX` and `STATSD_ENABLED`
   * are read from.
   * @default process.env
   */
  env?: StatsdEnvironment;
  /**
   * Receives the connector's runtime problems (lost connection, dropped metrics).
   * @default warnings printed by the connector's default logger
   */
  onError?: ErrorHandler;
}

/** What one run did, and what its connector accounted for after stopping. */
export interface WorkerSummary {
  /** Jobs taken from the queue. */
  readonly processed: number;
  /** Jobs that completed. */
  readonly done: number;
  /** Jobs that threw. */
  readonly failed: number;
  /** The prefix every metric of this worker carries (`''` for none). */
  readonly prefix: string;
  /** The connector's accounting once it has stopped: `sent` + `dropped` = `enqueued`. */
  readonly stats: ConnectorStats;
}

interface Job {
  readonly id: number;
  readonly customer: string;
  readonly fails: boolean;
}

/**
 * A non-HTTP worker: takes a batch of fake jobs off a queue and reports what it does to StatsD,
 * with its settings from the environment (`STATSD_HOST`, …) like any deployed process would.
 *
 * Metrics (under `applications.worker.<environment>` unless `STATSD_PREFIX` says otherwise):
 * `counters.jobs.done`, `counters.jobs.failed`, `gauges.queue.depth` (set, then lowered by a
 * negative delta per job), `timers.jobs.duration` (per job, failures included),
 * `timers.batch.duration` and `sets.jobs.customers` (distinct customers seen).
 */
export async function runWorker(options: WorkerOptions = {}): Promise<WorkerSummary> {
  const { jobs = 20, failEvery = 5, env = process.env, onError } = options;
  const environment = options.environment ?? env.NODE_ENV ?? 'development';
  const statsd = createConnector({ service: 'worker', environment, onError }, env);
  // Not needed for the metric calls (they queue until connected); starting early lets the
  // connection come up while the first job runs.
  await statsd.start();
  // stop() delivers everything still queued before closing: a short-lived process loses
  // nothing, and the stats read below are final.
  const outcome = await processQueue(statsd, fakeJobs(jobs, failEvery)).finally(() =>
    statsd.stop(),
  );
  return { processed: jobs, ...outcome, prefix: statsd.prefix, stats: statsd.stats() };
}

async function processQueue(
  statsd: Connector,
  queue: readonly Job[],
): Promise<{ done: number; failed: number }> {
  const batch = statsd.timer('batch.duration').start();
  statsd.gauge('queue.depth', queue.length);
  let done = 0;
  let failed = 0;
  for (const job of queue) {
    statsd.gauge('queue.depth', -1, { delta: true });
    statsd.set('jobs.customers', job.customer);
    try {
      // Records the duration whether the job resolves or throws.
      await statsd.time('jobs.duration', () => processJob(job));
      statsd.incr('jobs.done');
      done += 1;
    } catch {
      statsd.incr('jobs.failed');
      failed += 1;
    }
  }
  batch.stop();
  return { done, failed };
}

function fakeJobs(count: number, failEvery: number): Job[] {
  const queue: Job[] = [];
  for (let id = 1; id <= count; id++) {
    queue.push({
      id,
      customer: `customer-${id % 3}`,
      fails: failEvery > 0 && id % failEvery === 0,
    });
  }
  return queue;
}

async function processJob(job: Job): Promise<void> {
  // Stands in for real I/O: a few milliseconds that vary per job.
  await delay(1 + (job.id % 4));
  if (job.fails) throw new Error(`job ${job.id} failed`);
}
