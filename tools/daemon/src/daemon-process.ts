import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { buildDaemonConfig, writeDaemonFiles, type DaemonFiles } from './daemon-files.js';
import type { DaemonPorts } from './free-port.js';
import { queryManagement } from './management-client.js';
import { OutputTail } from './output-tail.js';
import type { StopSignal } from './types.js';

/** Everything needed to launch one daemon process. */
export interface LaunchSettings {
  readonly script: string;
  readonly host: string;
  readonly ports: DaemonPorts;
  readonly flushInterval: number;
  readonly config: Readonly<Record<string, unknown>>;
  readonly startTimeout: number;
  /** Loads the flush recorder backend (see `flush-recorder.ts`). */
  readonly recordFlushes: boolean;
}

/** The daemon did not come up; `addressInUse` tells a lost port race from a real failure. */
export class DaemonStartError extends Error {
  /** True when the daemon died because one of its ports was taken. */
  readonly addressInUse: boolean;

  constructor(message: string, addressInUse: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DaemonStartError';
    this.addressInUse = addressInUse;
  }
}

interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
}

const OUTPUT_LIMIT = 16 * 1024;
const PROBE_INTERVAL_MS = 15;
const PROBE_TIMEOUT_MS = 1_000;
const STOP_TIMEOUT_MS = 5_000;

// Daemons still alive, killed synchronously if this process exits without stopping them. The
// preload's stdin watch covers exits this hook never sees: SIGKILL, crashes, and Jest, whose
// sandboxed `process` object never receives the real 'exit' event.
const live = new Set<DaemonProcess>();

function killAllOnExit(): void {
  for (const daemon of live) daemon.killNow();
}

function track(daemon: DaemonProcess): void {
  if (live.size === 0) process.on('exit', killAllOnExit);
  live.add(daemon);
}

function untrack(daemon: DaemonProcess): void {
  if (live.delete(daemon) && live.size === 0) process.off('exit', killAllOnExit);
}

/** One spawned daemon: its child process, output tail and temp folder. */
export class DaemonProcess {
  readonly #child: ChildProcess;
  readonly #files: DaemonFiles;
  readonly #output = new OutputTail(OUTPUT_LIMIT);
  readonly #exited: Promise<ExitInfo>;
  #exitInfo: ExitInfo | undefined;
  #cleanup: Promise<void> | undefined;

