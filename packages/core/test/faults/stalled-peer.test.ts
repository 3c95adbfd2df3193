import type { Connector } from '../../src/connector.js';
import {
  connectorFor,
  expectBalanced,
  stopConnectors,
  until,
} from '../helpers/connector-harness.js';
import { HeldPeer, expectIntactSequence } from './fault-peers.js';

// Small packets: "within one packet" is then a handful of lines, where a batch of writes is
// hundreds.
const PACKET = 256;
/** The most `counters.seq.<n>:1|c` lines one packet can hold (each at least 18 bytes with `\n`). */
const LINES_PER_PACKET = Math.floor(PACKET / 18);

const peers: HeldPeer[] = [];

async function heldPeer(options: { pause?: number } = {}): Promise<HeldPeer> {
  const peer = await HeldPeer.start(options);
  peers.push(peer);
  return peer;
}

afterEach(async () => {
  await stopConnectors();
  await Promise.all(peers.splice(0).map((peer) => peer.stop()));
});

/** Resolves `promise`, or rejects when it takes longer than `bound` ms. */
async function within<T>(promise: Promise<T>, bound: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${bound} ms`)), bound);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Stops `statsd` while `peer` holds back what it was sent, and expects the stop to time out
 * with every metric counted; then lets the peer read what the kernel took and expects every
 * metric counted sent to have arrived and, of those counted dropped, only the complete lines
 * of the one packet the kernel had taken in part.
 */
async function expectStopCountsWithinOnePacket(
  statsd: Connector,
  peer: HeldPeer,
  total: number,
  stopTimeout: number,
): Promise<void> {
  await within(statsd.stop(), stopTimeout + 2000, 'stop()');
  const stats = statsd.stats();
  expect(stats.dropReasons.stopTimeout).toBeGreaterThan(0);
  expect(stats).toMatchObject({ enqueued: total, queued: 0 });
  expectBalanced(stats);
  // The peer reads everything the kernel took, after the connection was destroyed.
  peer.release();
  await peer.drained();
  const arrivedUncounted = expectIntactSequence(peer.lines) - stats.sent;
  expect(arrivedUncounted).toBeGreaterThanOrEqual(0);
  expect(arrivedUncounted).toBeLessThan(LINES_PER_PACKET);
}

describe('Connector against a peer that stops reading', () => {
  it('counts as sent exactly what arrives, within one packet, when stop() times out', async () => {
    const peer = await heldPeer();
    const statsd = connectorFor({
      host: '127.0.0.1',
      port: peer.port,
      maxPacketSize: PACKET,
      maxQueueSize: 10_000_000,
      maxQueueBytes: 256 * 1024 * 1024,
      stopTimeout: 200,
    });
    await statsd.start();
    await until(() => statsd.stats().connected, 'the connection');
    // Fill the kernel's buffers until writes wait in the socket.
    let total = 0;
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 5000; i++) statsd.incr(`seq.${total++}`);
      if (!(await statsd.flush(100))) break;
    }
    await expectStopCountsWithinOnePacket(statsd, peer, total, 200);
  });

  it('holds queued within maxQueueSize and maxQueueBytes, packets being written included', async () => {
    const peer = await heldPeer();
    const maxQueueSize = 10_000;
    const maxQueueBytes = 1024 * 1024;
    const statsd = connectorFor({
      host: '127.0.0.1',
      port: peer.port,
      maxPacketSize: PACKET,
      maxQueueSize,
      maxQueueBytes,
      stopTimeout: 100,
    });
    await statsd.start();
    await until(() => statsd.stats().connected, 'the connection');
    let total = 0;
    let highest = 0;
    let highestBytes = 0;
    for (let round = 0; round < 400 && statsd.stats().dropReasons.queueFull === 0; round++) {
      for (let i = 0; i < 5000; i++) statsd.incr(`seq.${total++}`);
      await statsd.flush(10);
      highest = Math.max(highest, statsd.stats().queued);
      highestBytes = Math.max(highestBytes, statsd.stats().queuedBytes);
    }
    expect(statsd.stats().dropReasons.queueFull).toBeGreaterThan(0);
    // The connection dies with a packet half written: it goes back to the head of the queue.
    await peer.stop();
    await until(() => !statsd.stats().connected, 'the reset to be noticed');
    for (let i = 0; i < 1000; i++) statsd.incr(`seq.${total++}`);
    const after = statsd.stats();
    highest = Math.max(highest, after.queued);
    highestBytes = Math.max(highestBytes, after.queuedBytes);
    expect(highest).toBeLessThanOrEqual(maxQueueSize);
    expect(highestBytes).toBeLessThanOrEqual(maxQueueBytes);
    expectBalanced(after);
    expect(after.dropped).toBe(after.dropReasons.queueFull);
  });

  it('counts as sent exactly what a slow reader gets, within one packet, when stop() times out', async () => {
    const peer = await heldPeer({ pause: 50 });
    const statsd = connectorFor({
      host: '127.0.0.1',
      port: peer.port,
      maxPacketSize: PACKET,
      maxQueueSize: 1_000_000,
      maxQueueBytes: 64 * 1024 * 1024,
      stopTimeout: 300,
    });
    await statsd.start();
    await until(() => statsd.stats().connected, 'the connection');
    let total = 0;
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < 5000; i++) statsd.incr(`seq.${total++}`);
      await statsd.flush(0);
    }
    await expectStopCountsWithinOnePacket(statsd, peer, total, 300);
  });
});
