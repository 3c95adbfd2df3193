/**
 * Runs contenders against one sink in interleaved rounds: every round runs each contender once,
 * in a rotated order, so that drift of the machine during the run spreads over all of them.
 */
import { median, now, progress, since } from './measure.js';
import { nsBetween, type Sink } from './sink-client.js';

/** Something that sends `n` metrics in chunks of `chunk`, a turn between chunks. */
export interface Contender {
  readonly name: string;
  /** Resolves once everything was handed to the operating system. */
  burst(n: number, chunk: number): Promise<void>;
}

export interface RunResult {
  /** From the first call until the client had handed everything to the OS. */
  readonly clientNs: number;
  /** CPU time (user + system) the client process spent over `clientNs`. */
  readonly cpuNs: number;
  /** From the first call until the sink received its last line. */
  readonly deliveredNs: number;
  /** Lines the sink counted. */
  readonly lines: number;
  /** Metric values the sink counted (a packed line carries several): what was delivered. */
  readonly values: number;
  /** Datagrams the kernel dropped at the sink's socket during the run. */
  readonly kernelDrops: number;
}

export interface RaceOptions {
  readonly n: number;
  readonly chunk: number;
  readonly rounds: number;
  /** Metrics of one untimed run per contender before the rounds. */
  readonly warmup: number;
  /** How long the sink must stay quiet before a run with loss is considered finished. */
  readonly quietMs: number;
}

export async function runOnce(
  sink: Sink,
  contender: Contender,
  n: number,
  chunk: number,
  quietMs: number,
): Promise<RunResult> {
  await sink.reset();
  const before = await sink.counts();
  const cpu = process.cpuUsage();
  const start = now();
  await contender.burst(n, chunk);
  const clientNs = since(start);
  const { user, system } = process.cpuUsage(cpu);
  const counts = await sink.settle(n, quietMs);
  return {
    clientNs,
    cpuNs: (user + system) * 1000,
    deliveredNs: counts.values > 0 ? nsBetween(start, counts.lastAt) : Number.NaN,
    lines: counts.lines,
    values: counts.values,
    kernelDrops: Math.max(0, counts.udpDrops - before.udpDrops),
  };
}

/** Results per contender name, in run order. */
export async function race(
  sink: Sink,
  contenders: readonly Contender[],
  options: RaceOptions,
): Promise<Map<string, RunResult[]>> {
  const results = new Map<string, RunResult[]>();
  for (const contender of contenders) {
    await runOnce(sink, contender, options.warmup, options.chunk, options.quietMs);
    results.set(contender.name, []);
  }
  for (let round = 0; round < options.rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(round + i) % contenders.length] as Contender;
      const result = await runOnce(sink, contender, options.n, options.chunk, options.quietMs);
      results.get(contender.name)?.push(result);
      progress(
        `${contender.name}: ${(result.clientNs / options.n).toFixed(0)} ns/call ` +
          `(CPU ${(result.cpuNs / options.n).toFixed(0)}), ` +
          `${result.values}/${options.n} delivered` +
          (result.kernelDrops > 0 ? `, ${result.kernelDrops} datagrams dropped by the kernel` : ''),
      );
    }
  }
  return results;
}

/** The median of one measure over a contender's runs. */
export function medianOf(
  results: Map<string, RunResult[]>,
  name: string,
  measure: (run: RunResult) => number,
): number {
  return median((results.get(name) ?? []).map(measure));
}

/**
 * The median over rounds of `measure(a) / measure(b)` for the runs of the same round: runs of
 * one round are close in time, so the ratio cancels most of the machine's drift.
 */
export function pairedRatio(
  results: Map<string, RunResult[]>,
  a: string,
  b: string,
  measure: (run: RunResult) => number,
): number {
  const second = results.get(b) ?? [];
  return median(
    (results.get(a) ?? []).map((run, round) => {
      const other = second[round];
      return other === undefined ? Number.NaN : measure(run) / measure(other);
    }),
  );
}

/** Metrics lost over all runs of a contender, and the largest loss of one run. */
export function lossOf(
  results: Map<string, RunResult[]>,
  name: string,
  n: number,
): { readonly total: number; readonly worst: number; readonly runs: number } {
  const losses = (results.get(name) ?? []).map((run) => n - run.values);
  return {
    total: losses.reduce((a, b) => a + b, 0),
    worst: Math.max(0, ...losses),
    runs: losses.filter((loss) => loss > 0).length,
  };
}
