import type { Server } from 'node:http';
import type { Connector, StatsdEnvironment, StatsdError } from '@statsd/core';
import { createApp as createExpressApp } from '@statsd-examples/express-app';
import { createApp as createFastifyApp } from '@statsd-examples/fastify-app';
import { createApp as createKoaApp } from '@statsd-examples/koa-app';
import { runWorker, type WorkerSummary } from '@statsd-examples/worker';
import { StatsdDaemon } from '@statsd-internal/daemon';
import { close, listen } from './serve.js';
import { readSnapshot, requestsTimed } from './snapshot.js';
import { checkTagged, runTaggedApp } from './tagged-app.js';
import { sendBurst, tally, trafficPlan } from './traffic.js';
import type {
  DaemonSnapshot,
  DemoOptions,
  DemoResult,
  SourceReport,
  TrafficReport,
} from './types.js';

interface RunningApp {
  readonly name: string;
  readonly protocol: 'tcp' | 'udp';
  readonly server: Server;
  readonly port: number;
  readonly connector: Connector;
}

// The apps' GET /fail throws this on purpose; any other application error is a problem.
const EXPECTED_FAILURE = /^Simulated failure/;

/**
 * The project's main job, end to end: starts the reference StatsD daemon on loopback, the
 * Express app (reporting over TCP), the Koa app (over UDP), the Fastify app (over TCP) and the
 * worker (over TCP) against it,
 * with settings handed over as `STATSD_*` variables; sends each app a burst of requests (known
 * routes, unknown URLs, failures, aborted requests), waits until the daemon has every request
 * and job, stops everything gracefully and returns what the daemon aggregated. Then runs the
 * Express app once more in `naming: 'tags'` with a `dogstatsd` connector against a recording
 * loopback sink, with one event and one service check, and returns what the sink received.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const { log = () => {}, waitTimeout = 10_000 } = options;
  const daemon = await StatsdDaemon.start();
  try {
    log(
      `StatsD daemon (statsd 0.9.0) on ${daemon.host}: TCP ${daemon.tcpPort}, ` +
        `UDP ${daemon.udpPort}, management ${daemon.mgmtPort}`,
    );
    return await driveExamples(daemon, log, waitTimeout);
  } finally {
    await daemon.stop();
  }
}

async function driveExamples(
  daemon: StatsdDaemon,
  log: (line: string) => void,
  waitTimeout: number,
): Promise<DemoResult> {
  const problems: string[] = [];
  const onError = (error: StatsdError): void => {
    problems.push(`connector: ${error.message}`);
  };
  const onAppError = (error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    if (!EXPECTED_FAILURE.test(message)) problems.push(`application: ${message}`);
  };
  const apps = await startApps(daemon, onError, onAppError);
  try {
    for (const app of apps) {
      log(
        `${app.name} on http://127.0.0.1:${app.port}, metrics over ${app.protocol.toUpperCase()}`,
      );
    }
    log('Sending requests to the apps while the worker runs…');
    const [worker, ...traffic] = await Promise.all([
      runWorker({ env: statsdEnv(daemon, 'tcp'), environment: 'demo', onError }),
      ...apps.map((app) => burst(app)),
    ]);
    log(`Worker done: ${worker.done} jobs done, ${worker.failed} failed.`);
    log('Waiting for the daemon to have every request and job…');
    await awaitDelivery(daemon, apps, traffic, worker, waitTimeout).catch((error: unknown) => {
      problems.push(`not everything arrived: ${(error as Error).message}`);
    });
    log('Stopping the apps and their connectors (queues are drained first)…');
    await stopApps(apps);
    const sources = sourcesOf(apps, worker);
    const snapshot = await finalSnapshot(daemon, sources, waitTimeout).catch((error: unknown) => {
      problems.push(`not everything sent was parsed: ${(error as Error).message}`);
      return readSnapshot(daemon);
    });
    problems.push(...check(snapshot, sources));
    log('Running express-app in naming: tags with a dogstatsd connector, to a recording sink…');
    const tagged = await runTaggedApp(onError, onAppError, waitTimeout);
    problems.push(...checkTagged(tagged));
    return { snapshot, sources, traffic, worker, tagged, problems };
  } finally {
    // Idempotent: after a failure above, nothing may keep the process alive.
    await stopApps(apps);
  }
}

/** Each app's and the worker's prefix and final accounting, once their connectors stopped. */
function sourcesOf(apps: readonly RunningApp[], worker: WorkerSummary): SourceReport[] {
  return [
    ...apps.map((app) => ({
      name: app.name,
      prefix: app.connector.prefix,
      protocol: app.protocol,
      stats: app.connector.stats(),
    })),
    { name: 'worker', prefix: worker.prefix, protocol: 'tcp', stats: worker.stats },
  ];
}

