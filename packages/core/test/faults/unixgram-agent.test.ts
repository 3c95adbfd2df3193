import { rmSync } from 'node:fs';
import type { Connector } from '../../src/connector.js';
import { ErrorCode } from '../../src/errors.js';
import type { ConnectorOptions } from '../../src/types.js';
import {
  connectorFor,
  errorLog,
  expectBalanced,
  nextTurn,
  stopConnectors,
  until,
} from '../helpers/connector-harness.js';
import { checkSequence, expectIntactSequence } from './fault-peers.js';
import { UnixgramAgents } from './unixgram-agents.js';

// protocol: 'unixgram' against a real agent socket that stops reading or dies. Small packets, so
// that the kernel's queue for the agent's socket (counted in datagrams) fills with few lines.
const PACKET = 64;

let agents: UnixgramAgents;

beforeEach(() => {
  agents = new UnixgramAgents();
});

afterEach(async () => {
  await stopConnectors();
  await agents.cleanUp();
});

/** Sends the next `count` lines of the sequence-numbered stream, checking the books after each. */
function sendSequence(statsd: Connector, from: number, count: number): number {
  for (let i = 0; i < count; i++) {
    statsd.incr(`seq.${from + i}`);
    expectBalanced(statsd.stats());
  }
  return from + count;
}

/** The numbers of the sequence-numbered stream in `lines`, lowest first. */
function numbersIn(lines: readonly string[]): number[] {
  return [...checkSequence(lines).numbers].sort((a, b) => a - b);
}