  constructor(child: ChildProcess, files: DaemonFiles) {
    this.#child = child;
    this.#files = files;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.#output.append(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.#output.append(chunk));
    // Writing to a dead daemon's stdin must not become an unhandled 'error'.
    child.stdin?.on('error', () => {});
    this.#exited = new Promise<ExitInfo>((resolve) => {
      const settle = (info: ExitInfo): void => {
        if (this.#exitInfo !== undefined) return;
        this.#exitInfo = info;
        untrack(this);
        void this.#removeFiles();
        resolve(info);
      };
      // 'close' rather than 'exit': it waits for stdout and stderr to drain, so a start error
      // always carries the daemon's last words (and the EADDRINUSE that decides a retry).
      child.once('close', (code, signal) => settle({ code, signal }));
      child.once('error', (error) => settle({ code: null, signal: null, error }));
    });
    track(this);
  }

  /** True until the child has exited. */
  get alive(): boolean {
    return this.#exitInfo === undefined;
  }

  /** The flush recorder's log (see `flush-recorder.ts`); it exists only when the recorder runs. */
  get flushLogPath(): string {
    return this.#files.flushLogPath;
  }

  /** The last 16 KiB the daemon wrote to stdout and stderr. */
  output(): string {
    return this.#output.text();
  }

  /** Lets this process exit while the daemon still runs; the exit hook then kills it. */
  unref(): void {
    this.#child.unref();
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      (stream as { unref?: () => void } | null)?.unref?.();
    }
  }

  /** Waits until the management port answers `stats`, the daemon dies, or time runs out. */
  async waitUntilReady(host: string, mgmtPort: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      if (this.#exitInfo !== undefined) {
        throw this.#startError(`exited (${describeExit(this.#exitInfo)})`, this.#exitInfo.error);
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        throw this.#startError(`did not answer within ${timeoutMs} ms`, lastError);
      }
      try {
        await queryManagement(host, mgmtPort, 'stats', Math.min(remaining, PROBE_TIMEOUT_MS));
        return;
      } catch (error) {
        lastError = error;
      }
      await Promise.race([delay(PROBE_INTERVAL_MS), this.#exited]);
    }
  }

  /** Sends `signal`, escalates to SIGKILL if the daemon outlives the timeout, removes its files. */
  async stop(signal: StopSignal): Promise<void> {
    if (this.#exitInfo === undefined) {
      // An unref'ed child would let this process exit before the awaited 'exit' event arrives.
      this.#child.ref();
      this.#child.kill(signal);
      // A frozen daemon acts on SIGTERM only once thawed.
      this.#child.kill('SIGCONT');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(resolve, STOP_TIMEOUT_MS, 'timeout');
      });
      const outcome = await Promise.race([this.#exited, timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        this.#child.kill('SIGKILL');
        await this.#exited;
      }
    }
    await this.#removeFiles();
  }

  /** Freezes (`SIGSTOP`) or thaws (`SIGCONT`) the daemon, as a stalled server would be. */
  freeze(frozen: boolean): void {
    if (this.#exitInfo === undefined) this.#child.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Synchronous last-resort cleanup for the process 'exit' hook. */
  killNow(): void {
    this.#child.kill('SIGKILL');
    try {
      rmSync(this.#files.dir, { recursive: true, force: true });
    } catch {
      // Exiting anyway: a leftover temp folder must not turn a clean exit into a crash.
    }
  }

  #removeFiles(): Promise<void> {
    this.#cleanup ??= rm(this.#files.dir, { recursive: true, force: true }).catch(() => {});
    return this.#cleanup;
  }

  #startError(what: string, cause: unknown): DaemonStartError {
    const output = this.output();
    return new DaemonStartError(
      `The StatsD daemon ${what} before its management port answered. ` +
        `Output (last ${OUTPUT_LIMIT / 1024} KiB):\n${output === '' ? '(none)\n' : output}` +
        `Config:\n${this.#files.configText}`,
      output.includes('EADDRINUSE'),
      { cause },
    );
  }
}

function describeExit(info: ExitInfo): string {
  if (info.error !== undefined) return `spawn failed: ${info.error.message}`;
  return info.signal !== null ? `signal ${info.signal}` : `code ${String(info.code)}`;
}

/**
 * Spawns `script` (the daemon's or the proxy's) on this Node with the preload and the config of
 * `files`, in their folder.
 */
export function spawnDaemonScript(script: string, files: DaemonFiles): DaemonProcess {
  const child = spawn(
    process.execPath,
    ['--require', files.preloadPath, script, files.configPath],
    {
      cwd: files.dir,
      // NODE_OPTIONS meant for this process (--inspect, loaders, …) would also load in the daemon.
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    },
  );
  return new DaemonProcess(child, files);
}

/** Writes the daemon's files, spawns it and resolves once it answers on its management port. */
export async function launchDaemon(settings: LaunchSettings): Promise<DaemonProcess> {
  const { script, host, ports, flushInterval, config, startTimeout, recordFlushes } = settings;
  const files = await writeDaemonFiles(
    buildDaemonConfig(host, ports, flushInterval, config),
    recordFlushes,
  );
  const daemon = spawnDaemonScript(script, files);
  try {
    await daemon.waitUntilReady(host, ports.mgmtPort, startTimeout);
  } catch (error) {
    await daemon.stop('SIGKILL');
    throw error;
  }
  daemon.unref();
  return daemon;
}