function statsdEnv(daemon: StatsdDaemon, protocol: 'tcp' | 'udp'): StatsdEnvironment {
  return {
    STATSD_HOST: daemon.host,
    STATSD_PORT: String(protocol === 'tcp' ? daemon.tcpPort : daemon.udpPort),
    STATSD_PROTOCOL: protocol,
    NODE_ENV: 'demo',
  };
}

async function startApps(
  daemon: StatsdDaemon,
  onError: (error: StatsdError) => void,
  onAppError: (error: unknown) => void,
): Promise<RunningApp[]> {
  const express = createExpressApp({
    statsd: { env: statsdEnv(daemon, 'tcp'), onError },
    onError: onAppError,
  });
  const koa = createKoaApp({
    statsd: { env: statsdEnv(daemon, 'udp'), onError },
    onError: onAppError,
  });
  const fastify = createFastifyApp({
    statsd: { env: statsdEnv(daemon, 'tcp'), onError },
    onError: onAppError,
  });
  const apps: RunningApp[] = [];
  try {
    const expressServer = await listen(express.app);
    apps.push({
      name: 'express-app',
      protocol: 'tcp',
      ...expressServer,
      connector: express.statsd.connector,
    });
    const koaServer = await listen(koa.app.callback());
    apps.push({ name: 'koa-app', protocol: 'udp', ...koaServer, connector: koa.statsd.connector });
    // Fastify serves on its own server; the plugin's connector is there once it has loaded.
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const port = (fastify.server.address() as { port: number }).port;
    apps.push({
      name: 'fastify-app',
      protocol: 'tcp',
      server: fastify.server,
      port,
      connector: fastify.statsd,
    });
  } catch (error) {
    await stopApps(apps);
    await Promise.all([
      express.statsd.connector.stop(),
      koa.statsd.connector.stop(),
      fastify.close(),
    ]);
    throw error;
  }
  return apps;
}

async function burst(app: RunningApp): Promise<TrafficReport> {
  const plan = trafficPlan();
  const outcomes = await sendBurst('127.0.0.1', app.port, plan);
  return {
    app: app.name,
    sent: plan.length,
    skipped: plan.filter((visit) => visit.skipped).length,
    outcomes: tally(outcomes),
    visits: plan.map((visit, index) => ({ path: visit.path, outcome: outcomes[index] ?? 0 })),
  };
}

/**
 * The client can be done before the server has recorded a request (an aborted response closes
 * on the server after the client left) and before the daemon has read the bytes: wait for the
 * daemon to hold every timed request and every job.
 */
async function awaitDelivery(
  daemon: StatsdDaemon,
  apps: readonly RunningApp[],
  traffic: readonly TrafficReport[],
  worker: WorkerSummary,
  timeout: number,
): Promise<void> {
  await daemon.waitFor(
    readSnapshot,
    (snapshot) =>
      apps.every((app, index) => {
        const expected = (traffic[index]?.sent ?? 0) - (traffic[index]?.skipped ?? 0);
        return requestsTimed(snapshot.timers, app.connector.prefix) >= expected;
      }) &&
      (snapshot.counters[`${worker.prefix}.counters.jobs.done`] ?? 0) +
        (snapshot.counters[`${worker.prefix}.counters.jobs.failed`] ?? 0) >=
        worker.processed,
    { timeout },
  );
}

/** Once every connector has stopped: the daemon's state when it has parsed all they sent. */
function finalSnapshot(
  daemon: StatsdDaemon,
  sources: readonly SourceReport[],
  timeout: number,
): Promise<DaemonSnapshot> {
  const sent = sources.reduce((total, source) => total + source.stats.sent, 0);
  return daemon.waitFor(
    readSnapshot,
    (snapshot) => (snapshot.counters['statsd.metrics_received'] ?? 0) >= sent,
    { timeout },
  );
}

async function stopApps(apps: readonly RunningApp[]): Promise<void> {
  await Promise.all(
    apps.map(async (app) => {
      if (app.server.listening) await close(app.server);
      await app.connector.stop();
    }),
  );
}

function check(snapshot: DaemonSnapshot, sources: readonly SourceReport[]): string[] {
  const problems: string[] = [];
  if (snapshot.badLines > 0) problems.push(`the daemon saw ${snapshot.badLines} bad lines`);
  for (const source of sources) {
    const start = `${source.prefix}.`;
    const arrived = [snapshot.counters, snapshot.gauges, snapshot.timers].some((table) =>
      Object.keys(table).some((name) => name.startsWith(start)),
    );
    if (!arrived) problems.push(`nothing from ${source.name} reached the daemon`);
    if (source.stats.dropped > 0) {
      problems.push(`${source.name}'s connector dropped ${source.stats.dropped} metrics`);
    }
  }
  return problems;
}
