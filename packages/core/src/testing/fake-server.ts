import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { invalidOption } from '../errors.js';
import { BoundedLog } from './bounded-log.js';
import {
  resolveFakeServerOptions,
  type FakeStatsdServerOptions,
  type FakeStatsdServerSettings,
} from './fake-server-options.js';
import { LineSplitter, splitLines } from './line-splitter.js';
import { metricCount, metricsOfLines, type ParsedMetric } from './parse-line.js';
import { WaitList } from './wait-list.js';

export type { FakeStatsdServerOptions } from './fake-server-options.js';

/** One datagram (UDP) or one chunk read from a connection (TCP, unix), as it arrived. */
export interface ReceivedPacket {
  /** The raw bytes, for byte-exact assertions. */
  readonly data: Buffer;
  /** Arrival time from the monotonic clock, `performance.now()`. */
  readonly at: number;
}

const DEFAULT_TIMEOUT = 5000;
// Bursts from a client under test can outrun the event loop; the default Linux buffer (~200 KiB)
// would drop datagrams and make byte-exact tests flaky. The kernel caps it at net.core.rmem_max.
const UDP_RECEIVE_BUFFER = 8 * 1024 * 1024;
const LINES_SHOWN_ON_TIMEOUT = 5;
const LONGEST_LINE_SHOWN = 200;

/**
 * A loopback StatsD server that records every line it receives, for byte-exact assertions in
 * tests. It splits lines like the reference daemon: a UDP datagram is split on `\n`, a TCP or
 * unix stream yields only `\n`-terminated lines. Lines are decoded as UTF-8.
 *
 * @example
 * const server = await FakeStatsdServer.start();
 * // …point the client at server.host and server.port, send metrics…
 * expect(await server.waitForLines(2)).toEqual(['jobs:1|c', 'pool:12|g']);
 * await server.stop();
 */
