import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Serves `handler` (an Express app, a Koa app's `callback()`) on an ephemeral loopback port. */
export async function listen(handler: RequestListener): Promise<Server> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** The port a listening server was given. */
export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** Closes a server and every connection still open on it; nothing to do if it is not listening. */
export async function close(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}
