import { Backoff } from './backoff.js';
import { ErrorCode } from './errors.js';
import { unwatchExit, watchExit, type ExitParticipant } from './exit-delivery.js';
import type { LineSink } from './metric-formatter.js';
import type { SeriesName } from './packed-values.js';
import { PacketQueue, PushResult } from './packet-queue.js';
import { Reporter } from './reporter.js';
import { Sender } from './sender.js';
import { StartWatch } from './start-watch.js';
import { StatsCounter } from './stats.js';
import { isStream, type ResolvedOptions } from './options.js';
import type { ConnectorStats } from './types.js';
import type { TransportFactory } from './transports/transport.js';

/**
 * Everything a connector and its children share: the queue, the sender and its connection, the
 * accounting and the error channel. Metric calls end here with `accept`, which only packs the
 * line and schedules a flush; sending happens on the sender's side.
 */
export class Pipeline implements LineSink {
  readonly stats: StatsCounter = new StatsCounter();
  readonly reporter: Reporter;
  /** The `telemetry` option: the interval of the connector's reports on itself, or 0. */
  readonly telemetryInterval: number;
  /**
   * Holders of metrics outside the queue (the aggregator, `beforeFlush` hooks such as the
   * middlewares' request timers): each hands what it holds to the queue at every flush. Replaced,
   * never changed in place, so a source removed while the sources drain cannot skip another.
   */
  #sources: readonly (() => void)[] = [];
  readonly #queue: PacketQueue;
  readonly #sender: Sender;
  readonly #flushInterval: number;
  readonly #stopTimeout: number;
  readonly #maxPacketSize: number;
  #flushScheduled = false;
  #started = false;
  #stopping: Promise<void> | undefined;
  /** No metric was queued and `start()` was never called: the first metric arms the watch. */
  #awaitingStart = true;
  readonly #startWatch: StartWatch;
  readonly #exitParticipant: ExitParticipant = { beforeExit: () => this.#beforeExit() };
  /** `lastSeq` of the last delivery at exit: the same metrics are never delivered twice. */
  #exitSeq = 0;
  readonly #flushNow = (): void => {
    // Drained while still marked scheduled, so that their lines do not schedule another flush.
    this.#drainSources();
    this.#flushScheduled = false;
    // While disconnected the open packet keeps filling: sealing it every turn would turn an
    // outage into one small packet per turn. The sender seals it when the connection is up.
    if (!this.#sender.connected) return;
    this.#queue.seal();
    this.#sender.pump();
  };

