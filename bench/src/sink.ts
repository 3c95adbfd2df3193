/**
 * The counting sink, run as a child process (`fork`) so that receiving never competes with the
 * client for the same event loop. It listens on loopback UDP and TCP, counts the metric lines and
 * the metric values it receives and answers the parent over IPC. "Delivered" in every figure
 * means counted here, as values: a line may carry several (packed values, see `line-scanner.ts`).
 *
 * Line counting: a datagram holds lines separated by `\n` (the last one terminated or not); a
 * TCP stream terminates every line with `\n`.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { LineScanner, countDatagram, type LineCounts } from './line-scanner.js';
import type { SinkCounts, SinkReply, SinkRequest } from './sink-protocol.js';

const REQUESTED_RECV_BUFFER = 64 * 1024 * 1024;
const HOST = '127.0.0.1';

const udpCounts: LineCounts = { lines: 0, values: 0 };
const tcpCounts: LineCounts = { lines: 0, values: 0 };
let udpPackets = 0;
let bytes = 0;
let firstAt = 0n;
let lastAt = 0n;

interface Settle {
  readonly id: number;
  readonly expected: number;
  readonly quietMs: number;
  readonly since: bigint;
}
let settle: Settle | undefined;
let quietTimer: NodeJS.Timeout | undefined;

function received(size: number): void {
  const now = process.hrtime.bigint();
  if (firstAt === 0n) firstAt = now;
  lastAt = now;
  bytes += size;
  if (settle !== undefined && receivedValues() >= settle.expected) answerSettle();
}

function receivedValues(): number {
  return udpCounts.values + tcpCounts.values;
}

function counts(): SinkCounts {
  return {
    udpLines: udpCounts.lines,
    udpPackets,
    tcpLines: tcpCounts.lines,
    lines: udpCounts.lines + tcpCounts.lines,
    udpValues: udpCounts.values,
    tcpValues: tcpCounts.values,
    values: receivedValues(),
    bytes,
    firstAt: firstAt.toString(),
    lastAt: lastAt.toString(),
    udpDrops: kernelDrops(),
  };
}

const udp = createSocket({ type: 'udp4' });
udp.on('message', (data) => {
  if (data.length === 0) return;
  udpPackets++;
  countDatagram(data, udpCounts);
  received(data.length);
});

const tcpSockets = new Set<Socket>();
let tcp: Server | undefined;

function listenTcp(port: number): Promise<number> {
  const server = createServer((socket) => {
    tcpSockets.add(socket);
    const scanner = new LineScanner();
    socket.on('data', (data) => {
      scanner.scan(data, tcpCounts);
      received(data.length);
    });
    socket.on('error', () => {});
    socket.on('close', () => tcpSockets.delete(socket));
  });
  tcp = server;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: HOST }, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

function closeTcp(): Promise<void> {
  const server = tcp;
  tcp = undefined;
  for (const socket of tcpSockets) socket.destroy();
  if (server === undefined) return Promise.resolve();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Datagrams the kernel dropped for this socket because its receive buffer was full. */
function kernelDrops(): number {
  const port = udp.address().port.toString(16).toUpperCase().padStart(4, '0');
  try {
    for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(':' + port) === true) return Number(fields[fields.length - 1]);
    }
  } catch {
    // Not Linux: the drop counter is unknown, loss still shows as values missing.
  }
  return -1;
}

function reply(message: SinkReply): void {
  process.send?.(message);
}

function answerSettle(): void {
  const pending = settle;
  if (pending === undefined) return;
  settle = undefined;
  clearInterval(quietTimer);
  quietTimer = undefined;
  reply({ id: pending.id, type: 'counts', counts: counts() });
}

// Quiet detection, only while a settle waits (an idle sink must not wake the machine):
// nothing arrived for `quietMs` since the later of the request and the last bytes.
function watchQuiet(): void {
  quietTimer = setInterval(() => {
    if (settle === undefined) return;
    const since = lastAt > settle.since ? lastAt : settle.since;
    if (process.hrtime.bigint() - since >= BigInt(settle.quietMs) * 1_000_000n) answerSettle();
  }, 2);
}

async function handle(request: SinkRequest): Promise<void> {
  switch (request.type) {
    case 'reset':
      udpCounts.lines = udpCounts.values = tcpCounts.lines = tcpCounts.values = 0;
      udpPackets = bytes = 0;
      firstAt = lastAt = 0n;
      reply({ id: request.id, type: 'ok' });
      return;
    case 'counts':
      reply({ id: request.id, type: 'counts', counts: counts() });
      return;
    case 'settle':
      settle = {
        id: request.id,
        expected: request.expected,
        quietMs: request.quietMs,
        since: process.hrtime.bigint(),
      };
      if (receivedValues() >= request.expected) answerSettle();
      else watchQuiet();
      return;
    case 'tcp-listen':
      reply({ id: request.id, type: 'port', port: await listenTcp(request.port) });
      return;
    case 'tcp-close':
      await closeTcp();
      reply({ id: request.id, type: 'ok' });
      return;
    case 'exit':
      await closeTcp();
      udp.close();
      process.disconnect();
      return;
  }
}

async function main(): Promise<void> {
  await new Promise<void>((resolve) => udp.bind({ port: 0, address: HOST }, resolve));
  udp.setRecvBufferSize(REQUESTED_RECV_BUFFER);
  const tcpPort = await listenTcp(0);
  process.on('message', (request: SinkRequest) => void handle(request));
  reply({
    id: 0,
    type: 'ready',
    udpPort: udp.address().port,
    tcpPort,
    recvBufferSize: udp.getRecvBufferSize(),
    requestedRecvBufferSize: REQUESTED_RECV_BUFFER,
  });
}

main().catch((error: unknown) => {
  console.error('sink failed:', error);
  process.exit(1);
});
