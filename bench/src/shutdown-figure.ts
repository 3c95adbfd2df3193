/**
 * Figure 6: `stop()` of a connector whose queue is full (8 MiB, filled before the connection
 * came up), with a live TCP server: how long until the queue is delivered and the connector has
 * stopped. hot-shots' `close()` after the same number of metrics is measured beside it.
 */
import { closeHotShots, startHotShots, startOurs, PATH } from './clients.js';
import { formatCount, formatMiB, formatNs, median, now, progress, since } from './measure.js';
import { nsBetween, type Sink } from './sink-client.js';
import type { Row } from './report.js';

const MAX_QUEUE_BYTES = 8 * 1024 * 1024;
/** More calls than the queue holds, so that it is full when `stop()` is called. */
const CALLS = 400_000;

interface StopRun {
  readonly queued: number;
  readonly queuedBytes: number;
  readonly stopNs: number;
  readonly deliveredNs: number;
  readonly delivered: number;
}

async function oursOnce(sink: Sink): Promise<StopRun> {
  await sink.reset();
  const errors = { count: 0 };
  const connector = await startOurs('tcp', sink.tcpPort, errors, {
    maxQueueBytes: MAX_QUEUE_BYTES,
    maxQueueSize: CALLS,
    stopTimeout: 60_000,
  });
  // The connection is still being made: everything queues, the overflow is dropped.
  for (let i = 0; i < CALLS; i++) connector.incr(PATH);
  const { queued, queuedBytes } = connector.stats();
  const start = now();
  await connector.stop();
  const stopNs = since(start);
  const counts = await sink.settle(queued, 500);
  return {
    queued,
    queuedBytes,
    stopNs,
    deliveredNs: nsBetween(start, counts.lastAt),
    delivered: counts.values,
  };
}

async function hotShotsOnce(sink: Sink, metrics: number): Promise<StopRun> {
  await sink.reset();
  const client = startHotShots('tcp', sink.tcpPort, { count: 0 });
  for (let i = 0; i < metrics; i++) client.increment(PATH);
  const start = now();
  await closeHotShots(client);
  const stopNs = since(start);
  const counts = await sink.settle(metrics, 500);
  return {
    queued: metrics,
    queuedBytes: 0,
    stopNs,
    deliveredNs: counts.values > 0 ? nsBetween(start, counts.lastAt) : Number.NaN,
    delivered: counts.values,
  };
}

export async function shutdownFigure(sink: Sink, rounds: number): Promise<Row[]> {
  progress(`figure 6: stop() with a full queue, ${rounds} rounds`);
  const ours: StopRun[] = [];
  const rival: StopRun[] = [];
  for (let round = 0; round < rounds; round++) {
    const run = await oursOnce(sink);
    ours.push(run);
    rival.push(await hotShotsOnce(sink, run.queued));
    progress(
      `stop(): ${formatNs(run.stopNs)}, ${run.delivered}/${run.queued} delivered; ` +
        `hot-shots close(): ${formatNs(rival[round]?.stopNs ?? 0)}, ` +
        `${rival[round]?.delivered ?? 0} delivered`,
    );
  }
  const first = ours[0] as StopRun;
  const stopNs = median(ours.map((run) => run.stopNs));
  const allDelivered = ours.every((run) => run.delivered === run.queued);
  const rivalNs = median(rival.map((run) => run.stopNs));
  const rivalDelivered = median(rival.map((run) => run.delivered / run.queued));
  return [
    {
      figure: '6',
      metric: 'stop() with a full queue, live TCP server',
      ours: `${formatNs(stopNs)}, ${allDelivered ? 'all' : 'NOT all'} delivered`,
      rival: `hot-shots close() ${formatNs(rivalNs)}, ${(rivalDelivered * 100).toFixed(1)}% delivered`,
      ratio: `${ours.filter((run) => run.delivered === run.queued).length}/${ours.length} whole`,
      target: 'queue delivered; time reported',
      met: allDelivered,
      note:
        `${formatCount(first.queued)} metrics (${formatMiB(first.queuedBytes)}) queued before the ` +
        `connection was up; time from stop() until it resolved, median of ${rounds} ` +
        `(last line received after ${formatNs(median(ours.map((run) => run.deliveredNs)))}). ` +
        `hot-shots was given as many metrics and closed the same way.`,
    },
  ];
}
