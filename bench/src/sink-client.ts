import { fork, type ChildProcess } from 'node:child_process';
import { distFile } from './paths.js';
import type { SinkCounts, SinkReply, SinkRequest } from './sink-protocol.js';

type Ready = Extract<SinkReply, { type: 'ready' }>;
type Pending = (reply: SinkReply) => void;

// Distributes `Omit` over the union so each request keeps its own fields.
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** The parent's handle on a counting sink running in its own process. */
export class Sink {
  readonly udpPort: number;
  readonly tcpPort: number;
  /** What the kernel granted for the UDP receive buffer, in bytes, as it reports it. */
  readonly recvBufferSize: number;
  readonly requestedRecvBufferSize: number;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  private constructor(child: ChildProcess, ready: Ready) {
    this.#child = child;
    this.udpPort = ready.udpPort;
    this.tcpPort = ready.tcpPort;
    this.recvBufferSize = ready.recvBufferSize;
    this.requestedRecvBufferSize = ready.requestedRecvBufferSize;
    child.on('message', (reply: SinkReply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      pending?.(reply);
    });
  }

  /** The sink's process id, to pin it to a CPU (figures 2 to 4). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Forks `sink.js` and waits until it listens. */
  static start(): Promise<Sink> {
    const child = fork(distFile('sink.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the sink exited with code ${code}`)));
      child.once('message', (reply: SinkReply) => {
        if (reply.type === 'ready') resolve(new Sink(child, reply));
        else reject(new Error(`the sink sent ${reply.type} before ready`));
      });
    });
  }

  #request(request: WithoutId<SinkRequest>): Promise<SinkReply> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#child.send({ ...request, id });
    });
  }

  /** Zeroes the counts. */
  async reset(): Promise<void> {
    await this.#request({ type: 'reset' });
  }

  async counts(): Promise<SinkCounts> {
    return countsOf(await this.#request({ type: 'counts' }));
  }

  /** The counts once `expected` metric values arrived, or once nothing arrived for `quietMs`. */
  async settle(expected: number, quietMs: number = 250): Promise<SinkCounts> {
    return countsOf(await this.#request({ type: 'settle', expected, quietMs }));
  }

  /** Opens the TCP server on `port` (0: any); resolves the port. */
  async listenTcp(port: number): Promise<number> {
    const reply = await this.#request({ type: 'tcp-listen', port });
    if (reply.type !== 'port') throw new Error(`the sink answered ${reply.type} to tcp-listen`);
    return reply.port;
  }

  /** Closes the TCP server and resets every connection to it. */
  async closeTcp(): Promise<void> {
    await this.#request({ type: 'tcp-close' });
  }

  /** Ends the sink process. */
  stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null) return Promise.resolve();
    child.removeAllListeners('exit');
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.send({ id: 0, type: 'exit' });
    });
  }
}

function countsOf(reply: SinkReply): SinkCounts {
  if (reply.type !== 'counts') throw new Error(`the sink answered ${reply.type}, not counts`);
  return reply.counts;
}

/** Nanoseconds between a local `process.hrtime.bigint()` and one the sink reported. */
export function nsBetween(start: bigint, sinkTime: string): number {
  return Number(BigInt(sinkTime) - start);
}
