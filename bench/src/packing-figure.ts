/**
 * Figure 4d: what a request timer costs on the wire, before and after packed values. The Express
 * app of figure 4 (`app-server.ts`) serves a fixed number of requests with our middleware in the
 * `statsd` dialect (path naming) and the `dogstatsd` dialect (tags naming), each with
 * `packValues: false` and `true`, and with express-hot-shots; the sink counts the bytes, datagrams
 * and metric values that arrive. A size figure: no throughput is judged here.
 */
import autocannon from 'autocannon';
import { formatCount, formatRatio, progress } from './measure.js';
import { startApp, stopApp, valuesPerRequest } from './middleware-figure.js';
import type { OurOptions, Variant } from './app-server.js';
import type { Row } from './report.js';
import type { Sink } from './sink-client.js';

/** Requests per variant: enough for thousands of datagrams, a few seconds each. */
const REQUESTS = 20_000;
/** As in figure 4. */
const CONNECTIONS = 10;

interface Contender {
  readonly label: string;
  readonly variant: Variant;
  readonly ours?: OurOptions;
}

const CONTENDERS: readonly Contender[] = [
  { label: 'statsd, unpacked', variant: 'ours', ours: { dialect: 'statsd', packValues: false } },
  { label: 'statsd, packed', variant: 'ours', ours: { dialect: 'statsd', packValues: true } },
  {
    label: 'dogstatsd, unpacked',
    variant: 'ours',
    ours: { dialect: 'dogstatsd', packValues: false },
  },
  { label: 'dogstatsd, packed', variant: 'ours', ours: { dialect: 'dogstatsd', packValues: true } },
  { label: 'hot-shots', variant: 'hot-shots' },
];

/** What the sink received for one contender's requests. */
interface Sizes {
  readonly sent: number;
  readonly served: number;
  readonly failures: number;
  /** Request timer values received (express-hot-shots' counters left out). */
  readonly timers: number;
  readonly values: number;
  readonly lines: number;
  readonly datagrams: number;
  readonly bytes: number;
}

async function sizesOf(sink: Sink, contender: Contender): Promise<Sizes> {
  const app = await startApp('express', contender.variant, sink, contender.ours);
  try {
    await sink.reset();
    const result = await autocannon({ url: app.url, connections: CONNECTIONS, amount: REQUESTS });
    const served = result.requests.total;
    const perRequest = valuesPerRequest('express', contender.variant);
    // hot-shots flushes its buffer once a second: the quiet period outlasts that.
    const counts = await sink.settle(served * perRequest, 1_200);
    return {
      sent: result.requests.sent,
      served,
      failures: result.errors + result.timeouts + result.non2xx,
      timers: counts.values / perRequest,
      values: counts.values,
      lines: counts.lines,
      datagrams: counts.udpPackets,
      bytes: counts.bytes,
    };
  } finally {
    await stopApp(app);
  }
}

const bytesPerTimer = (sizes: Sizes): number => sizes.bytes / sizes.timers;

function describe(label: string, sizes: Sizes): string {
  const lost = sizes.served - sizes.timers;
  return (
    `${label}: ${bytesPerTimer(sizes).toFixed(1)} bytes per request timer, ` +
    `${((sizes.datagrams / sizes.timers) * 1000).toFixed(1)} datagrams per 1,000 timers, ` +
    `${(sizes.values / sizes.lines).toFixed(2)} values per line, ` +
    `${formatCount(sizes.timers)} timers received for ${formatCount(sizes.served)} requests ` +
    `served (${formatCount(sizes.sent)} sent)` +
    (lost === 0 ? '' : `: ${formatCount(lost)} LOST`)
  );
}

/** The two rows of figure 4d: the `statsd` and the `dogstatsd` dialect, packed against not. */
export async function packingFigure(sink: Sink): Promise<Row[]> {
  progress(`figure 4d: bytes per request timer, Express, ${formatCount(REQUESTS)} requests each`);
  const sizes = new Map<string, Sizes>();
  for (const contender of CONTENDERS) {
    const measured = await sizesOf(sink, contender);
    sizes.set(contender.label, measured);
    progress(describe(contender.label, measured));
  }
  const of = (label: string): Sizes => {
    const measured = sizes.get(label);
    if (measured === undefined) throw new Error(`figure 4d has no ${label} run`);
    return measured;
  };
  const hotShots = bytesPerTimer(of('hot-shots'));
  const failures = [...sizes.values()].reduce((total, run) => total + run.failures, 0);
  const note =
    `a size figure, no throughput judged: the Express app of figure 4 (a fresh process per ` +
    `variant, unpinned, no warm-up) served ${formatCount(REQUESTS)} requests from autocannon ` +
    `(${CONNECTIONS} connections) with our middleware in the statsd dialect (path naming: one ` +
    `name per route, method and status) and the dogstatsd dialect (its default tags naming: ` +
    `\`http.request\` with route, method and status tags), each with packValues false and ` +
    `true, and with express-hot-shots (a counter and a timer per request; its bytes per timer ` +
    `include the counter). Bytes are the datagrams' payloads at the sink. How many timers share ` +
    `a line depends on how many wait in one packet, so on the request rate against the ` +
    `middleware's 100 ms flush interval. ` +
    CONTENDERS.map((contender) => describe(contender.label, of(contender.label))).join('; ') +
    '.' +
    (failures > 0 ? ` ${formatCount(failures)} failed requests.` : '');
  return (['statsd', 'dogstatsd'] as const).map((dialect, index) => {
    const packedRun = of(`${dialect}, packed`);
    const unpackedRun = of(`${dialect}, unpacked`);
    const packed = bytesPerTimer(packedRun);
    const unpacked = bytesPerTimer(unpackedRun);
    const lossless = [packedRun, unpackedRun].every((run) => run.timers === run.served);
    return {
      figure: '4d',
      metric: `Bytes per request timer, Express, ${dialect} dialect`,
      ours: `${packed.toFixed(1)} B packed${lossless ? '' : ', WITH LOSS'}`,
      rival: `unpacked ${unpacked.toFixed(1)} B; hot-shots ${hotShots.toFixed(1)} B`,
      ratio: `${formatRatio(packed / unpacked)} of unpacked`,
      target: 'size only',
      met: undefined,
      ...(index === 0 ? { note } : {}),
    };
  });
}
