/**
 * Figure 4: requests per second of an Express, a Koa and a Fastify app with our middleware,
 * against the same app with no metrics and with a hot-shots-based middleware.
 *
 * A long-lived app process carries its own luck (what the JIT made of it, its heap layout): two
 * identical bare processes differ by 3–5% for a whole run, more than the 3% the figure judges.
 * So every run of every variant gets a fresh process, warmed up, then measured; the rounds
 * average the luck out. The app runs alone on one CPU, autocannon (in this process) and the sink
 * on the other, so that the app is the bottleneck; its busy fraction (CPU time / wall time while
 * measured, near 1) in the note checks that.
 *
 * Every framework's rounds run the same five variants: bare, a no-op middleware (what any
 * middleware costs before doing anything; a Fastify app with no hook even skips its hook runner),
 * a yardstick (a middleware that only keeps the CPU busy for 1 µs per request), ours and
 * hot-shots. A Koa request costs about 30 µs of CPU here, so 3% is about 1 µs, and what that
 * microsecond scores depends on the machine and its neighbours at the time (the app's CPU per
 * request grows by several times what a middleware spends); the yardstick measures it in the same
 * run, and Koa and Fastify are judged against it. An Express request costs about 140 µs, where a
 * microsecond is below the noise: Express keeps its 0.97×-of-bare target.
 */
import { fork, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { HOST } from './clients.js';
import { pidsOf, splitCpus, type CpuSplit } from './cpu-pinning.js';
import { formatCount, formatRatio, median, progress, sum } from './measure.js';
import { distFile } from './paths.js';
import type { Row } from './report.js';
import type { Sink } from './sink-client.js';
import type { SinkCounts } from './sink-protocol.js';
import {
  BUSY_WAIT_MICROSECONDS,
  type Framework,
  type OurOptions,
  type Variant,
} from './app-server.js';

/** The variants of every round, in every framework; the notes list them in this order. */
const VARIANTS: readonly Variant[] = ['bare', 'no-op', 'busy-wait', 'ours', 'hot-shots'];

/** How the notes name each variant. */
const LABELS: Record<Variant, string> = {
  bare: 'bare',
  'no-op': 'no-op',
  'busy-wait': 'yardstick',
  ours: 'ours',
  'hot-shots': 'hot-shots',
};

/**
 * What a row's ratios must reach: at least 0.97 of bare (Express), or at least what the
 * yardstick scored against bare in the same rounds (Koa, Fastify).
 */
type Target = 'bare' | 'yardstick';

/** Lowest ratio to bare that still meets the `bare` target. */
const BARE_TARGET = 0.97;

/**
 * Each framework's row: its figure number, what it measures, its hot-shots rival, its no-op
 * middleware and its target.
 */
const ROWS: Record<
  Framework,
  { figure: string; metric: string; rival: string; noOp: string; target: Target }
> = {
  express: {
    figure: '4a',
    metric: 'Express app with our middleware',
    rival: 'express-hot-shots',
    noOp: '(req, res, next) => next()',
    target: 'bare',
  },
  koa: {
    figure: '4b',
    metric: 'Koa app with our middleware',
    rival: 'a hot-shots Koa middleware',
    noOp: '(ctx, next) => next()',
    target: 'yardstick',
  },
  fastify: {
    figure: '4c',
    metric: 'Fastify app with our plugin',
    rival: 'a hot-shots Fastify onResponse hook',
    noOp: 'an onRequest hook calling done()',
    target: 'yardstick',
  },
};

const CONNECTIONS = 10;
/**
 * Load before measuring, for the JIT to optimise the request path: after 1 s a fresh app still
 * serves 10–20% below its steady rate for about another second, so 1 s would measure warm-up.
 */
const WARM_UP_SECONDS = 2;

export interface RunningApp {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
}

/** Forks an app of `app-server.ts`; `ours` is laid over our middleware's settings. */
export async function startApp(
  framework: Framework,
  variant: Variant,
  sink: Sink,
  ours: OurOptions = {},
): Promise<RunningApp> {
  const args = [framework, variant, String(sink.udpPort), JSON.stringify(ours)];
  const child = fork(distFile('app-server.js'), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${framework} ${variant} exited: ${code}`)));
    child.once('message', (message: { port: number }) => resolve(message.port));
  });
  child.removeAllListeners('exit');
  if (child.pid === undefined) throw new Error(`${framework} ${variant} has no process id`);
  return { child, pid: child.pid, url: `http://${HOST}:${port}/users/42` };
}

/** The app process's CPU time so far, in microseconds. */
function cpuOf(app: RunningApp): Promise<number> {
  return new Promise((resolve) => {
    app.child.once('message', (message: { cpu: number }) => resolve(message.cpu));
    app.child.send('cpu');
  });
}

export function stopApp(app: RunningApp): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    app.child.once('exit', () => resolve());
    app.child.send('stop');
  });
}

