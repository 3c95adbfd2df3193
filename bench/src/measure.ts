/** Small helpers shared by the figures: clocks, medians and number formatting. */

/** A monotonic timestamp in nanoseconds, comparable with the sink's (same clock, same machine). */
export function now(): bigint {
  return process.hrtime.bigint();
}

/** Nanoseconds since `start`. */
export function since(start: bigint): number {
  return Number(process.hrtime.bigint() - start);
}

/** One event-loop turn: lets I/O callbacks and the connectors' flushes run. */
export function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** `1234567` → `1.23 M/s`. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${perSecond.toFixed(0)} /s`;
}

export function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(1)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}

export function formatMiB(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** A ratio such as `5.32×` (or `0.981×`). */
export function formatRatio(ratio: number): string {
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio >= 1 ? ratio.toFixed(2) : ratio.toFixed(3)}×`;
}

/** Logs progress to stderr so that stdout holds only the results. */
export function progress(message: string): void {
  process.stderr.write(`  ${message}\n`);
}
