import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';
import { locateStatsdScript } from './daemon-files.js';
import { DaemonStartError, launchDaemon, type DaemonProcess } from './daemon-process.js';
import { readFlushLog, type DaemonFlush } from './flush-recorder.js';
import { pickFreePorts, type DaemonPorts } from './free-port.js';
import { parseNumberListTable, parseNumberTable } from './inspect-parser.js';
import { queryManagement, type ManagementCommand } from './management-client.js';
import type { StatsdDaemonOptions, StopSignal, WaitForOptions } from './types.js';

const HOST = '127.0.0.1';
const PORT_ATTEMPTS = 4;
const RESTART_BIND_WINDOW_MS = 5_000;
const RESTART_RETRY_DELAY_MS = 50;
const QUERY_TIMEOUT_MS = 2_000;

interface Settings {
  readonly script: string;
  readonly flushInterval: number;
  readonly config: Readonly<Record<string, unknown>>;
  readonly startTimeout: number;
  readonly recordFlushes: boolean;
}

/**
 * The reference StatsD daemon (`statsd@0.9.0`) running as a child process on loopback, with
 * ephemeral ports, for end-to-end tests, the demo and benchmarks.
 *
 * State is read over the daemon's management port, so what a test sees is exactly what the
 * daemon parsed. A daemon left running never keeps this process alive and never outlives it.
 *
 * @example
 * await using daemon = await StatsdDaemon.start();
 * socket.send('jobs:1|c', daemon.udpPort, daemon.host);
 * await daemon.waitFor((d) => d.counters(), (c) => c['jobs'] === 1);
 */
export class StatsdDaemon {
  /** The only address the daemon listens on. */
  readonly host: '127.0.0.1' = HOST;
  /** The daemon's UDP metrics port. */
  readonly udpPort: number;
  /** The daemon's TCP metrics port (lines must end with `\n`). */
  readonly tcpPort: number;
  /** The daemon's management port (`counters`, `gauges`, `timers`, `stats`). */
  readonly mgmtPort: number;

  readonly #settings: Settings;
  #process: DaemonProcess | undefined;
  // stop() and restart() run one at a time, in call order.
  #lifecycle: Promise<void> = Promise.resolve();

  private constructor(settings: Settings, ports: DaemonPorts, daemon: DaemonProcess) {
    this.#settings = settings;
    this.udpPort = ports.udpPort;
    this.tcpPort = ports.tcpPort;
    this.mgmtPort = ports.mgmtPort;
    this.#process = daemon;
  }