interface Load {
  readonly rps: number;
  readonly requests: number;
  readonly failures: number;
}

async function load(url: string, seconds: number): Promise<Load> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  return {
    rps: result.requests.total / result.duration,
    requests: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

interface Measured extends Load {
  /** The app's CPU time per request, µs. */
  readonly cpuPerRequest: number;
  /** The app's CPU time / wall time: near 1 when the app, not the load generator, is the limit. */
  readonly busy: number;
}

/** Loads the app for `seconds`, reading its CPU time on both sides. */
async function measure(app: RunningApp, seconds: number): Promise<Measured> {
  const cpuBefore = await cpuOf(app);
  const startedAt = performance.now();
  const result = await load(app.url, seconds);
  const cpu = (await cpuOf(app)) - cpuBefore;
  const wallUs = (performance.now() - startedAt) * 1_000;
  return { ...result, cpuPerRequest: cpu / result.requests, busy: cpu / wallUs };
}

/**
 * Metric values each variant sends per request, one of them the request timer: express-hot-shots
 * sends a counter and a timer.
 */
export function valuesPerRequest(framework: Framework, variant: Variant): number {
  if (variant === 'bare' || variant === 'no-op' || variant === 'busy-wait') return 0;
  return variant === 'hot-shots' && framework === 'express' ? 2 : 1;
}

/** What the sink received for `served` requests, once all their metric values arrived. */
async function received(
  sink: Sink,
  framework: Framework,
  variant: Variant,
  served: number,
): Promise<SinkCounts> {
  const expected = served * valuesPerRequest(framework, variant);
  // hot-shots flushes its buffer once a second: the quiet period outlasts that.
  return expected === 0 ? await sink.counts() : await sink.settle(expected, 1_200);
}

/** One variant's run in one round. */
interface Run extends Measured {
  /**
   * Metric lines and metric values (a packed line carries several) the sink received, and the
   * requests (warm-up included) that sent them.
   */
  readonly lines: number;
  readonly values: number;
  readonly served: number;
  /**
   * Bytes and metric values the sink received in the measured window: from the end of the
   * warm-up until every value had arrived. A cold app serves fewer requests per flush interval,
   * and so packs fewer timers into a packet, than a warm one.
   */
  readonly measuredBytes: number;
  readonly measuredValues: number;
}

/** Starts a fresh app process on its CPU, warms it up, measures it, and stops it. */
async function freshRun(
  framework: Framework,
  variant: Variant,
  sink: Sink,
  cpus: CpuSplit,
  seconds: number,
): Promise<Run> {
  const app = await startApp(framework, variant, sink);
  try {
    cpus.pinApart(app.pid);
    // Counting from before the warm-up: the lines hot-shots still buffers from it would
    // otherwise land in the measured part's count.
    await sink.reset();
    const warmUp = await load(app.url, WARM_UP_SECONDS);
    const warm = await sink.counts();
    const measured = await measure(app, seconds);
    const served = warmUp.requests + measured.requests;
    const { lines, values, bytes } = await received(sink, framework, variant, served);
    return {
      ...measured,
      lines,
      values,
      served,
      measuredBytes: bytes - warm.bytes,
      measuredValues: values - warm.values,
    };
  } finally {
    await stopApp(app);
  }
}

/** The variants in round `round`'s order: rotated, so that none always follows the same one. */
function orderOf(variants: readonly Variant[], round: number): Variant[] {
  return variants.map((_, i) => variants[(round + i) % variants.length] as Variant);
}

/** Every variant's runs, one per round, in round order. */
type Runs = ReadonlyMap<Variant, readonly Run[]>;

async function runRounds(
  framework: Framework,
  sink: Sink,
  cpus: CpuSplit,
  rounds: number,
  seconds: number,
): Promise<Runs> {
  const runs = new Map<Variant, Run[]>(VARIANTS.map((variant) => [variant, []]));
  for (let round = 0; round < rounds; round++) {
    for (const variant of orderOf(VARIANTS, round)) {
      const run = await freshRun(framework, variant, sink, cpus, seconds);
      runs.get(variant)?.push(run);
      progress(
        `${framework} ${variant}: ${run.rps.toFixed(0)} req/s, ${run.lines} lines, ` +
          `${run.values} values`,
      );
    }
  }
  return runs;
}

/** The median over rounds of `value` of `variant`'s runs. */
function medianOf(runs: Runs, variant: Variant, value: (run: Run) => number): number {
  return median((runs.get(variant) ?? []).map(value));
}

/** Requests per second. */
const perSecond = (run: Run): number => run.rps;
/** Requests per second of the app's CPU time: what the app serves when the CPU is its limit. */
const perCpuSecond = (run: Run): number => 1e6 / run.cpuPerRequest;

/**
 * The median over rounds of `variant`'s `rate` (requests per second by default) divided by the
 * bare app's in the same round.
 */
function pairedRatio(runs: Runs, variant: Variant, rate: (run: Run) => number = perSecond): number {
  const bare = runs.get('bare') ?? [];
  return median(
    (runs.get(variant) ?? []).map((run, round) => {
      const bareRun = bare[round];
      return bareRun === undefined ? NaN : rate(run) / rate(bareRun);
    }),
  );
}

/** Metric lines the sink received per request served, over all of `variant`'s runs. */
function linesPerServed(runs: Runs, variant: Variant): number {
  const all = runs.get(variant) ?? [];
  return sum(all.map((run) => run.lines)) / sum(all.map((run) => run.served));
}

/**
 * Bytes the sink received per request timer it received in the measured windows of all of
 * `variant`'s runs: every byte `variant` sent (express-hot-shots' counters too) over its request
 * timer values.
 */
function bytesPerTimer(runs: Runs, framework: Framework, variant: Variant): number {
  const all = runs.get(variant) ?? [];
  const timers = sum(all.map((run) => run.measuredValues)) / valuesPerRequest(framework, variant);
  return sum(all.map((run) => run.measuredBytes)) / timers;
}

/** "bare 0.99, no-op 0.98, …": the median of `value` over rounds, per variant. */
function mediansPerVariant(runs: Runs, value: (run: Run) => number, digits: number): string {
  return [...runs.keys()]
    .map((variant) => `${LABELS[variant]} ${medianOf(runs, variant, value).toFixed(digits)}`)
    .join(', ');
}

/** What the no-op and the yardstick scored, for the note. */
function baselines(runs: Runs, noOp: string): string {
  return (
    ` No-op middleware, ${noOp}: ${medianOf(runs, 'no-op', perSecond).toFixed(0)} req/s ` +
    `(${formatRatio(pairedRatio(runs, 'no-op'))} of bare); ours against it, median of each ` +
    `round's ratio: ${formatRatio(pairedTo(runs, 'ours', 'no-op'))}. Yardstick, the no-op plus ` +
    `keeping the CPU busy for ${BUSY_WAIT_MICROSECONDS} µs per request: ` +
    `${medianOf(runs, 'busy-wait', perSecond).toFixed(0)} req/s ` +
    `(${formatRatio(pairedRatio(runs, 'busy-wait'))} of bare).`
  );
}

/** Ours' ratios to bare, and whether they reach the row's target. */
interface Verdict {
  readonly ratio: number;
  readonly cpuRatio: number;
  readonly met: boolean;
  /** The target column: what is compared with what. */
  readonly text: string;
}

/**
 * Judges ours against `target`. Requests per second alone can pass on a lucky median when single
 * runs swing by 10-20%; CPU time per request is the steadier measure of the same cost, so a pass
 * needs both.
 */
function verdictOf(runs: Runs, target: Target): Verdict {
  const ratio = pairedRatio(runs, 'ours');
  const cpuRatio = pairedRatio(runs, 'ours', perCpuSecond);
  const bound = target === 'bare' ? BARE_TARGET : pairedRatio(runs, 'busy-wait');
  const cpuBound = target === 'bare' ? BARE_TARGET : pairedRatio(runs, 'busy-wait', perCpuSecond);
  const text =
    target === 'bare'
      ? `≥ ${formatRatio(BARE_TARGET)} of bare, both`
      : `≥ yardstick's ${formatRatio(bound)}; per CPU s ≥ ${formatRatio(cpuBound)}`;
  return {
    ratio,
    cpuRatio,
    met: ratio >= bound && cpuRatio >= cpuBound,
    text,
  };
}

/** The median over rounds of `variant`'s requests per second divided by `base`'s. */
function pairedTo(runs: Runs, variant: Variant, base: Variant): number {
  const bases = runs.get(base) ?? [];
  return median(
    (runs.get(variant) ?? []).map((run, round) => {
      const baseRun = bases[round];
      return baseRun === undefined ? NaN : perSecond(run) / perSecond(baseRun);
    }),
  );
}

/** Rows 4a (Express), 4b (Koa) or 4c (Fastify). */
export async function middlewareFigure(
  sink: Sink,
  framework: Framework,
  rounds: number,
  seconds: number,
): Promise<Row[]> {
  progress(`figure 4: ${framework}, ${rounds} rounds of ${seconds} s per variant`);
  const cpus = splitCpus(
    { pids: pidsOf(process.pid, sink.pid), label: 'autocannon and the sink' },
    { pids: [], label: 'each app' },
  );
  let runs: Runs;
  try {
    runs = await runRounds(framework, sink, cpus, rounds, seconds);
  } finally {
    // Figures 5 and 6 fork processes from this one and race the sink: they get both CPUs back.
    cpus.restore();
  }
  const rps = (variant: Variant): number => medianOf(runs, variant, perSecond);
  const { figure, metric, rival, noOp, target } = ROWS[framework];
  const verdict = verdictOf(runs, target);
  const cpuRatios = [...runs.keys()]
    .filter((variant) => variant !== 'bare')
    .map((variant) => `${LABELS[variant]} ${formatRatio(pairedRatio(runs, variant, perCpuSecond))}`)
    .join(', ');
  const failures = sum([...runs.values()].flatMap((all) => all.map((run) => run.failures)));
  const busy = mediansPerVariant(runs, (run) => run.busy, 2);
  const cpu = mediansPerVariant(runs, (run) => run.cpuPerRequest, 1);
  const note =
    `every run a fresh app process, ${cpus.description}, warmed up by ${WARM_UP_SECONDS} s of ` +
    `load, then measured for ${seconds} s by autocannon (${CONNECTIONS} connections); ` +
    `${rounds} rounds, variants in rotated order; medians of the rounds; ratios are medians of ` +
    `each round's ratio to the bare app's run in the same round. ${rival}: ` +
    `${rps('hot-shots').toFixed(0)} req/s (${formatRatio(pairedRatio(runs, 'hot-shots'))} of ` +
    `bare).${baselines(runs, noOp)} App busy fraction (CPU time / wall time while measured; ` +
    `near 1: the app was the limit): ${busy}. App CPU time per request, µs: ${cpu}; requests per ` +
    `second of app CPU time, median of each round's ratio to bare: ${cpuRatios}. Lines ` +
    `received per request (warm-up included): ours ` +
    `${linesPerServed(runs, 'ours').toFixed(2)}, hot-shots ` +
    `${linesPerServed(runs, 'hot-shots').toFixed(2)}. Bytes received per request timer ` +
    `received, measured windows (hot-shots' bytes include its counter): ours ` +
    `${bytesPerTimer(runs, framework, 'ours').toFixed(1)}, hot-shots ` +
    `${bytesPerTimer(runs, framework, 'hot-shots').toFixed(1)}.` +
    (failures > 0 ? ` ${formatCount(failures)} failed requests.` : '');
  return [
    {
      figure,
      metric: `${metric}, req/s`,
      ours: `${rps('ours').toFixed(0)} req/s`,
      rival: `bare ${rps('bare').toFixed(0)}; hot-shots ${rps('hot-shots').toFixed(0)}`,
      ratio: `${formatRatio(verdict.ratio)} of bare; per CPU s ${formatRatio(verdict.cpuRatio)}`,
      target: verdict.text,
      met: verdict.met,
      note,
    },
  ];
}
