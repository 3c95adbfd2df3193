/**
 * Figure 7: the cost of a metric in the workload services have (see `tagged-clients.ts`): four
 * metrics per unit of work over 100 names, tags built per call, in each dialect, ours against
 * hot-shots and the bare loop on the same sink in the same rounds.
 */
import type { Dialect } from '@statsd/core';
import { closeHotShots, startOurs } from './clients.js';
import { formatCount, formatNs, formatRatio, progress } from './measure.js';
import { lossOf, medianOf, pairedRatio, race, type RunResult } from './race.js';
import type { Row } from './report.js';
import type { Sink } from './sink-client.js';
import {
  BareTaggedLoop,
  hotShotsTaggedBurst,
  oursTaggedBurst,
  startTaggedHotShots,
} from './tagged-clients.js';

const OURS = 'ours';
const HOT_SHOTS = 'hot-shots';
const BARE = 'bare loop';

/** Metrics per run: 100,000 units of work. */
const N = 400_000;
/** Metrics between two event-loop turns: 250 units. */
const CHUNK = 1_000;

const DIALECT_FIGURES: readonly (readonly [Dialect, string, string])[] = [
  ['dogstatsd', '7a', '7b'],
  ['telegraf', '7c', '7d'],
  ['statsd', '7e', '7f'],
];

/** What each dialect's hot-shots is, for the note. */
const HOT_SHOTS_MODE: Readonly<Record<Dialect, string>> = {
  dogstatsd: 'its default DogStatsD tags',
  telegraf: '`telegraf: true`',
  statsd:
    'its default DogStatsD tags, which the reference daemon folds into the same `;k=v` series ' +
    '(hot-shots has no Graphite tags)',
};

/** Runs the three contenders of one dialect; returns its two rows. */
async function dialectRows(
  sink: Sink,
  dialect: Dialect,
  rounds: number,
  ids: readonly [string, string],
): Promise<Row[]> {
  progress(`figure 7, ${dialect}: tagged workload, ${formatCount(N)} metrics x ${rounds} rounds`);
  const errors = { count: 0 };
  const connector = await startOurs('udp', sink.udpPort, errors, { dialect });
  const hotShots = startTaggedHotShots(dialect, sink.udpPort, errors);
  const bare = await BareTaggedLoop.connect(sink.udpPort, dialect);
  let results: Map<string, RunResult[]>;
  try {
    results = await race(
      sink,
      [
        { name: OURS, burst: (n, chunk) => oursTaggedBurst(connector, n, chunk) },
        { name: HOT_SHOTS, burst: (n, chunk) => hotShotsTaggedBurst(hotShots, dialect, n, chunk) },
        { name: BARE, burst: (n, chunk) => bare.burst(n, chunk) },
      ],
      { n: N, chunk: CHUNK, rounds, warmup: 100_000, quietMs: 250 },
    );
  } finally {
    await connector.stop();
    await closeHotShots(hotShots);
    await bare.close();
  }
  const { dropped } = connector.stats();
  const cpu = (run: RunResult): number => run.cpuNs / N;
  const ours = medianOf(results, OURS, cpu);
  const versusHotShots = pairedRatio(results, HOT_SHOTS, OURS, cpu);
  const versusBare = pairedRatio(results, OURS, BARE, cpu);
  const oursLoss = lossOf(results, OURS, N).total;
  const loss = [OURS, HOT_SHOTS, BARE]
    .map((name) => {
      const { total, runs } = lossOf(results, name, N);
      return total === 0
        ? `${name}: no loss`
        : `${name}: lost ${formatCount(total)} in ${runs} runs`;
    })
    .join('; ');
  const lossless = oursLoss === 0 && dropped === 0;
  return [
    {
      figure: ids[0],
      metric: `Cost per tagged metric incl. sending, ${dialect} (UDP)`,
      ours: formatNs(ours),
      rival: `hot-shots ${formatNs(medianOf(results, HOT_SHOTS, cpu))}`,
      ratio: `${formatRatio(versusHotShots)} cheaper`,
      target: '≥ 6× cheaper, zero loss',
      met: versusHotShots >= 6 && lossless,
      note:
        `${formatCount(N / 4)} units of work (incr, timing, gauge, histogram; 100 names; tags ` +
        `{ route, method, status } built per call) in chunks of ${formatCount(CHUNK / 4)}, a ` +
        `turn between chunks; CPU time per metric, median of ${rounds}; ratios are medians of ` +
        `each round's ratio. hot-shots: buffered, ${HOT_SHOTS_MODE[dialect]}. ${loss}; our ` +
        `connector's accounting: ${formatCount(dropped)} dropped, ${errors.count} errors reported.`,
    },
    {
      figure: ids[1],
      metric: `Cost per tagged metric incl. sending, ${dialect}, vs the bare loop`,
      ours: formatNs(ours),
      rival: `bare loop ${formatNs(medianOf(results, BARE, cpu))}`,
      ratio: formatRatio(versusBare),
      target: '≤ 1.6×, zero loss',
      met: versusBare <= 1.6 && lossless,
    },
  ];
}

/** Figure 7: two rows per dialect (against hot-shots, against the bare loop). */
export async function taggedFigure(sink: Sink, rounds: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [dialect, first, second] of DIALECT_FIGURES) {
    rows.push(...(await dialectRows(sink, dialect, rounds, [first, second])));
  }
  return rows;
}
