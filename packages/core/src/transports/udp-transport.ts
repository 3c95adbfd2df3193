import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { SendCallback, Transport, TransportEvents, TransportTarget } from './transport.js';

/** Datagrams handed to the socket but not yet confirmed; beyond it the sender waits. */
const MAX_IN_FLIGHT = 256;

/** How often a host name is looked up again, to follow a server that moved. */
const RESOLVE_EVERY = 30_000;

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
  #address = '';
  #abandoned = false;
  #resolveTimer: NodeJS.Timeout | undefined;

  constructor(target: TransportTarget, events: TransportEvents) {
    this.#target = target;
    this.#events = events;
  }

  async connect(): Promise<void> {
    const { host, port, connectTimeout } = this.#target;
    let timer: NodeJS.Timeout | undefined;
    // The timeout covers the name lookup too: a DNS server that never answers must not leave
    // the sender connecting forever.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`UDP connect to ${host}:${port} timed out after ${connectTimeout} ms`));
      }, connectTimeout);
      timer.unref();
    });
    try {
      await Promise.race([this.#open(host, port), timeout]);
    } catch (error) {
      this.#abandoned = true;
      this.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    if (isIP(host) === 0) this.#watchAddress(host);
  }

  async #open(host: string, port: number): Promise<void> {
    const address = await resolve(host);
    // The attempt timed out while the name was being looked up: open nothing.
    if (this.#abandoned) return;
    const socket = createSocket({ type: isIP(address) === 6 ? 'udp6' : 'udp4' });
    this.#socket = socket;
    this.#address = address;
    socket.unref();
    // Refusals of earlier datagrams arrive here (as recvmsg ECONNREFUSED) or fail the next
    // send. Listening also keeps them from being thrown.
    socket.on('error', (error: Error) => this.#events.onError?.(error));
    socket.once('close', () => {
      this.#closed = true;
      clearInterval(this.#resolveTimer);
      this.#events.onClose(undefined);
    });
    await new Promise<void>((done) => socket.connect(port, address, done));
  }

  /**
   * A UDP socket never disconnects, so nothing would make it follow a host name to a new
   * address. Looking the name up again every {@link RESOLVE_EVERY} ms and closing the socket when
   * the address changed makes the sender reconnect to the new one.
   */
  #watchAddress(host: string): void {
    this.#resolveTimer = setInterval(() => {
      resolve(host).then(
        (address) => {
          if (address !== this.#address && !this.#closed) void this.end();
        },
        () => {
          // Keep the current address while the name cannot be resolved.
        },
      );
    }, RESOLVE_EVERY);
    this.#resolveTimer.unref();
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
        // A closing dgram socket throws on send until its 'close' event: refuse sends from now.
        this.#closed = true;
        socket.close(() => resolve());
      };
      finish();
    });
  }

  destroy(): void {
    clearInterval(this.#resolveTimer);
    if (this.#socket !== undefined && !this.#closed) {
      this.#closed = true;
      this.#socket.close();
    }
  }
}

async function resolve(host: string): Promise<string> {
  return isIP(host) === 0 ? (await lookup(host)).address : host;
}
