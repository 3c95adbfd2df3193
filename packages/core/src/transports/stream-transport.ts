import { connect, type Socket } from 'node:net';
import { StreamWriter } from './stream-writer.js';
import type { SendCallback, Transport, TransportEvents, TransportTarget } from './transport.js';

/**
 * A TCP or unix domain stream socket. Host names are looked up on every connection, so a server
 * that moves to a new address is followed on reconnect. Writes are whole packets that end in
 * `\n`: a connection that dies mid-write leaves at most an unterminated tail, which the server
 * discards, and the sender resends that packet whole on the next connection.
 */
export class StreamTransport implements Transport {
  readonly #target: TransportTarget;
  readonly #events: TransportEvents;
  #socket: Socket | undefined;
  #writer: StreamWriter | undefined;
  #closed = false;

  constructor(target: TransportTarget, events: TransportEvents) {
    this.#target = target;
    this.#events = events;
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const target = this.#target;
      const socket =
        target.path === undefined
          ? connect({ host: target.host, port: target.port, noDelay: true })
          : connect({ path: target.path });
      this.#socket = socket;
      socket.unref();
      const timeOut = (): void => {
        if (!socket.connecting) return;
        socket.destroy(
          new Error(
            `connection to ${describeTarget(target)} timed out after ${target.connectTimeout} ms`,
          ),
        );
      };
      // Timers run before the poll that would see the handshake complete: after an event loop
      // blocked past the deadline, the timer fires for a connection that is already up. One poll
      // later (setImmediate) tells: only a socket still connecting then has timed out.
      const timer = setTimeout(() => setImmediate(timeOut).unref(), target.connectTimeout);
      timer.unref();
      const onError = (error: Error): void => {
        clearTimeout(timer);
        this.#closed = true;
        reject(error);
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        socket.setKeepAlive(true, 10_000);
        this.#watch(socket);
        resolve();
      });
    });
  }

  #watch(socket: Socket): void {
    this.#writer = new StreamWriter(socket, () => this.#events.onDrain());
    let failure: Error | undefined;
    socket.on('error', (error: Error) => {
      failure = error;
    });
    // The server never sends anything meaningful; reading keeps the socket's end detection working.
    socket.on('data', () => {});
    socket.on('end', () => socket.end());
    socket.once('close', () => {
      this.#closed = true;
      this.#events.onClose(failure);
    });
  }

  /** Queues one packet for this turn's write (see {@link StreamWriter}). */
  send(data: Buffer, callback: SendCallback): boolean {
    const writer = this.#writer;
    if (writer === undefined || this.#closed) {
      callback(new Error('the connection is closed'));
      return false;
    }
    return writer.send(data, callback);
  }

  end(): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
    });
  }

  destroy(): void {
    // Packets the kernel already holds whole will still arrive: count them as sent.
    this.#writer?.abandon();
    this.#socket?.destroy();
  }
}

/** Names a target in messages: `host:port` or the socket path. */
export function describeTarget(target: TransportTarget): string {
  if (target.path !== undefined) return target.path;
  return target.host.includes(':')
    ? `[${target.host}]:${target.port}`
    : `${target.host}:${target.port}`;
}
