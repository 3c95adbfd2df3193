import { performance } from 'node:perf_hooks';

/** Milliseconds from a monotonic clock: immune to wall-clock changes (NTP, DST, manual settings). */
export function monotonicMs(): number {
  return performance.now();
}
