import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** The three ports one daemon listens on. */
export interface DaemonPorts {
  /** The daemon's UDP metrics server. */
  readonly udpPort: number;
  /** The daemon's TCP metrics server. */
  readonly tcpPort: number;
  /** The daemon's management (admin) TCP server. */
  readonly mgmtPort: number;
}

type Release = () => Promise<void>;

/**
 * Asks the kernel for ports that are free right now on `host`.
 *
 * All sockets stay bound until every port is known, so the two TCP ports cannot be the same one.
 * They are released before the daemon binds them, so another process may win a port in between:
 * the caller retries with fresh ports when the daemon reports `EADDRINUSE`.
 */
export async function pickFreePorts(host: string): Promise<DaemonPorts> {
  const releases: Release[] = [];
  try {
    const tcpPort = await holdTcpPort(host, releases);
    const mgmtPort = await holdTcpPort(host, releases);
    const udpPort = await holdUdpPort(host, releases);
    return { udpPort, tcpPort, mgmtPort };
  } finally {
    await Promise.all(releases.map((release) => release()));
  }
}

async function holdTcpPort(host: string, releases: Release[]): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  releases.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error(`A TCP server on ${host} reported no port: ${String(address)}.`);
  }
  return address.port;
}

async function holdUdpPort(host: string, releases: Release[]): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port: 0, address: host, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  releases.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket.address().port;
}
