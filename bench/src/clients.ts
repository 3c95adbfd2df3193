/**
 * The contenders of the metric figures, each sending the same line,
 * `bench.counters.hot.path:1|c`, in packets of at most 1432 bytes:
 * - ours: a `@statsd/core` connector;
 * - hot-shots 17 in buffered mode (`maxBufferSize: 1432`, default `bufferFlushInterval`);
 * - the bare loop: formats lines and sends full datagrams on a connected socket, nothing else.
 *
 * Every burst loop is written out per contender, so that each call site stays monomorphic and
 * no contender pays for an indirection the others do not.
 */
import { createSocket, type Socket } from 'node:dgram';
import { Connector, type ConnectorOptions } from '@statsd/core';
import { StatsD } from 'hot-shots';
import { yieldTurn } from './measure.js';

export const HOST = '127.0.0.1';
export const PACKET_SIZE = 1432;
export const PATH = 'hot.path';
/** The line every contender sends. */
export const LINE = 'bench.counters.hot.path:1|c';

export type Protocol = 'udp' | 'tcp';

/** A started connector with the benchmark's settings; errors are counted, not logged. */
export async function startOurs(
  protocol: Protocol,
  port: number,
  errors: { count: number },
  options: ConnectorOptions = {},
): Promise<Connector> {
  const connector = new Connector({
    host: HOST,
    port,
    protocol,
    prefix: 'bench',
    maxPacketSize: PACKET_SIZE,
    onError: () => {
      errors.count++;
    },
    ...options,
  });
  await connector.start();
  return connector;
}

/** hot-shots as its users configure it for throughput: buffered, 1432-byte packets. */
export function startHotShots(protocol: Protocol, port: number, errors: { count: number }): StatsD {
  return new StatsD({
    host: HOST,
    port,
    protocol,
    prefix: 'bench.counters.',
    maxBufferSize: PACKET_SIZE,
    errorHandler: () => {
      errors.count++;
    },
  });
}

export function closeHotShots(client: StatsD): Promise<void> {
  return new Promise((resolve) => client.close(() => resolve()));
}

/** `n` calls in chunks of `chunk`, a turn between chunks; resolves once handed to the OS. */
export async function oursBurst(connector: Connector, n: number, chunk: number): Promise<void> {
  for (let done = 0; done < n; done += chunk) {
    for (let i = 0; i < chunk; i++) connector.incr(PATH);
    await yieldTurn();
  }
  if (!(await connector.flush(120_000))) throw new Error('the connector did not flush in time');
}

/** The same for hot-shots; its `flush(callback)` waits for the sends in flight. */
export async function hotShotsBurst(client: StatsD, n: number, chunk: number): Promise<void> {
  for (let done = 0; done < n; done += chunk) {
    for (let i = 0; i < chunk; i++) client.increment(PATH);
    await yieldTurn();
  }
  await new Promise<void>((resolve) => client.flush(() => resolve()));
}

/**
 * The practical limit: format each line, pack lines into full datagrams, send each datagram on a
 * connected socket without a callback. No queue, no accounting, no pacing.
 */
export class BareLoop {
  readonly #socket: Socket;
  readonly #head: string;

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.#head = 'bench.counters.' + PATH + ':';
  }

  static async connect(port: number): Promise<BareLoop> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.connect(port, HOST, resolve));
    return new BareLoop(socket);
  }

  async burst(n: number, chunk: number): Promise<void> {
    const socket = this.#socket;
    const head = this.#head;
    let packet = '';
    for (let done = 0; done < n; done += chunk) {
      for (let i = 0; i < chunk; i++) {
        const line = head + String(1) + '|c';
        if (packet.length === 0) {
          packet = line;
        } else if (packet.length + 1 + line.length > PACKET_SIZE) {
          socket.send(Buffer.from(packet));
          packet = line;
        } else {
          packet += '\n' + line;
        }
      }
      await yieldTurn();
    }
    if (packet.length > 0) socket.send(Buffer.from(packet));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(resolve));
  }
}
