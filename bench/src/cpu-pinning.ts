/**
 * CPU pinning, with util-linux's `taskset`, so that what a figure measures has a CPU to itself:
 * - figure 4: unpinned, the app under test, autocannon (in the benchmark's own process) and the
 *   sink fight over the same cores, and the app's requests per second measure the scheduler as
 *   much as the middleware. Pinned, the app has one CPU to itself and the load generator and the
 *   sink share another, so the app is the limit;
 * - figures 2 and 3: the sink must read as fast as the clients send. Unpinned, the clients' V8
 *   helper threads (their collector and compiler) take turns from the sink, whose UDP socket
 *   overflows sooner. Pinned, the clients and their helpers share one CPU, the sink the other.
 *
 * Without `taskset` (not Linux, or util-linux missing) or with fewer than two CPUs, the figure
 * runs unpinned and its note says so.
 */
import { execFileSync } from 'node:child_process';

export interface CpuSplit {
  /** For the figure's note: where the processes ran, or why they were not pinned. */
  readonly description: string;
  /** Moves every thread of `pid` (an app under test) onto the CPU kept apart; a no-op unpinned. */
  pinApart(pid: number): void;
  /** Gives the processes pinned by {@link splitCpus} back the CPUs they had, for the figures after. */
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
  return { description: `unpinned (${reason})`, pinApart: () => {}, restore: () => {} };
}

/** The process ids known (a process that failed to start has none). */
export function pidsOf(...pids: readonly (number | undefined)[]): number[] {
  return pids.filter((pid) => pid !== undefined);
}

/** Processes to pin, and how the figure's note names them. */
export interface Pinned {
  readonly pids: readonly number[];
  readonly label: string;
}

/**
 * Pins `shared` to the first CPU this process may use, and `apart` (with the processes given to
 * `pinApart` later) to the second.
 */
export function splitCpus(shared: Pinned, apart: Pinned): CpuSplit {
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
    for (const [pids, cpu] of [
      [shared.pids, loadCpu],
      [apart.pids, appCpu],
    ] as const) {
      for (const pid of pids) {
        const cpus = affinityOf(pid) ?? own;
        setAffinity(pid, String(cpu));
        original.set(pid, cpus);
      }
    }
  } catch {
    // A container may forbid changing affinity (EPERM): measure unpinned rather than not at all.
    restore();
    return unpinned('taskset was refused');
  }
  return {
    description: `${apart.label} pinned to CPU ${appCpu}, ${shared.label} to CPU ${loadCpu} (taskset)`,
    pinApart: (pid) => setAffinity(pid, String(appCpu)),
    restore,
  };
}
