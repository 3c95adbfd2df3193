import type { Backoff } from './backoff.js';
import { monotonicMs } from './clock.js';
import { connectHint } from './connect-hint.js';
import { DeliveryWaiters } from './delivery-waiters.js';
import { ErrorCode } from './errors.js';
import type { Packet, PacketQueue } from './packet-queue.js';
import type { Reporter } from './reporter.js';
import type { StatsCounter } from './stats.js';
import { describeTarget } from './transports/stream-transport.js';
import {
  closeWithin,
  type Transport,
  type TransportFactory,
  type TransportTarget,
} from './transports/transport.js';

/** What the sender works with; all of it shared with the pipeline that owns the sender. */
export interface SenderParts {
  readonly target: TransportTarget;
  readonly createTransport: TransportFactory;
  readonly backoff: Backoff;
  readonly queue: PacketQueue;
  readonly stats: StatsCounter;
  readonly reporter: Reporter;
  /** Stream transports may resend a packet whose write failed; datagrams never are. */
  readonly resendFailedWrites: boolean;
  /**
   * A packet still in flight when the connection closes was never sent, so it is put back every
   * time: a unix datagram socket sends a packet whole or not at all, and closes when the server is
   * gone (see `UnixgramTransport`).
   */
  readonly unsentOnClose?: boolean;
}

type State = 'stopped' | 'connecting' | 'connected' | 'waiting';

/**
 * The background sender: owns the one connection, moves sealed packets from the queue to it,
 * reconnects with backoff when it is lost, and keeps the accounting of what was sent.
 * Packets are in flight from the moment they are handed to the transport until the operating
 * system accepts them; a stream connection that dies puts its in-flight packets back at the head
 * of the queue once, in order.
 */
export class Sender {
  readonly #parts: SenderParts;
  #state: State = 'stopped';
  /** Wants a connection: started and not stopped. */
  #running = false;
  /** Stopping, but still delivering the queue until the stop deadline. */
  #draining = false;
  /** Delivering before the process exits: a failed connection attempt ends the wait. */
  #exiting = false;
  #transport: Transport | undefined;
  #generation = 0;
  #writable = false;
  #connectedOnce = false;
  /** The last connection attempt failed (refused, timed out): the server is down, as far as known. */
  #lastAttemptFailed = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #inFlight: Packet[] = [];
  readonly #waiters = new DeliveryWaiters();

  constructor(parts: SenderParts) {
    this.#parts = parts;
  }

  /** Whether a connection is up right now. */
  get connected(): boolean {
    return this.#state === 'connected';
  }

