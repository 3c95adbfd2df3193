import { createServer, connect, type Server, type Socket } from 'node:net';
import { LineSplitter, splitLines } from '../../src/testing/line-splitter.js';

/** Lines of the sequence-numbered stream the fault tests send: `seq.<n>:1|c`. */
export const SEQUENCE_LINE = /^counters\.seq\.(\d+):1\|c$/;

/**
 * What a peer saw of the sequence-numbered stream: lines that are not whole `seq.<n>` lines
 * (partial or merged), numbers seen twice, and numbers out of order.
 */
export function checkSequence(lines: readonly string[]): {
  broken: string[];
  duplicates: number[];
  outOfOrder: number[];
  numbers: Set<number>;
} {
  const broken: string[] = [];
  const duplicates: number[] = [];
  const outOfOrder: number[] = [];
  const numbers = new Set<number>();
  let last = -1;
  for (const line of lines) {
    const match = SEQUENCE_LINE.exec(line);
    if (match === null) {
      broken.push(line);
      continue;
    }
    const n = Number(match[1]);
    if (numbers.has(n)) duplicates.push(n);
    else if (n < last) outOfOrder.push(n);
    numbers.add(n);
    last = Math.max(last, n);
  }
  return { broken, duplicates, outOfOrder, numbers };
}

/**
 * Expects `lines` to hold the sequence-numbered stream whole: no broken line, no number twice,
 * none out of order and, when `arrived` is given, that many numbers. Returns how many arrived.
 */
export function expectIntactSequence(lines: readonly string[], arrived?: number): number {
  const { broken, duplicates, outOfOrder, numbers } = checkSequence(lines);
  const seen = { broken, duplicates, outOfOrder };
  const whole = { broken: [], duplicates: [], outOfOrder: [] };
  if (arrived === undefined) expect(seen).toEqual(whole);
  else expect({ ...seen, arrived: numbers.size }).toEqual({ ...whole, arrived });
  return numbers.size;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port was bound');
  return address.port;
}

/**
 * A TCP peer that accepts connections and reads nothing until {@link HeldPeer.release}, then
 * reads everything, like a StatsD server that stalls and recovers; with `pause` it is a slow
 * reader instead, resting that many milliseconds after every chunk it reads. Lines are cut per
 * connection as the reference daemon cuts them: a tail without `\n` is lost when its connection
 * closes.
 */
export class HeldPeer {
  readonly lines: string[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #pause: number;
  #released: boolean;
  #port = 0;

  private constructor(pause: number | undefined) {
    this.#pause = pause ?? 0;
    this.#released = pause !== undefined;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  static async start(options: { pause?: number } = {}): Promise<HeldPeer> {
    const peer = new HeldPeer(options.pause);
    peer.#port = await listen(peer.#server);
    return peer;
  }

  get port(): number {
    return this.#port;
  }

  /** Reads every connection, and every later one, at full speed from now on. */
  release(): void {
    this.#released = true;
    this.#pause = 0;
    for (const socket of this.#sockets) socket.resume();
  }

  /** Resolves when every accepted connection has been read to its end. */
  async drained(): Promise<void> {
    await Promise.all(
      [...this.#sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve))),
    );
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => this.#sockets.delete(socket));
    const splitter = new LineSplitter();
    socket.on('data', (chunk: Buffer) => {
      const complete = splitter.push(chunk);
      if (complete !== undefined) splitLines(complete, this.lines);
      if (this.#pause > 0) {
        socket.pause();
        setTimeout(() => socket.resume(), this.#pause);
      }
    });
    if (!this.#released) socket.pause();
  }
}

/**
 * A TCP proxy in front of a server. {@link CuttingProxy.cut} forwards part of the next chunk it
 * reads from the client, up to the middle of a line, then closes both sides: the server is left
 * with an unterminated line, the client with a reset connection. A connection that reconnects
 * gets a fresh one to the server.
 */
export class CuttingProxy {
  /** Connections cut so far. */
  cuts = 0;
  readonly #server: Server;
  readonly #target: number;
  readonly #pairs = new Set<[Socket, Socket]>();
  #cutNext = false;
  #port = 0;

  private constructor(target: number) {
    this.#target = target;
    this.#server = createServer((client) => this.#accept(client));
  }

  static async start(targetPort: number): Promise<CuttingProxy> {
    const proxy = new CuttingProxy(targetPort);
    proxy.#port = await listen(proxy.#server);
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** Cuts the connection mid-line at its next chunk. */
  cut(): void {
    this.#cutNext = true;
  }

  async stop(): Promise<void> {
    for (const [client, upstream] of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    const upstream = connect({ host: '127.0.0.1', port: this.#target });
    const pair: [Socket, Socket] = [client, upstream];
    this.#pairs.add(pair);
    const close = (): void => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    upstream.on('close', close);
    // A client that ends its stream: hand the server everything first.
    client.on('end', () => {
      this.#pairs.delete(pair);
      upstream.end();
    });
    client.on('data', (chunk: Buffer) => {
      if (!this.#cutNext) {
        upstream.write(chunk);
        return;
      }
      this.#cutNext = false;
      this.cuts++;
      // The lines before the middle of the chunk, then part of the next: a partial line.
      const newline = chunk.indexOf(0x0a, chunk.length >> 1);
      const cutAt = newline < 0 ? chunk.length >> 1 : Math.min(newline + 4, chunk.length - 1);
      upstream.end(chunk.subarray(0, Math.max(1, cutAt)));
      client.resetAndDestroy();
      this.#pairs.delete(pair);
    });
  }
}