export class FakeStatsdServer {
  readonly #settings: FakeStatsdServerSettings;
  readonly #lines: BoundedLog<string>;
  readonly #packets: BoundedLog<ReceivedPacket>;
  readonly #connections = new Map<Socket, LineSplitter>();
  readonly #waits = new WaitList();
  #udp: DgramSocket | undefined;
  #server: Server | undefined;
  #port = 0;
  #received = 0;
  #receivedMetrics = 0;
  /** Keeps each line split from what arrives, and counts the metrics it holds. */
  readonly #lineSink = {
    push: (line: string): void => {
      this.#lines.push(line);
      this.#receivedMetrics += metricCount(line);
    },
  };
  #accepted = 0;
  #stopping: Promise<void> | undefined;

  private constructor(settings: FakeStatsdServerSettings) {
    this.#settings = settings;
    this.#lines = new BoundedLog(settings.maxLines);
    this.#packets = new BoundedLog(settings.maxLines);
  }

  /**
   * Starts a server and resolves once it is listening. Rejects with a `StatsdError`
   * (`ERR_STATSD_INVALID_OPTION`) for bad options, or with the system error when the address
   * cannot be bound (e.g. `EADDRINUSE`).
   */
  static async start(options: FakeStatsdServerOptions = {}): Promise<FakeStatsdServer> {
    const server = new FakeStatsdServer(resolveFakeServerOptions(options));
    await server.#listen();
    return server;
  }

  /** The transport listened on. */
  get protocol(): 'udp' | 'tcp' | 'unix' {
    return this.#settings.protocol;
  }

  /** The bound loopback address; `''` for a unix socket. */
  get host(): string {
    return this.#settings.protocol === 'unix' ? '' : this.#settings.host;
  }

  /** The bound port (the one chosen by the system when `port` was 0); 0 for a unix socket. */
  get port(): number {
    return this.#port;
  }

  /** The unix socket path; `undefined` for UDP and TCP. */
  get path(): string | undefined {
    return this.#settings.path;
  }

  /**
   * Complete lines in arrival order, at most `maxLines` (the newest). Empty lines are ignored, as
   * the daemon does. A copy: later arrivals do not change it.
   */
  get lines(): readonly string[] {
    return this.#lines.toArray();
  }

  /**
   * The metrics of `lines`, parsed, one per value (a line with packed values holds several);
   * DogStatsD events and service checks are in `lines` only.
   */
  get metrics(): readonly ParsedMetric[] {
    return metricsOfLines(this.#lines.toArray());
  }

  /** Datagrams (UDP) or chunks read (TCP, unix) in arrival order, at most `maxLines` (the newest). */
  get packets(): readonly ReceivedPacket[] {
    return this.#packets.toArray();
  }

  /** Complete lines received since start or the last `clear()`, including those discarded. */
  get received(): number {
    return this.#received;
  }

  /** TCP and unix connections currently open. */
  get connections(): number {
    return this.#connections.size;
  }

  /** TCP and unix connections accepted since start (not reset by `clear()`). */
  get connectionsAccepted(): number {
    return this.#accepted;
  }

  /**
   * Resolves with the kept `lines` once `received` reaches `count` (at once if it already has).
   * When more than `maxLines` lines arrived, fewer than `count` are kept. Rejects with a plain
   * `Error` on timeout, or if the server stops first, saying how many lines arrived and the last
   * few of them.
   */
  waitForLines(count: number, options: { timeout?: number } = {}): Promise<string[]> {
    return this.#waitFor(count, 'lines', options.timeout ?? DEFAULT_TIMEOUT);
  }

  /**
   * Metrics in the lines received since start or the last `clear()`: one per value (a line with
   * packed values holds several), event and service check. What a connector counts as `sent`.
   */
  get receivedMetrics(): number {
    return this.#receivedMetrics;
  }

  /**
   * As {@link FakeStatsdServer.waitForLines}, until `receivedMetrics` reaches `count`: waits for
   * what a connector counts as sent (`stats().sent`) whether or not it packs values.
   */
  waitForMetrics(count: number, options: { timeout?: number } = {}): Promise<string[]> {
    return this.#waitFor(count, 'metrics', options.timeout ?? DEFAULT_TIMEOUT);
  }

  /** Resolves with the kept lines once `count` lines or metrics arrived; see `waitForLines`. */
  #waitFor(count: number, unit: 'lines' | 'metrics', timeout: number): Promise<string[]> {
    if (!Number.isSafeInteger(count) || count < 0) {
      return Promise.reject(invalidOption('count', count, 'a non-negative integer'));
    }
    return this.#waits.add(
      timeout,
      () => (unit === 'lines' ? this.#received : this.#receivedMetrics) >= count,
      () => this.#lines.toArray(),
      () => this.#linesReport(count, unit),
    );
  }

  /**
   * Resolves once a TCP or unix connection is open (at once if one already is). Rejects with a
   * plain `Error` on timeout, if the server stops first, or for a UDP server.
   */
  waitForConnection(options: { timeout?: number } = {}): Promise<void> {
    if (this.#settings.protocol === 'udp') {
      return Promise.reject(
        new Error(
          `waitForConnection() needs a 'tcp' or 'unix' server; ${this.#describe()} is UDP.`,
        ),
      );
    }
    return this.#waits.add(
      options.timeout ?? DEFAULT_TIMEOUT,
      () => this.#connections.size > 0,
      () => undefined,
      () => `no connection is open (${this.#accepted} accepted so far) on ${this.#describe()}.`,
    );
  }

  /**
   * Destroys every open connection to simulate a peer that resets: TCP connections are closed
   * with an RST, so the client sees `ECONNRESET`. A unix socket has no RST: it is simply closed,
   * and the client sees an end of stream or `EPIPE` (or `ECONNRESET` if data was left unread).
   */
  resetConnections(): void {
    for (const socket of this.#connections.keys()) {
      if (this.#settings.protocol === 'tcp') socket.resetAndDestroy();
      else socket.destroy();
    }
  }

  /**
   * Forgets the kept lines and packets and sets `received` back to 0. Connections stay open, and
   * a line begun before `clear()` is kept pending, so it is recorded once its `\n` arrives.
   */
  clear(): void {
    this.#lines.clear();
    this.#packets.clear();
    this.#received = 0;
    this.#receivedMetrics = 0;
  }

  /**
   * Closes the server and every open connection; pending waits reject. Idempotent: later calls
   * return the same promise. The port (or unix path) can be bound again once it resolves.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#close();
    return this.#stopping;
  }

  /** Same as {@link FakeStatsdServer.stop}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #listen(): Promise<void> {
    const { protocol, host, port, path, read } = this.#settings;
    if (protocol === 'udp') {
      const socket = createSocket(host === '::1' ? 'udp6' : 'udp4');
      socket.on('message', (message: Buffer) => this.#onDatagram(message));
      try {
        socket.bind({ address: host, port });
        await once(socket, 'listening');
      } catch (error) {
        socket.close();
        throw error;
      }
      // A socket error after binding (rare on loopback) must not crash the test process.
      socket.on('error', ignore);
      try {
        socket.setRecvBufferSize(UDP_RECEIVE_BUFFER);
      } catch {
        // Refused by the system: the default buffer still works, only bursts may be dropped.
      }
      this.#udp = socket;
      this.#port = socket.address().port;
      return;
    }
    // pauseOnConnect leaves each socket unread until resumed, which `read: false` never does.
    const server = createServer({ pauseOnConnect: !read }, (socket) => this.#onConnection(socket));
    server.listen(protocol === 'unix' ? { path } : { host, port });
    await once(server, 'listening');
    // Errors while accepting (e.g. EMFILE) must not crash the test process; the client notices.
    server.on('error', ignore);
    this.#server = server;
    const address = server.address();
    this.#port = typeof address === 'object' && address !== null ? address.port : 0;
  }

  #onDatagram(message: Buffer): void {
    this.#packets.push({ data: message, at: performance.now() });
    this.#record(message);
  }

  #onConnection(socket: Socket): void {
    if (this.#stopping !== undefined) {
      socket.destroy();
      return;
    }
    const splitter = new LineSplitter();
    this.#connections.set(socket, splitter);
    this.#accepted += 1;
    // Resets and broken pipes are what tests provoke; they end up as 'close' like any other end.
    socket.on('error', ignore);
    socket.on('close', () => this.#connections.delete(socket));
    if (this.#settings.read) {
      socket.on('data', (chunk: Buffer) => {
        this.#packets.push({ data: chunk, at: performance.now() });
        const complete = splitter.push(chunk);
        if (complete !== undefined) this.#record(complete);
      });
    }
    this.#waits.settle();
  }

  #record(bytes: Buffer): void {
    this.#received += splitLines(bytes, this.#lineSink);
    this.#waits.settle();
  }

  #linesReport(count: number, unit: 'lines' | 'metrics'): string {
    let report =
      unit === 'lines'
        ? `received ${this.#received} of ${count} lines on ${this.#describe()}`
        : `received ${this.#receivedMetrics} of ${count} metrics in ` +
          `${plural(this.#received, 'line')} on ${this.#describe()}`;
    report += ` (${plural(this.#packets.total, 'packet')}`;
    if (this.#settings.protocol !== 'udp') {
      let pending = 0;
      for (const splitter of this.#connections.values()) pending += splitter.pendingBytes;
      report += `, ${plural(this.#connections.size, 'open connection')}`;
      if (pending > 0) report += `, ${plural(pending, 'byte')} pending without a final "\\n"`;
    }
    report += ').';
    const last = this.#lines.last(LINES_SHOWN_ON_TIMEOUT);
    if (last.length === 0) return report;
    return `${report}\nLast lines:\n${last.map((line) => `  ${quote(line)}`).join('\n')}`;
  }

  #describe(): string {
    const { protocol, host, path } = this.#settings;
    if (protocol === 'unix') return `unix:${path}`;
    return `${protocol}://${host.includes(':') ? `[${host}]` : host}:${this.#port}`;
  }

  async #close(): Promise<void> {
    this.#waits.close();
    const udp = this.#udp;
    if (udp !== undefined) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      return;
    }
    const server = this.#server;
    if (server === undefined) return;
    // server.close() waits for every connection to end; a test's client may never end its own.
    for (const socket of this.#connections.keys()) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function ignore(): void {}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function quote(line: string): string {
  const shown = line.length > LONGEST_LINE_SHOWN ? `${line.slice(0, LONGEST_LINE_SHOWN)}…` : line;
  return JSON.stringify(shown);
}