  /** Metrics handed to the transport but not yet accepted by the operating system. */
  get inFlightMetrics(): number {
    let metrics = 0;
    for (const packet of this.#inFlight) metrics += packet.metrics;
    return metrics;
  }

  /** Starts connecting in the background; does not wait for the connection. */
  start(): void {
    this.#running = true;
    if (this.#state === 'stopped') this.#connect();
  }

  /** Sends sealed packets while the connection takes them. */
  pump(): void {
    const transport = this.#transport;
    if (this.#state !== 'connected' || transport === undefined) return;
    const queue = this.#parts.queue;
    while (this.#writable) {
      const packet = queue.shift();
      if (packet === undefined) return;
      this.#inFlight.push(packet);
      this.#writable = transport.send(packet.data, (error) => this.#settle(packet, error));
    }
  }

  /**
   * Resolves `true` once every packet up to `seq` has left (sent or dropped), or `false` after
   * `timeout` milliseconds. The timer is not unref'd: a caller awaiting delivery keeps the
   * process alive for that long at most.
   */
  whenSent(seq: number, timeout: number): Promise<boolean> {
    if (this.#oldestPending() > seq) return Promise.resolve(true);
    // Not started (or stopped): nothing will be delivered, so waiting would only hold the process.
    if (!this.#running && !this.#draining) return Promise.resolve(false);
    return this.#waiters.wait(seq, timeout);
  }

  /**
   * Like {@link Sender.whenSent}, for the delivery when the process is about to exit: never waits
   * on a server that is down (the last connection attempt failed, or the one under way fails),
   * and skips the backoff after a lost connection.
   */
  deliverBeforeExit(seq: number, timeout: number): Promise<boolean> {
    if (this.#oldestPending() > seq) return Promise.resolve(true);
    if (!this.#running || this.#lastAttemptFailed) return Promise.resolve(false);
    if (this.#state === 'waiting') {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      this.#connect();
    }
    this.#exiting = true;
    const waiting = this.#waiters.wait(seq, timeout);
    void waiting.then(() => {
      this.#exiting = false;
    });
    return waiting;
  }

  /**
   * Delivers what is queued (connecting first if needed) within `timeout` ms, then closes.
   * Whatever is still queued or in flight at the deadline is dropped with reason `stopTimeout`.
   */
  async stop(lastSeq: number, timeout: number): Promise<void> {
    // Monotonic: a wall-clock step (NTP, DST) must neither cut the stop short nor stretch it.
    const deadline = monotonicMs() + timeout;
    this.#running = false;
    this.#draining = true;
    if (this.#state === 'waiting') {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      // After a lost connection, skip the backoff: one attempt, bounded by the stop deadline. After
      // a failed attempt, make none: the server is down, and waiting on it would hold every
      // shutdown for the whole `stopTimeout`.
      if (!this.#lastAttemptFailed) this.#connect();
    }
    const delivered =
      this.#state === 'waiting'
        ? this.#oldestPending() > lastSeq
        : await this.whenSent(lastSeq, timeout);
    this.#draining = false;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#generation++;
    const transport = this.#transport;
    this.#transport = undefined;
    this.#state = 'stopped';
    this.#writable = false;
    if (transport !== undefined) {
      if (delivered) await closeWithin(transport, deadline - monotonicMs());
      else transport.destroy();
    }
    this.#dropEverything(this.#lastAttemptFailed);
  }

  #dropEverything(unreachable: boolean): void {
    const { queue, stats, reporter } = this.#parts;
    const lost = queue.clear() + this.inFlightMetrics;
    for (const packet of this.#inFlight) queue.release(packet);
    this.#inFlight = [];
    if (lost > 0) {
      stats.drop('stopTimeout', lost);
      const why = unreachable
        ? `: StatsD at ${describeTarget(this.#parts.target)} is unreachable (the last connection ` +
          'attempt failed)'
        : ' in time';
      reporter.report(
        ErrorCode.StopTimeout,
        () => `stop() could not deliver ${lost} queued metrics${why}; they were dropped`,
      );
    }
    this.#checkWaiters();
  }

  #connect(): void {
    const generation = ++this.#generation;
    this.#state = 'connecting';
    const { target, createTransport } = this.#parts;
    const transport = createTransport(target, {
      onClose: (error) => this.#onClose(generation, error),
      onDrain: () => {
        if (generation !== this.#generation) return;
        this.#writable = true;
        this.pump();
      },
      onError: (error) => this.#onTransportError(error),
    });
    this.#transport = transport;
    let connecting: Promise<void> | void;
    try {
      connecting = transport.connect();
    } catch (error) {
      connecting = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (connecting === undefined) {
      this.#onConnected(generation, transport);
      return;
    }
    connecting.then(
      () => this.#onConnected(generation, transport),
      (error: unknown) => this.#onConnectFailed(generation, error),
    );
  }

  #onConnected(generation: number, transport: Transport): void {
    if (generation !== this.#generation) {
      transport.destroy();
      return;
    }
    this.#state = 'connected';
    this.#writable = true;
    this.#lastAttemptFailed = false;
    this.#parts.backoff.reset();
    if (this.#connectedOnce) this.#parts.stats.reconnects++;
    this.#connectedOnce = true;
    // The open packet kept filling while disconnected; it can leave now.
    this.#parts.queue.seal();
    this.pump();
  }

  #onConnectFailed(generation: number, error: unknown): void {
    if (generation !== this.#generation) return;
    this.#transport = undefined;
    this.#lastAttemptFailed = true;
    const { target, resendFailedWrites } = this.#parts;
    // Stream transports without a socket path are TCP.
    const hint = connectHint(error, resendFailedWrites && target.path === undefined);
    const where = describeTarget(target);
    // A stop in progress makes no further attempt (see below).
    const next = this.#draining ? '' : '; retrying';
    this.#parts.reporter.report(
      ErrorCode.Transport,
      () => `cannot connect to StatsD at ${where}: ${messageOf(error)}${hint}${next}`,
      error,
    );
    if (this.#draining) {
      // A stop is waiting: the server is down, so nothing more will be delivered. Let it finish.
      this.#state = 'waiting';
      this.#waiters.giveUp();
      return;
    }
    if (this.#exiting) {
      // The process is waiting to exit, and must not wait on a server that is down.
      this.#exiting = false;
      this.#waiters.giveUp();
    }
    this.#retryLater();
  }

  #onClose(generation: number, error: Error | undefined): void {
    if (generation !== this.#generation || this.#state !== 'connected') return;
    this.#transport = undefined;
    this.#writable = false;
    if (error !== undefined) {
      const target = describeTarget(this.#parts.target);
      this.#parts.reporter.report(
        ErrorCode.Transport,
        () => `lost the connection to StatsD at ${target}: ${error.message}; reconnecting`,
        error,
      );
    }
    // Write callbacks already queued by the dying socket run first, so that a packet the kernel
    // accepted is counted as sent instead of being resent.
    setImmediate(() => this.#recoverInFlight());
    this.#retryLater();
  }

  #onTransportError(error: Error): void {
    const target = describeTarget(this.#parts.target);
    this.#parts.reporter.report(
      ErrorCode.Transport,
      // For UDP this is usually ECONNREFUSED: an earlier datagram found no server on the port.
      () => `the socket to StatsD at ${target} reported an error: ${error.message}`,
      error,
    );
  }

  #retryLater(): void {
    if (!this.#running && !this.#draining) {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'waiting';
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connect();
    }, this.#parts.backoff.next());
    this.#retryTimer.unref();
  }

  #recoverInFlight(): void {
    if (this.#inFlight.length === 0) return;
    const lost = this.#inFlight;
    this.#inFlight = [];
    const resend: Packet[] = [];
    for (const packet of lost) {
      if (this.#parts.unsentOnClose === true) {
        resend.push(packet);
      } else if (this.#parts.resendFailedWrites && !packet.retried) {
        packet.retried = true;
        resend.push(packet);
      } else {
        this.#parts.queue.release(packet);
        this.#dropFailed(packet, undefined);
      }
    }
    this.#parts.queue.requeue(resend);
    this.#checkWaiters();
    this.pump();
  }

  #settle(packet: Packet, error: Error | null | undefined): void {
    const index = this.#inFlight.indexOf(packet);
    // Already recovered or dropped when its connection closed.
    if (index < 0) return;
    if (error) {
      // A failed stream write is recovered when its connection closes, which follows shortly.
      if (this.#parts.resendFailedWrites) return;
      this.#inFlight.splice(index, 1);
      this.#parts.queue.release(packet);
      this.#dropFailed(packet, error);
    } else {
      if (index === 0) this.#inFlight.shift();
      else this.#inFlight.splice(index, 1);
      this.#parts.queue.release(packet);
      const stats = this.#parts.stats;
      stats.sent += packet.metrics;
      stats.packetsSent++;
      stats.bytesSent += packet.data.length;
    }
    if (!this.#waiters.empty) this.#checkWaiters();
  }

  #dropFailed(packet: Packet, error: Error | undefined): void {
    this.#parts.stats.drop('sendError', packet.metrics);
    const target = describeTarget(this.#parts.target);
    this.#parts.reporter.report(
      ErrorCode.Transport,
      () =>
        `StatsD at ${target} refused a packet of ${packet.metrics} metrics` +
        (error === undefined ? ' twice' : `: ${error.message}`),
      error,
    );
  }

  #oldestPending(): number {
    const first = this.#inFlight[0];
    const queued = this.#parts.queue.oldestSeq;
    return first !== undefined && first.seq < queued ? first.seq : queued;
  }

  #checkWaiters(): void {
    if (!this.#waiters.empty) this.#waiters.release(this.#oldestPending());
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