/** `count` consecutive numbers from `from`. */
function run(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

describe("Connector over 'unixgram' to an agent that stops reading", () => {
  it.each<[string, ConnectorOptions]>([
    ['maxQueueSize', { maxQueueSize: 1000 }],
    ['maxQueueBytes', { maxQueueBytes: 16 * 1024 }],
  ])(
    'queues what the kernel pushes back, counts what passes %s as queueFull, and delivers the rest in order',
    async (_, bound) => {
      const agent = await agents.start();
      const statsd = connectorFor({
        protocol: 'unixgram',
        path: agent.path,
        maxPacketSize: PACKET,
        ...bound,
      });
      await statsd.start();
      await agent.pause();
      let total = 0;
      let pushedBack = false;
      for (let round = 0; round < 100 && statsd.stats().dropped === 0; round++) {
        total = sendSequence(statsd, total, 100);
        await nextTurn();
        const stats = statsd.stats();
        expectBalanced(stats);
        // Until the queue's bound is reached, the kernel's pushback only shows as queued.
        if (stats.dropped === 0 && stats.queued > 0) pushedBack = true;
      }
      expect(pushedBack).toBe(true);
      // Beyond the bound: counted, never silent, and only for that reason.
      total = sendSequence(statsd, total, 500);
      await nextTurn();
      const congested = statsd.stats();
      expectBalanced(congested);
      expect(congested.dropReasons.queueFull).toBeGreaterThan(0);
      expect(congested.dropped).toBe(congested.dropReasons.queueFull);
      expect(congested.queued).toBeLessThanOrEqual(bound.maxQueueSize ?? Infinity);
      expect(congested.queuedBytes).toBeLessThanOrEqual(bound.maxQueueBytes ?? Infinity);
      // The kernel took a few datagrams before pushing back, and nothing since.
      expect(congested.packetsSent).toBeGreaterThan(0);
      expect(congested.sent).toBeLessThan(total - congested.dropped);

      await agent.resume();
      await until(() => statsd.stats().queued === 0, 'the queue delivered');
      const delivered = statsd.stats();
      expectBalanced(delivered);
      expect(delivered).toMatchObject({ enqueued: total, dropped: congested.dropped });
      await agent.waitFor(() => agent.lines.length >= delivered.sent);
      expectIntactSequence(agent.lines, delivered.sent);
      // What arrived is the stream's head, whole: the drops were the newest metrics, refused at
      // the full queue, and everything counted sent or queued arrived.
      expect(numbersIn(agent.lines)).toEqual(run(0, delivered.sent));
    },
  );
});

describe("Connector over 'unixgram' to an agent that dies and comes back", () => {
  it.each([
    ['left behind', false],
    ['removed', true],
  ])(
    'loses only what the dead agent held unread, queues the rest, and delivers it once when its socket file is %s',
    async (_, removeFile) => {
      const path = agents.path();
      const first = await agents.start(path);
      const { errors, onError } = errorLog();
      const statsd = connectorFor({ protocol: 'unixgram', path, maxPacketSize: PACKET, onError });
      await statsd.start();
      let total = 0;
      // Streaming while the agent reads.
      for (let round = 0; round < 5; round++) {
        total = sendSequence(statsd, total, 100);
        await nextTurn();
      }
      await until(() => statsd.stats().queued === 0, 'the stream delivered');
      // The agent stalls, so that its socket holds datagrams when it dies, and the connector
      // holds a packet the kernel pushed back.
      await first.pause();
      total = sendSequence(statsd, total, 200);
      await nextTurn();
      const stalled = statsd.stats();
      expect(stalled.queued).toBeGreaterThan(0);
      // Every line read before the pause was reported before its reply: the first agent's lines
      // are final.
      const read = first.lines.length;
      await first.kill();
      if (removeFile) rmSync(path);
      // Streaming on while nobody reads the path: the connector notices and retries.
      for (let round = 0; round < 5; round++) {
        total = sendSequence(statsd, total, 100);
        await nextTurn();
      }
      await until(() => errors.length >= 2, 'the loss and a failed reconnect reported');
      const gone = statsd.stats();
      expectBalanced(gone);
      // Nothing failed: the packet the kernel refused was put back, not dropped, and no later
      // datagram was counted sent.
      expect(gone).toMatchObject({ dropped: 0, sent: stalled.sent, connected: false });

      const second = await agents.start(path);
      total = sendSequence(statsd, total, 300);
      await until(() => statsd.stats().queued === 0, 'the backlog delivered');
      const back = statsd.stats();
      expectBalanced(back);
      expect(back).toMatchObject({ enqueued: total, dropped: 0 });
      expect(back.reconnects).toBeGreaterThanOrEqual(1);
      // The datagrams the dead agent held unread are gone, counted sent: the loss after `sent`.
      const lost = stalled.sent - read;
      expect(lost).toBeGreaterThan(0);
      await second.waitFor(() => second.lines.length >= total - stalled.sent);
      expectIntactSequence([...first.lines, ...second.lines], total - lost);
      expect(numbersIn(first.lines)).toEqual(run(0, read));
      expect(numbersIn(second.lines)).toEqual(run(stalled.sent, total - stalled.sent));
      expect(new Set(errors.map((error) => error.code))).toEqual(new Set([ErrorCode.Transport]));
    },
  );
});

describe("Connector over 'unixgram' stopping while the agent dies", () => {
  it.each([
    ['before', false],
    ['during', true],
  ])(
    'counts every metric it could not hand over as stopTimeout when the agent dies %s stop()',
    async (_, dieDuringStop) => {
      const agent = await agents.start();
      const { errors, onError } = errorLog();
      const statsd = connectorFor({
        protocol: 'unixgram',
        path: agent.path,
        maxPacketSize: PACKET,
        stopTimeout: 1000,
        onError,
      });
      await statsd.start();
      await agent.pause();
      const total = sendSequence(statsd, 0, 300);
      await nextTurn();
      const stalled = statsd.stats();
      expect(stalled.queued).toBeGreaterThan(0);
      let stopping: Promise<void> | undefined;
      if (dieDuringStop) {
        stopping = statsd.stop();
        await nextTurn();
      }
      await agent.kill();
      await (stopping ?? statsd.stop());
      const stats = statsd.stats();
      expectBalanced(stats);
      // What the kernel took before the agent stalled counts as sent (and died with the agent);
      // the packet it pushed back and everything behind it are dropped, and say why.
      expect(stats).toMatchObject({ enqueued: total, sent: stalled.sent, queued: 0 });
      expect(stats.dropped).toBe(stats.dropReasons.stopTimeout);
      expect(stats.dropped).toBe(total - stalled.sent);
      expect(errors.at(-1)?.message).toMatch(/stop\(\) could not deliver \d+ queued metrics/);
    },
  );
});
