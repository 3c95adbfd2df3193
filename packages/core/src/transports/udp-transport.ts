import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { SendCallback, Transport, TransportEvents, TransportTarget } from './transport.js';

/** Datagrams handed to the socket but not yet confirmed; beyond it the sender waits. */
const MAX_IN_FLIGHT = 256;

/**
 * A connected UDP socket (IPv4 or IPv6, chosen from the resolved address). Connecting once lets
 * every send skip the address lookup, and lets the kernel report an unreachable port as a send
 * error, which is counted as dropped, never as sent.
 */
export class UdpTransport implements Transport {
  readonly #target: TransportTarget;
  readonly #events: TransportEvents;
  #socket: Socket | undefined;
  #inFlight = 0;
  #blocked = false;
  #closed = false;

  constructor(target: TransportTarget, events: TransportEvents) {
    this.#target = target;
    this.#events = events;
  }

  async connect(): Promise<void> {
    const { host, port, connectTimeout } = this.#target;
    const address = isIP(host) === 0 ? (await lookup(host)).address : host;
    const socket = createSocket({ type: isIP(address) === 6 ? 'udp6' : 'udp4' });
    this.#socket = socket;
    socket.unref();
    // Refusals of earlier datagrams arrive here (as recvmsg ECONNREFUSED) or fail the next
    // send. Listening also keeps them from being thrown.
    socket.on('error', (error: Error) => this.#events.onError?.(error));
    socket.once('close', () => {
      this.#closed = true;
      this.#events.onClose(undefined);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`UDP connect to ${address}:${port} timed out after ${connectTimeout} ms`));
      }, connectTimeout);
      timer.unref();
      socket.connect(port, address, () => {
        clearTimeout(timer);
        resolve();
      });
    }).catch((error: unknown) => {
      socket.close();
      throw error;
    });
  }

  send(data: Buffer, callback: SendCallback): boolean {
    const socket = this.#socket;
    if (socket === undefined || this.#closed) {
      callback(new Error('the socket is closed'));
      return false;
    }
    this.#inFlight++;
    socket.send(data, (error) => {
      this.#inFlight--;
      callback(error);
      if (this.#blocked && this.#inFlight <= MAX_IN_FLIGHT / 2) {
        this.#blocked = false;
        this.#events.onDrain();
      }
    });
    if (this.#inFlight >= MAX_IN_FLIGHT) this.#blocked = true;
    return !this.#blocked;
  }

  end(): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined || this.#closed) return Promise.resolve();
    // Pending sends complete before close takes effect; wait for them so nothing is cut off.
    return new Promise((resolve) => {
      const finish = (): void => {
        if (this.#inFlight > 0) {
          setImmediate(finish);
          return;
        }
        socket.close(() => resolve());
      };
      finish();
    });
  }

  destroy(): void {
    if (this.#socket !== undefined && !this.#closed) this.#socket.close();
  }
}
