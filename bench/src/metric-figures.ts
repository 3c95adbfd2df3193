/**
 * Figures 1 to 3: the cost of a metric call and the delivered throughput, over UDP and TCP,
 * ours against hot-shots (and the bare loop) on the same sink in the same run.
 */
import {
  BareLoop,
  closeHotShots,
  hotShotsBurst,
  oursBurst,
  startHotShots,
  startOurs,
  type Protocol,
} from './clients.js';
import { pidsOf, splitCpus } from './cpu-pinning.js';
import { formatCount, formatNs, formatRate, formatRatio, progress } from './measure.js';
import { lossOf, medianOf, pairedRatio, race, type Contender, type RunResult } from './race.js';
import type { Row } from './report.js';
import type { Sink } from './sink-client.js';

const OURS = 'ours';
const HOT_SHOTS = 'hot-shots';
const BARE = 'bare loop';

interface Field {
  readonly contenders: Contender[];
  readonly close: () => Promise<void>;
  /** What our connector dropped over all runs, by reason, as its own accounting says. */
  readonly oursDrops: () => string;
}

async function field(sink: Sink, protocol: Protocol, withBare: boolean): Promise<Field> {
  const errors = { count: 0 };
  const port = protocol === 'udp' ? sink.udpPort : sink.tcpPort;
  const connector = await startOurs(protocol, port, errors);
  const hotShots = startHotShots(protocol, port, errors);
  const contenders: Contender[] = [
    { name: OURS, burst: (n, chunk) => oursBurst(connector, n, chunk) },
    { name: HOT_SHOTS, burst: (n, chunk) => hotShotsBurst(hotShots, n, chunk) },
  ];
  const bare = withBare ? await BareLoop.connect(sink.udpPort) : undefined;
  if (bare !== undefined) contenders.push({ name: BARE, burst: (n, c) => bare.burst(n, c) });
  return {
    contenders,
    oursDrops: () => {
      const { dropped, dropReasons } = connector.stats();
      if (dropped === 0) return '';
      const reasons = Object.entries(dropReasons)
        .filter(([, count]) => count > 0)
        .map(([reason, count]) => `${reason} ${formatCount(count)}`);
      return ` Our connector's own accounting over all runs, warm-up included: ${formatCount(dropped)} dropped (${reasons.join(', ')}), ${errors.count} errors reported.`;
    },
    close: async () => {
      await connector.stop();
      await closeHotShots(hotShots);
      await bare?.close();
    },
  };
}

function lossNote(results: Map<string, RunResult[]>, names: readonly string[], n: number): string {
  return names
    .map((name) => {
      const loss = lossOf(results, name, n);
      if (loss.total === 0) return `${name}: no loss`;
      const runs = results.get(name) ?? [];
      const overflows = runs.reduce((total, run) => total + run.kernelDrops, 0);
      return (
        `${name}: lost ${formatCount(loss.total)} metrics in ${loss.runs} of ${runs.length} ` +
        `runs (worst run ${formatCount(loss.worst)})` +
        (overflows > 0
          ? `, with ${formatCount(overflows)} datagrams dropped at the sink's full socket`
          : '')
      );
    })
    .join('; ');
}

/**
 * Figure 1: the cost of one `incr`: the CPU time the process spent from the first call until
 * everything was handed to the OS (formatting, queueing and the `send` system calls), per call.
 * CPU time rather than wall time, so that other load on the machine does not count; the wall
 * time is in the note.
 */
