/**
 * Figure 5, run in its own process with `--expose-gc` so that the resident-memory baseline is
 * clean: the TCP server is down (its port closed), 10 million metric calls fill the queue to its
 * byte bound and drop the rest; then the server comes back and the backlog must arrive whole.
 * Sends one {@link OutageResult} to the parent.
 */
import { oursBurst, startOurs } from './clients.js';
import { now, since, yieldTurn } from './measure.js';
import { Sink } from './sink-client.js';

export interface OutageResult {
  readonly calls: number;
  readonly maxQueueBytes: number;
  readonly baselineRss: number;
  /** The larger of the largest RSS seen after any chunk and the process's peak RSS. */
  readonly peakRss: number;
  readonly enqueued: number;
  readonly queued: number;
  readonly queuedBytes: number;
  readonly droppedQueueFull: number;
  readonly droppedOther: number;
  readonly delivered: number;
  /** From the server coming back until the sink had the whole backlog. */
  readonly recoveryNs: number;
  readonly callNs: number;
}

const CALLS = 10_000_000;
const CHUNK = 20_000;
const MAX_QUEUE_BYTES = 8 * 1024 * 1024;

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  gc();
  gc();
}

async function main(): Promise<void> {
  const sink = await Sink.start();
  const port = sink.tcpPort;
  // The server goes down: connections to its port are refused from now on.
  await sink.closeTcp();
  const errors = { count: 0 };
  const options = {
    maxQueueBytes: MAX_QUEUE_BYTES,
    // The byte bound is the one under test: the metric-count bound stays out of its way.
    maxQueueSize: CALLS,
    reconnectMinDelay: 20,
    reconnectMaxDelay: 100,
    stopTimeout: 60_000,
  };

  // Warm up the same code on a throwaway connector, so that compiled code and the heap's steady
  // size are part of the baseline, not of the growth.
  // Its queue is small, so that both the queueing and the dropping path are compiled while
  // the freed queue leaves next to nothing resident to flatter the baseline.
  const warm = await startOurs('tcp', port, errors, {
    ...options,
    maxQueueBytes: 64 * 1024,
    stopTimeout: 1,
  });
  for (let i = 0; i < 20; i++) {
    for (let j = 0; j < CHUNK * 5; j++) warm.incr('hot.path');
    await yieldTurn();
  }
  await warm.stop();
  collect();

  const connector = await startOurs('tcp', port, errors, options);
  collect();
  const baselineRss = process.memoryUsage.rss();
  let peakRss = baselineRss;
  const start = now();
  for (let done = 0; done < CALLS; done += CHUNK) {
    for (let i = 0; i < CHUNK; i++) connector.incr('hot.path');
    await yieldTurn();
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
  }
  const callNs = since(start) / CALLS;
  // The kernel's high-water mark also catches a peak between two samples (it may predate the
  // baseline, which only makes the figure more conservative).
  peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
  const stats = connector.stats();

  await sink.reset();
  const back = now();
  await sink.listenTcp(port);
  const counts = await sink.settle(stats.queued, 2_000);
  const recoveryNs = Number(BigInt(counts.lastAt) - back);
  // The connector keeps working after the outage: a fresh burst still arrives.
  await oursBurst(connector, CHUNK, CHUNK);
  await connector.stop();
  await sink.stop();
  const { dropReasons } = stats;
  const result: OutageResult = {
    calls: CALLS,
    maxQueueBytes: MAX_QUEUE_BYTES,
    baselineRss,
    peakRss,
    enqueued: stats.enqueued,
    queued: stats.queued,
    queuedBytes: stats.queuedBytes,
    droppedQueueFull: dropReasons.queueFull,
    droppedOther: stats.dropped - dropReasons.queueFull,
    delivered: counts.values,
    recoveryNs,
    callNs,
  };
  process.send?.(result);
  process.disconnect();
}

main().catch((error: unknown) => {
  console.error('outage benchmark failed:', error);
  process.exit(1);
});
