import type { Socket } from 'node:net';
import type { SendCallback } from './transport.js';

/** Bytes gathered into one write before the sender is asked to wait: Node's own high-water mark. */
const BATCH_BYTES = 16 * 1024;

interface Outgoing {
  readonly data: Buffer;
  readonly callback: SendCallback;
}

/** The part of libuv's stream handle that says how much of a write the kernel has not taken. */
interface QueueSizeHandle {
  readonly writeQueueSize?: unknown;
}

/**
 * Writes a stream connection's packets, gathered per event-loop turn into one `writev` (far
 * fewer system calls than a write per packet), and keeps the accounting exact to within one
 * packet:
 * - a write the kernel takes whole at once settles its packets as sent right away;
 * - a write it takes in part is the only one in progress: nothing more is written until it
 *   completes, and the sender is asked to wait;
 * - when the connection is abandoned ({@link StreamWriter.abandon}, before `destroy()`), the
 *   packets of that write the kernel already holds whole are settled as sent, from the bytes
 *   libuv still holds (`writeQueueSize`), and only the rest stays unsent.
 */
export class StreamWriter {
  readonly #socket: Socket;
  readonly #onDrain: () => void;
  #batch: Outgoing[] = [];
  #batchBytes = 0;
  #scheduled = false;
  /** The write the kernel has taken only part of, if any, and its size. */
  #writing: Outgoing[] | undefined;
  #writingBytes = 0;
  readonly #flush = (): void => {
    this.#scheduled = false;
    this.#write();
  };

  constructor(socket: Socket, onDrain: () => void) {
    this.#socket = socket;
    this.#onDrain = onDrain;
  }

  /** Queues one packet for this turn's write; false when the sender should wait for a drain. */
  send(data: Buffer, callback: SendCallback): boolean {
    this.#batch.push({ data, callback });
    this.#batchBytes += data.length;
    if (!this.#scheduled && this.#writing === undefined) {
      this.#scheduled = true;
      process.nextTick(this.#flush);
    }
    return this.#writing === undefined && this.#batchBytes < BATCH_BYTES;
  }

  /**
   * Settles as sent the packets of the write in progress that the kernel holds whole; call it
   * right before destroying the socket. Without libuv's figure nothing is settled: a packet is
   * never counted sent on a guess.
   */
  abandon(): void {
    const writing = this.#writing;
    if (writing === undefined) return;
    const unwritten = (this.#socket as unknown as { _handle?: QueueSizeHandle | null })._handle
      ?.writeQueueSize;
    if (typeof unwritten !== 'number') return;
    let accepted = this.#writingBytes - unwritten;
    let settled = 0;
    while (settled < writing.length) {
      const packet = writing[settled] as Outgoing;
      if (packet.data.length > accepted) break;
      accepted -= packet.data.length;
      settled++;
      packet.callback();
    }
    writing.splice(0, settled);
  }

  #write(): void {
    const socket = this.#socket;
    const batch = this.#batch;
    if (batch.length === 0 || this.#writing !== undefined) return;
    const bytes = this.#batchBytes;
    this.#batch = [];
    this.#batchBytes = 0;
    let done = false;
    const finish = (error?: Error | null): void => {
      if (done) return;
      done = true;
      if (this.#writing === batch) this.#writing = undefined;
      for (const packet of batch) packet.callback(error);
      if (error) return;
      if (this.#batch.length > 0 && !this.#scheduled) {
        this.#scheduled = true;
        process.nextTick(this.#flush);
      }
      this.#onDrain();
    };
    const last = batch.length - 1;
    if (last > 0) socket.cork();
    for (let i = 0; i < last; i++) socket.write((batch[i] as Outgoing).data);
    socket.write((batch[last] as Outgoing).data, finish);
    if (last > 0) socket.uncork();
    // Nothing left in the socket's buffer: the kernel took the whole write at once.
    if (socket.writable && socket.writableLength === 0) {
      finish();
      return;
    }
    this.#writing = batch;
    this.#writingBytes = bytes;
  }
}
