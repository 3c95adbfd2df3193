import { getSystemErrorName } from 'node:util';
import { monotonicMs } from '../clock.js';
import type { SendCallback, Transport, TransportEvents, TransportTarget } from './transport.js';
import type { UnixDgramError, UnixDgramModule, UnixDgramSocket } from './unix-dgram-loader.js';

/**
 * Errors that mean nobody reads the socket any more (the agent stopped or is restarting, its
 * socket file removed or bound anew): the packet was not sent, and a new connection is needed.
 * Linux reports `ECONNREFUSED`, then `ENOTCONN` or `ENETRESET`; macOS `ECONNRESET`, then
 * `EDESTADDRREQ` (as seen by hot-shots users, its issue #128). `unix-dgram` gives them as
 * negative numbers, named here before they are compared (what hot-shots' issue #322 missed).
 */
const GONE: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENETRESET',
  'ENOENT',
  'ENOTCONN',
  'EPIPE',
  'EBADF',
  'EDESTADDRREQ',
]);

/**
 * While congested, the packet is also tried again this often, in case the `'writable'` signal is
 * missed: a bounded retry rate, never a spin.
 */
const CONGESTION_RETRY = 1_000;

/**
 * `unix-dgram` watches its socket with a handle that keeps the process alive and cannot be
 * unref'd. So that an application can exit without `stop()`, like with the other transports,
 * the socket is closed after this many idle milliseconds and opened again by the next send.
 */
const IDLE_CLOSE = 250;

interface Pending {
  readonly data: Buffer;
  readonly callback: SendCallback;
}

/**
 * A unix domain datagram socket (the Datadog agent's `dsd.socket`), through the optional package
 * `unix-dgram`, connected to `path`. A datagram is sent whole or not at all, so nothing that fails
 * is lost:
 * - congestion (the server's queue is full: `EAGAIN`, `ENOBUFS`): the packet waits here, the
 *   sender is told to wait (`send` returns false), and the packet goes again when the socket
 *   signals `'writable'` (or after {@link CONGESTION_RETRY} ms), before anything newer;
 * - the server is gone (`ECONNREFUSED`, `ENOENT`, …): the connection closes without settling the
 *   packet, so the sender puts it back in the queue and reconnects with backoff;
 * - any other error (`EMSGSIZE`: larger than the socket allows) fails only that packet.
 *
 * The socket is closed while idle (see {@link IDLE_CLOSE}) without the sender noticing: the
 * next send opens it again, and a failure to do so is the server being gone.
 */
export class UnixgramTransport implements Transport {
  readonly #target: TransportTarget;
  readonly #events: TransportEvents;
  readonly #module: UnixDgramModule;
  #socket: UnixDgramSocket | undefined;
  #closed = false;
  #blocked = false;
  #pending: Pending | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #whenIdle: (() => void) | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #lastSend = 0;
  readonly #closeIfIdle = (): void => {
    this.#idleTimer = undefined;
    const socket = this.#socket;
    if (socket === undefined || this.#closed) return;
    const idle = monotonicMs() - this.#lastSend;
    if (this.#pending === undefined && idle >= IDLE_CLOSE) {
      this.#socket = undefined;
      closeQuietly(socket);
    } else {
      this.#armIdleClose(Math.max(IDLE_CLOSE - idle, 1));
    }
  };

  constructor(target: TransportTarget, events: TransportEvents, module: UnixDgramModule) {
    this.#target = target;
    this.#events = events;
    this.#module = module;
  }

  connect(): Promise<void> {
    const failure = this.#open();
    if (failure === undefined) return Promise.resolve();
    this.#closed = true;
    return Promise.reject(failure);
  }

