/** What a transport tells the sender about its connection. */
export interface TransportEvents {
  /** The connection is gone (peer closed, reset, or error); `error` says why when there is one. */
  onClose(error: Error | undefined): void;
  /** A transport that returned false from `send` can take more again. */
  onDrain(): void;
  /**
   * A problem that neither closed the connection nor failed a send: a UDP socket learns that an
   * earlier datagram was refused (nothing listens on the port) only after that send succeeded.
   */
  onError?(error: Error): void;
}

/** Called once per packet: without an error when the operating system accepted it. */
export type SendCallback = (error?: Error | null) => void;

/**
 * One connection to the server, created by the sender for each (re)connection attempt. Stream
 * transports (TCP, unix) and datagram transports (UDP) look the same from here.
 */
export interface Transport {
  /**
   * Resolves when packets can be sent; rejects on failure or after the connect timeout.
   * A transport that needs no connection returns nothing and is usable at once.
   */
  connect(): Promise<void> | void;
  /**
   * Sends one packet. Returns false when the caller should wait for `onDrain` before sending
   * more (the kernel or the peer is not keeping up).
   */
  send(data: Buffer, callback: SendCallback): boolean;
  /** Closes after everything already sent has been written; resolves when closed. */
  end(): Promise<void>;
  /** Closes at once, abandoning anything not yet written. */
  destroy(): void;
}

/** Where to connect and how long a connection attempt may take. */
export interface TransportTarget {
  readonly host: string;
  readonly port: number;
  readonly path: string | undefined;
  readonly connectTimeout: number;
}

/** Creates a transport for one connection attempt. */
export type TransportFactory = (target: TransportTarget, events: TransportEvents) => Transport;

/**
 * Closes `transport` gracefully (`end()`), or at once (`destroy()`) when that takes longer than
 * `timeout` milliseconds or no time is left. Never rejects.
 */
export function closeWithin(transport: Transport, timeout: number): Promise<void> {
  if (timeout <= 0) {
    transport.destroy();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      transport.destroy();
      resolve();
    }, timeout);
    void transport.end().then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
