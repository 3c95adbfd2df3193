import { CheckStatus, type StatsdError } from '@statsd/core';
import { FakeStatsdServer, type ParsedMetric } from '@statsd/core/testing';
import { createApp as createExpressApp } from '@statsd-examples/express-app';
import { close, listen } from './serve.js';
import { sendBurst, tally, trafficPlan, type VisitOutcome } from './traffic.js';
import type { ReceivedCheck, ReceivedEvent, TaggedReport, TaggedRequestRow } from './types.js';

/** What the app sends besides its request timers: one event and one service check. */
export const DEMO_EVENT = { title: 'express-app deployed', text: 'Version 1 is serving.' };
export const DEMO_CHECK = { name: 'express_app.can_serve', message: 'serving requests' };

/**
 * The Express app again, as a Datadog user runs it: a `dogstatsd`-dialect connector (from
 * `STATSD_DIALECT`), `naming: 'tags'`, reporting over UDP to a recording loopback sink (the test
 * kit's `FakeStatsdServer`) instead of the daemon, which has no events or service checks. Sends
 * it the same burst as the others, one event and one service check, stops it (its queue is
 * delivered first) and returns what the sink received.
 */
export async function runTaggedApp(
  onError: (error: StatsdError) => void,
  onAppError: (error: unknown) => void,
  waitTimeout: number,
): Promise<TaggedReport> {
  const sink = await FakeStatsdServer.start({ protocol: 'udp' });
  try {
    const env = {
      STATSD_HOST: sink.host,
      STATSD_PORT: String(sink.port),
      STATSD_PROTOCOL: 'udp',
      STATSD_DIALECT: 'dogstatsd',
      NODE_ENV: 'demo',
    };
    const { app, statsd } = createExpressApp({
      statsd: { env, naming: 'tags', onError },
      onError: onAppError,
    });
    const { connector } = statsd;
    const { server, port } = await listen(app);
    let outcomes: VisitOutcome[];
    const plan = trafficPlan();
    try {
      connector.event(DEMO_EVENT.title, DEMO_EVENT.text, { alertType: 'success' });
      outcomes = await sendBurst('127.0.0.1', port, plan);
      connector.check(DEMO_CHECK.name, CheckStatus.ok, { message: DEMO_CHECK.message });
    } finally {
      // Closing waits for the abandoned responses, which record their timers as they close.
      await close(server);
      await connector.stop();
    }
    const stats = connector.stats();
    // On a timeout, report what did arrive: the demo's checks name what is missing.
    const lines = await sink
      .waitForMetrics(stats.sent, { timeout: waitTimeout })
      .catch(() => [...sink.lines]);
    return {
      name: 'express-app',
      dialect: connector.dialect,
      stats,
      traffic: {
        app: 'express-app (tags)',
        sent: plan.length,
        skipped: plan.filter((visit) => visit.skipped).length,
        outcomes: tally(outcomes),
        visits: plan.map((visit, index) => ({ path: visit.path, outcome: outcomes[index] ?? 0 })),
      },
      requests: requestRows(sink.metrics),
      events: lines.filter((line) => line.startsWith('_e{')).map(readEvent),
      checks: lines.filter((line) => line.startsWith('_sc|')).map(readCheck),
      lines,
      received: sink.receivedMetrics,
    };
  } finally {
    await sink.stop();
  }
}

/** `http.request` timers by their `route`, `method` and `status` tags, with how many arrived. */
function requestRows(metrics: readonly ParsedMetric[]): TaggedRequestRow[] {
  const counts = new Map<string, TaggedRequestRow>();
  // One per value: a line may hold several values of one series (DogStatsD packs them).
  for (const { name, tags, type } of metrics) {
    if (name !== 'http.request' || type !== 'ms') continue;
    const tag = (key: string): string =>
      tags.find((pair) => pair.startsWith(`${key}:`))?.slice(key.length + 1) ?? '';
    const row = { route: tag('route'), method: tag('method'), status: tag('status') };
    const key = `${row.route} ${row.method} ${row.status}`;
    const count = (counts.get(key)?.count ?? 0) + 1;
    counts.set(key, { ...row, count });
  }
  return [...counts.values()].sort(
    (a, b) =>
      a.route.localeCompare(b.route) ||
      a.method.localeCompare(b.method) ||
      a.status.localeCompare(b.status),
  );
}

/** `_e{<title bytes>,<text bytes>}:<title>|<text>|<fields>…`, as the agent reads it. */
function readEvent(line: string): ReceivedEvent {
  const header = /^_e\{(\d+),(\d+)\}:/.exec(line);
  const bytes = Buffer.from(line.slice(header?.[0].length ?? 0));
  const titleBytes = Number(header?.[1] ?? 0);
  const textBytes = Number(header?.[2] ?? 0);
  const title = bytes.subarray(0, titleBytes).toString();
  const text = bytes.subarray(titleBytes + 1, titleBytes + 1 + textBytes).toString();
  const fields = bytes
    .subarray(titleBytes + 1 + textBytes)
    .toString()
    .split('|');
  return { title, text, ...fieldsOf(fields), line };
}

/** `_sc|<name>|<status>|<fields>…|m:<message>`, as the agent reads it. */
function readCheck(line: string): ReceivedCheck {
  const [, name = '', status = '', ...fields] = line.split('|');
  return { name, status: Number(status), ...fieldsOf(fields), line };
}

function fieldsOf(fields: readonly string[]): {
  alertType?: string;
  message?: string;
  tags: readonly string[];
} {
  const alertType = fields.find((field) => field.startsWith('t:'))?.slice(2);
  const message = fields.find((field) => field.startsWith('m:'))?.slice(2);
  const tags =
    fields
      .find((field) => field.startsWith('#'))
      ?.slice(1)
      .split(',') ?? [];
  return {
    ...(alertType === undefined ? {} : { alertType }),
    ...(message === undefined ? {} : { message }),
    tags,
  };
}

/** What is wrong with the tagged app's run; empty when every request, event and check arrived. */
export function checkTagged(report: TaggedReport): string[] {
  const problems: string[] = [];
  const { name, stats, traffic, requests, events, checks, received } = report;
  if (stats.dropped > 0)
    problems.push(`${name} (tags)'s connector dropped ${stats.dropped} metrics`);
  if (received < stats.sent) {
    problems.push(`the sink received ${received} of the ${stats.sent} metrics ${name} (tags) sent`);
  }
  const timed = requests.reduce((total, row) => total + row.count, 0);
  const expected = traffic.sent - traffic.skipped;
  if (timed !== expected) {
    problems.push(`the sink received ${timed} tagged request timers, not ${expected}`);
  }
  if (events.length !== 1) problems.push(`the sink received ${events.length} events, not 1`);
  if (checks.length !== 1)
    problems.push(`the sink received ${checks.length} service checks, not 1`);
  return problems;
}