  /** Opens and connects the socket; returns why it failed, if it did. */
  #open(): Error | undefined {
    const path = this.#target.path as string;
    let failure: Error | undefined;
    let socket: UnixDgramSocket;
    try {
      socket = this.#module.createSocket('unix_dgram');
    } catch (error) {
      return asError(error);
    }
    // `connect` reports synchronously; later errors only come from sends, which have callbacks.
    socket.on('error', (error) => {
      failure ??= named(error, `connect to ${path}`);
    });
    socket.on('writable', () => this.#retryPending());
    socket.connect(path);
    if (failure !== undefined) {
      closeQuietly(socket);
      return failure;
    }
    this.#socket = socket;
    this.#lastSend = monotonicMs();
    this.#armIdleClose(IDLE_CLOSE);
    return undefined;
  }

  #armIdleClose(delay: number): void {
    this.#idleTimer = setTimeout(this.#closeIfIdle, delay);
    this.#idleTimer.unref();
  }

  send(data: Buffer, callback: SendCallback): boolean {
    if (this.#closed) {
      callback(new Error('the socket is closed'));
      return false;
    }
    if (this.#socket === undefined) {
      const failure = this.#open();
      if (failure !== undefined) {
        // Left unsettled: the sender puts it back when the connection closes.
        this.#blocked = true;
        this.#shutDown(failure);
        return false;
      }
    }
    this.#lastSend = monotonicMs();
    this.#attempt({ data, callback });
    return !this.#blocked;
  }

  #attempt(packet: Pending): void {
    (this.#socket as UnixDgramSocket).send(packet.data, (error) => this.#settle(packet, error));
  }

  #settle(packet: Pending, error: UnixDgramError | undefined): void {
    if (error === undefined || error === null) {
      packet.callback();
      return;
    }
    if (error.code === 1) {
      // Congestion: keep the packet, wait for `'writable'`.
      this.#blocked = true;
      this.#pending = packet;
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => this.#retryPending(), CONGESTION_RETRY);
      this.#retryTimer.unref();
      return;
    }
    const failure = named(error, 'send');
    if (GONE.has(failure.code as string)) {
      // Left unsettled: the sender puts it back when the connection closes.
      this.#blocked = true;
      this.#shutDown(failure);
      return;
    }
    packet.callback(failure);
  }

  #retryPending(): void {
    const pending = this.#pending;
    if (pending === undefined || this.#closed) return;
    this.#pending = undefined;
    clearTimeout(this.#retryTimer);
    this.#attempt(pending);
    if (this.#pending !== undefined || this.#closed) return;
    this.#blocked = false;
    if (this.#whenIdle !== undefined) this.#whenIdle();
    else this.#events.onDrain();
  }

  end(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#pending === undefined) {
      this.#shutDown(undefined);
      return Promise.resolve();
    }
    // A congested packet goes first; `closeWithin` destroys the socket if that takes too long.
    return new Promise((resolve) => {
      this.#whenIdle = () => {
        this.#shutDown(undefined);
        resolve();
      };
    });
  }

  destroy(): void {
    this.#shutDown(undefined);
  }

  /** Closes once; the sender hears of it on the next tick, after the current send returned. */
  #shutDown(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#idleTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket !== undefined) closeQuietly(socket);
    process.nextTick(() => this.#events.onClose(error));
  }
}

/** `unix-dgram` errors carry a negative errno as their code; name it (`ECONNREFUSED`). */
function named(error: UnixDgramError, syscall: string): NodeJS.ErrnoException {
  const code = error.code;
  const name =
    typeof code === 'number' && code < 0 ? safeErrorName(code) : String(code ?? error.message);
  const named: NodeJS.ErrnoException = new Error(`${syscall} failed: ${name}`, { cause: error });
  named.code = name;
  return named;
}

function safeErrorName(errno: number): string {
  try {
    return getSystemErrorName(errno);
  } catch {
    return `errno ${errno}`;
  }
}

function closeQuietly(socket: UnixDgramSocket): void {
  socket.removeAllListeners();
  // The 'error' listener stays so that a late native error cannot crash the process.
  socket.on('error', () => {});
  try {
    socket.close();
  } catch {
    // Already closed: nothing to release.
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
