/**
 * CPU pinning for figure 4, with util-linux's `taskset`. Unpinned, the app under test,
 * autocannon (in the benchmark's own process) and the sink fight over the same cores, and the
 * app's requests per second measure the scheduler as much as the middleware. Pinned, the app has
 * one CPU to itself and the load generator and the sink share another, so the app is the limit.
 *
 * Without `taskset` (not Linux, or util-linux missing) or with fewer than two CPUs, the figure
 * runs unpinned and its note says so.
 */
import { execFileSync } from 'node:child_process';

export interface CpuSplit {
  /** For the figure's note: where the processes ran, or why they were not pinned. */
  readonly description: string;
  /** Moves every thread of the app under test onto its own CPU; a no-op when unpinned. */
  pinApp(pid: number): void;
  /** Gives the load generator and the sink back the CPUs they had, for the figures after. */
  restore(): void;
}

/** The CPU list `pid` may run on, as taskset prints it ("0,1", "0-3"); undefined without taskset. */
function affinityOf(pid: number): string | undefined {
  try {
    const output = execFileSync('taskset', ['-pc', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // "pid 123's current affinity list: 0,1"
    return output.slice(output.lastIndexOf(':') + 1).trim();
  } catch {
    return undefined;
  }
}

/** "0-2,4" → [0, 1, 2, 4]. */
function expandCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.split(',')) {
    const [first, last = first] = part.split('-').map(Number);
    if (first === undefined || last === undefined) continue;
    for (let cpu = first; cpu <= last; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** Restricts every thread of `pid` (-a: libuv's pool and V8's helpers too) to `cpus`. */
function setAffinity(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-pc', cpus, String(pid)], { stdio: 'ignore' });
}

function unpinned(reason: string): CpuSplit {
  return { description: `unpinned (${reason})`, pinApp: () => {}, restore: () => {} };
}

/**
 * Pins `loadPids` (this process, which runs autocannon, and the sink) to the first CPU this
 * process may use, and reserves the second for the app processes started later.
 */
export function splitCpus(loadPids: readonly number[]): CpuSplit {
  const own = affinityOf(process.pid);
  if (own === undefined) return unpinned('taskset is missing');
  const [loadCpu, appCpu] = expandCpuList(own);
  if (loadCpu === undefined || appCpu === undefined) return unpinned(`only CPU ${own} available`);
  // What each process had before, in the order pinned: restore() undoes only what was done.
  const original = new Map<number, string>();
  const restore = (): void => {
    for (const [pid, cpus] of original) setAffinity(pid, cpus);
  };
  try {
    for (const pid of loadPids) {
      const cpus = affinityOf(pid) ?? own;
      setAffinity(pid, String(loadCpu));
      original.set(pid, cpus);
    }
  } catch {
    // A container may forbid changing affinity (EPERM): measure unpinned rather than not at all.
    restore();
    return unpinned('taskset was refused');
  }
  return {
    description: `each app pinned to CPU ${appCpu}, autocannon and the sink to CPU ${loadCpu} (taskset)`,
    pinApp: (pid) => setAffinity(pid, String(appCpu)),
    restore,
  };
}