  constructor(options: ResolvedOptions, createTransport: TransportFactory) {
    this.reporter = new Reporter(options.onError, options.logger);
    const stream = isStream(options.protocol);
    this.#queue = new PacketQueue({
      maxMetrics: options.maxQueueSize,
      maxBytes: options.maxQueueBytes,
      maxPacketSize: options.maxPacketSize,
      terminateLines: stream,
      ascii: stream,
      valuePacking: options.valuePacking,
    });
    this.#sender = new Sender({
      target: {
        host: options.host,
        port: options.port,
        path: options.path,
        connectTimeout: options.connectTimeout,
      },
      createTransport,
      backoff: new Backoff(options.reconnectMinDelay, options.reconnectMaxDelay),
      queue: this.#queue,
      stats: this.stats,
      reporter: this.reporter,
      resendFailedWrites: stream,
      unsentOnClose: options.protocol === 'unixgram',
    });
    this.#flushInterval = options.flushInterval;
    this.telemetryInterval = options.telemetry;
    this.#stopTimeout = options.stopTimeout;
    this.#maxPacketSize = options.maxPacketSize;
    this.#startWatch = new StartWatch(this.reporter, () => this.#queue.metrics);
  }

  /** Queues one unit of `metrics` metrics (a line, or lines that must travel together). */
  accept(unit: string, bytes: number, metrics: number): void {
    this.stats.enqueued += metrics;
    const result = this.#queue.push(unit, bytes, metrics);
    if (result === PushResult.Queued) this.#queued();
    else this.#refused(result, unit, bytes, metrics);
  }

  /**
   * Queues one value of a timer, histogram or distribution, the line
   * `<name.head><infix>:<value><type><tail>`: on the line of its series in the open packet where
   * the dialect packs values (`packValues`).
   */
  acceptValue(
    name: SeriesName,
    infix: string,
    value: string,
    type: string,
    tail: string,
    bytes: number,
  ): void {
    this.stats.enqueued++;
    const result = this.#queue.pushValue(name, infix, value, type, tail, bytes);
    if (result === PushResult.Queued) this.#queued();
    else this.#refused(result, name.head + infix + ':' + value + type + tail, bytes, 1);
  }

  /** After a push: a filled packet is sent now, and a flush is scheduled for the open one. */
  #queued(): void {
    // A packet filled up: send it now rather than holding a full packet until the flush.
    if (this.#queue.hasSealed) this.#sender.pump();
    if (!this.#flushScheduled) this.#scheduleFlush();
    if (this.#awaitingStart) this.#watchStart();
  }

  /** Counts and reports a unit the queue refused: it is full, or the unit can never fit. */
  #refused(result: PushResult, unit: string, bytes: number, metrics: number): void {
    if (result === PushResult.Full) {
      this.stats.drop('queueFull', metrics);
      this.reporter.report(ErrorCode.QueueFull, describeQueueFull);
    } else {
      this.stats.drop('tooLong', metrics);
      const limit = this.#maxPacketSize;
      this.reporter.report(
        ErrorCode.LineTooLong,
        () =>
          `dropped a metric of ${bytes} bytes, more than maxPacketSize (${limit}): ` +
          unit.slice(0, 80),
      );
    }
  }

  /** Counts a metric call whose input could not be written, and reports why. */
  reject(describe: () => string): void {
    this.stats.enqueued++;
    this.stats.drop('invalid', 1);
    this.reporter.report(ErrorCode.InvalidMetric, describe);
  }

  /** Counts a call the server's dialect cannot express, and reports it. */
  unsupported(describe: () => string): void {
    this.stats.enqueued++;
    this.stats.drop('unsupported', 1);
    this.reporter.report(ErrorCode.Unsupported, describe);
  }

  /** Makes sure a flush is scheduled: a source holds metrics that `accept` has not seen yet. */
  requestFlush(): void {
    if (!this.#flushScheduled) this.#scheduleFlush();
  }

  /**
   * Has every flush (scheduled, `flush()` and `stop()`) call `drain` first, which hands the
   * metrics it holds to the connector. Whoever holds them calls `requestFlush()` when it starts
   * holding some, so that they never wait longer than `flushInterval`.
   */
  addSource(drain: () => void): void {
    this.#sources = [...this.#sources, drain];
  }

  /** Stops calling `drain` (added by `addSource`) at every flush. */
  removeSource(drain: () => void): void {
    const at = this.#sources.indexOf(drain);
    if (at >= 0) this.#sources = this.#sources.toSpliced(at, 1);
  }

  #drainSources(): void {
    for (const drain of this.#sources) {
      try {
        drain();
      } catch (error) {
        // A holder's bug must not end the flush (or, from a timer, the process): the queue and
        // the other sources are still delivered.
        this.reporter.report(ErrorCode.FlushHook, describeFlushHookError, error);
      }
    }
  }

  #scheduleFlush(): void {
    this.#flushScheduled = true;
    const handle =
      this.#flushInterval === 0
        ? setImmediate(this.#flushNow)
        : setTimeout(this.#flushNow, this.#flushInterval);
    handle.unref();
  }

  /** Sends the open packet now; resolves whether everything accepted so far left in time. */
  flush(timeout: number = this.#stopTimeout): Promise<boolean> {
    this.#drainSources();
    this.#queue.seal();
    this.#sender.pump();
    return this.#sender.whenSent(this.#queue.lastSeq, timeout);
  }

  /** Starts the sender; after a stop, waits for it to finish first. */
  async start(): Promise<void> {
    this.#awaitingStart = false;
    this.#startWatch.started();
    if (this.#stopping !== undefined) await this.#stopping;
    if (this.#started) return;
    this.#started = true;
    watchExit(this.#exitParticipant);
    this.#sender.start();
  }

  /** Delivers the queue and closes, within `stopTimeout`; idempotent. */
  stop(): Promise<void> {
    if (!this.#started) return this.#stopping ?? Promise.resolve();
    this.#started = false;
    unwatchExit(this.#exitParticipant);
    this.#drainSources();
    this.#queue.seal();
    // The scheduled flush may be a long flushInterval away: send what is sealed now.
    this.#sender.pump();
    const stopping = this.#sender.stop(this.#queue.lastSeq, this.#stopTimeout);
    this.#stopping = stopping.finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  /** The first metric of a connector never started: report it if no start comes. */
  #watchStart(): void {
    this.#awaitingStart = false;
    this.#startWatch.arm();
    watchExit(this.#exitParticipant);
  }

  /**
   * The process is about to exit on its own with this connector not stopped (a script returned
   * without `stop()`): the partly filled packet's flush is an unref'd timer that will never run.
   * Delivers what is queued, bounded by `stopTimeout` and not at all to a server that is down;
   * only metrics queued since the last time, so that the loop this work keeps alive ends.
   */
  #beforeExit(): void {
    if (!this.#started) {
      // Only a connector never started is watched while not started.
      unwatchExit(this.#exitParticipant);
      this.#startWatch.report();
      return;
    }
    this.#drainSources();
    const seq = this.#queue.lastSeq;
    if (seq === this.#exitSeq) return;
    this.#exitSeq = seq;
    this.#queue.seal();
    this.#sender.pump();
    void this.#sender.deliverBeforeExit(seq, this.#stopTimeout);
  }

  /** The accounting, with the queue and connection state of this moment. */
  snapshot(): ConnectorStats {
    return this.stats.snapshot(
      this.#queue.heldMetrics,
      this.#queue.heldBytes,
      this.#sender.connected,
    );
  }
}

function describeFlushHookError(): string {
  return 'a beforeFlush drain threw; the flush went on without what it still held';
}

function describeQueueFull(): string {
  return 'the queue is full (maxQueueSize or maxQueueBytes); dropped the newest metric';
}