export async function hotPathFigure(sink: Sink, rounds: number): Promise<Row[]> {
  const n = 1_000_000;
  const chunk = 1_000;
  progress(`figure 1: hot path, ${formatCount(n)} calls x ${rounds} rounds`);
  const { contenders, close, oursDrops } = await field(sink, 'udp', false);
  const results = await race(sink, contenders, { n, chunk, rounds, warmup: 300_000, quietMs: 250 });
  const drops = oursDrops();
  await close();
  const cpu = (run: RunResult): number => run.cpuNs / n;
  const wall = (run: RunResult): number => run.clientNs / n;
  const ours = medianOf(results, OURS, cpu);
  const hotShots = medianOf(results, HOT_SHOTS, cpu);
  const ratio = pairedRatio(results, HOT_SHOTS, OURS, cpu);
  return [
    {
      figure: '1',
      metric: 'Cost per incr incl. its share of sending (UDP)',
      ours: formatNs(ours),
      rival: `hot-shots ${formatNs(hotShots)}`,
      ratio: `${formatRatio(ratio)} cheaper`,
      target: '≥ 6× cheaper',
      met: ratio >= 6,
      note:
        `${formatCount(n)} calls in chunks of ${formatCount(chunk)}, a turn between chunks; ` +
        `CPU time per call, median of ${rounds}; the ratio is the median of each round's ` +
        `ratio. Wall time per call: ours ${formatNs(medianOf(results, OURS, wall))}, hot-shots ` +
        `${formatNs(medianOf(results, HOT_SHOTS, wall))}. ` +
        `${lossNote(results, [OURS, HOT_SHOTS], n)}.${drops}`,
    },
  ];
}

const BURST = 5_000_000;
const BURST_CHUNK = 20_000;

/** Figures 2 and 3: metrics received per second for a 5-million-metric burst. */
export async function throughputFigure(
  sink: Sink,
  protocol: Protocol,
  rounds: number,
): Promise<Row[]> {
  const udp = protocol === 'udp';
  progress(`figure ${udp ? 2 : 3}: ${protocol} throughput, ${formatCount(BURST)} x ${rounds}`);
  const { contenders, close, oursDrops } = await field(sink, protocol, udp);
  // The sink reads about as fast as the fastest client sends: it needs a CPU of its own.
  const cpus = splitCpus(
    { pids: [process.pid], label: 'the clients' },
    { pids: pidsOf(sink.pid), label: 'the sink' },
  );
  let results: Map<string, RunResult[]>;
  try {
    results = await race(sink, contenders, {
      n: BURST,
      chunk: BURST_CHUNK,
      rounds,
      warmup: 500_000,
      quietMs: 300,
    });
  } finally {
    cpus.restore();
  }
  const drops = oursDrops();
  await close();
  const rate = (run: RunResult): number => run.values / (run.deliveredNs / 1e9);
  const ours = medianOf(results, OURS, rate);
  const hotShots = medianOf(results, HOT_SHOTS, rate);
  const versusHotShots = pairedRatio(results, OURS, HOT_SHOTS, rate);
  const oursLoss = lossOf(results, OURS, BURST);
  const names = udp ? [OURS, HOT_SHOTS, BARE] : [OURS, HOT_SHOTS];
  const note =
    `${formatCount(BURST)} metrics in chunks of ${formatCount(BURST_CHUNK)}, a turn between ` +
    `chunks; ${cpus.description}; rate = metrics received / (last line received − first call); ` +
    `median of ${rounds}, ratios are medians of each round's ratio. ` +
    lossNote(results, names, BURST) +
    '.' +
    drops;
  const label = udp ? 'UDP' : 'TCP';
  const rows: Row[] = [
    {
      figure: udp ? '2a' : '3',
      metric: `Delivered throughput, ${label}, vs hot-shots`,
      ours: formatRate(ours),
      rival: `hot-shots ${formatRate(hotShots)}`,
      ratio: formatRatio(versusHotShots),
      target: '≥ 5×, zero loss',
      met: versusHotShots >= 5 && oursLoss.total === 0,
      note,
    },
  ];
  if (udp) {
    const bare = medianOf(results, BARE, rate);
    const versusBare = pairedRatio(results, OURS, BARE, rate);
    rows.push({
      figure: '2b',
      metric: 'Delivered throughput, UDP, vs the bare loop',
      ours: formatRate(ours),
      rival: `bare loop ${formatRate(bare)}`,
      ratio: formatRatio(versusBare),
      target: '≥ 0.6×, zero loss',
      met: versusBare >= 0.6 && oursLoss.total === 0,
    });
  }
  return rows;
}