  /**
   * Starts a daemon on fresh ephemeral ports and resolves once its management port answers.
   * Retries with new ports when another process takes one of them before the daemon binds it.
   *
   * @throws TypeError when an option is invalid; Error (with the daemon's output) when it fails.
   */
  static async start(options: StatsdDaemonOptions = {}): Promise<StatsdDaemon> {
    const settings = resolveOptions(options);
    let lastError: unknown;
    for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      const ports = await pickFreePorts(HOST);
      try {
        return new StatsdDaemon(
          settings,
          ports,
          await launchDaemon({ ...settings, host: HOST, ports }),
        );
      } catch (error) {
        if (!(error instanceof DaemonStartError && error.addressInUse)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  /** True while the daemon process is up (false after stop() or if it died). */
  get running(): boolean {
    return this.#process?.alive ?? false;
  }

  /** All counters, including `statsd.bad_lines_seen`, `statsd.packets_received` and `statsd.metrics_received`. */
  async counters(): Promise<Record<string, number>> {
    return parseNumberTable(await this.#query('counters'));
  }

  /** All gauges with their current values. */
  async gauges(): Promise<Record<string, number>> {
    return parseNumberTable(await this.#query('gauges'));
  }

  /** Every value received per timer since the last flush, in arrival order. */
  async timers(): Promise<Record<string, number[]>> {
    return parseNumberListTable(await this.#query('timers'));
  }

  /** How many lines the daemon rejected (`statsd.bad_lines_seen`). */
  async badLines(): Promise<number> {
    return (await this.counters())['statsd.bad_lines_seen'] ?? 0;
  }

  /**
   * What the daemon computed at each flush since it (re)started, oldest first.
   *
   * @throws Error when the daemon was started without `recordFlushes: true`.
   */
  async flushes(): Promise<DaemonFlush[]> {
    if (!this.#settings.recordFlushes) {
      throw new Error(
        'Cannot read flushes: the StatsD daemon was started without `recordFlushes: true`; ' +
          'pass it to StatsdDaemon.start().',
      );
    }
    const daemon = this.#process;
    return daemon === undefined ? [] : readFlushLog(daemon.flushLogPath);
  }

  /**
   * Resolves with the first flush the daemon records after this call. The timeout defaults to
   * three flush intervals (at least 5 s).
   *
   * @throws Error when the daemon was started without `recordFlushes: true`, or on timeout.
   */
  async nextFlush(options: WaitForOptions = {}): Promise<DaemonFlush> {
    const seen = (await this.flushes()).length;
    const timeout = options.timeout ?? Math.max(5_000, 3 * this.#settings.flushInterval);
    const flushes = await this.waitFor(
      (d) => d.flushes(),
      (all) => all.length > seen,
      { ...options, timeout },
    );
    return flushes[seen] as DaemonFlush;
  }

  /**
   * Calls `read` until `until` accepts its result, and resolves with that result. Errors thrown
   * by `read` are retried; on timeout it rejects with an Error that shows the last value read
   * (and the last read error as `cause`).
   */
  async waitFor<T>(
    read: (daemon: StatsdDaemon) => Promise<T>,
    until: (value: T) => boolean,
    options: WaitForOptions = {},
  ): Promise<T> {
    const { timeout = 5_000, interval = 20 } = options;
    requirePositive('timeout', timeout);
    requirePositive('interval', interval);
    const deadline = performance.now() + timeout;
    let last: { value: T } | undefined;
    let lastError: unknown;
    for (;;) {
      let outcome: { value: T } | undefined;
      try {
        outcome = { value: await read(this) };
      } catch (error) {
        lastError = error;
      }
      if (outcome !== undefined) {
        if (until(outcome.value)) return outcome.value;
        last = outcome;
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      await delay(Math.min(interval, remaining));
    }
    const seen = last === undefined ? 'no successful read' : inspect(last.value, { depth: 6 });
    throw new Error(`waitFor timed out after ${timeout} ms; last value read: ${seen}`, {
      cause: lastError,
    });
  }

  /** Stops the daemon and waits for it to exit; calling it again does nothing. */
  stop(signal: StopSignal = 'SIGTERM'): Promise<void> {
    return this.#serialise(async () => {
      const daemon = this.#process;
      this.#process = undefined;
      await daemon?.stop(signal);
    });
  }

  /**
   * Stops the daemon if it runs, then starts a fresh one (all state reset) on the same ports,
   * retrying for a few seconds while one of them is still held by someone else.
   */
  restart(): Promise<void> {
    return this.#serialise(async () => {
      const previous = this.#process;
      this.#process = undefined;
      await previous?.stop('SIGTERM');
      this.#process = await this.#launchOnSamePorts();
    });
  }

  /**
   * Freezes the daemon with `SIGSTOP`: it keeps its sockets but reads nothing, like a server
   * stuck in a long pause, until {@link StatsdDaemon.resume}.
   */
  pause(): void {
    this.#process?.freeze(true);
  }

  /** Thaws a daemon frozen by {@link StatsdDaemon.pause} (`SIGCONT`). */
  resume(): void {
    this.#process?.freeze(false);
  }

  /** Same as `stop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #launchOnSamePorts(): Promise<DaemonProcess> {
    const ports = { udpPort: this.udpPort, tcpPort: this.tcpPort, mgmtPort: this.mgmtPort };
    const deadline = performance.now() + RESTART_BIND_WINDOW_MS;
    for (;;) {
      try {
        return await launchDaemon({ ...this.#settings, host: HOST, ports });
      } catch (error) {
        const retry = error instanceof DaemonStartError && error.addressInUse;
        if (!retry || performance.now() >= deadline) throw error;
      }
      await delay(RESTART_RETRY_DELAY_MS);
    }
  }

  #serialise(operation: () => Promise<void>): Promise<void> {
    const result = this.#lifecycle.then(operation);
    this.#lifecycle = result.catch(() => {});
    return result;
  }

  async #query(command: ManagementCommand): Promise<string> {
    if (!this.running) {
      throw new Error(
        `Cannot read \`${command}\`: the StatsD daemon on ${HOST}:${this.mgmtPort} is not ` +
          'running (stopped or died); restart() starts it again.',
      );
    }
    return queryManagement(HOST, this.mgmtPort, command, QUERY_TIMEOUT_MS);
  }
}

function resolveOptions(options: StatsdDaemonOptions): Settings {
  const {
    flushInterval = 3_600_000,
    config = {},
    startTimeout = 10_000,
    recordFlushes = false,
  } = options;
  requirePositive('flushInterval', flushInterval);
  requirePositive('startTimeout', startTimeout);
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new TypeError(
      `Invalid option \`config\`: received ${inspect(config)}, expected a plain object of ` +
        'daemon config keys.',
    );
  }
  if (typeof recordFlushes !== 'boolean') {
    throw new TypeError(
      `Invalid option \`recordFlushes\`: received ${inspect(recordFlushes)}, expected true or false.`,
    );
  }
  return {
    script: locateStatsdScript(),
    flushInterval,
    config: { ...config },
    startTimeout,
    recordFlushes,
  };
}

function requirePositive(option: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(
      `Invalid option \`${option}\`: received ${inspect(value)}, expected a positive, finite ` +
        'number of milliseconds.',
    );
  }
}
