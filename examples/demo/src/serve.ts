import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request handler: an Express app, or a Koa app's `callback()` (which returns a promise). */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Serves `handler` on an ephemeral loopback port. */
export function listen(handler: Handler): Promise<{ server: Server; port: number }> {
  // Koa's handler settles its own errors (its 'error' event): its promise is only for callers
  // who want to wait, and the server does not.
  const server = createServer((req, res) => void handler(req, res));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}

/** Stops accepting connections and resolves once every open one has ended. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
  });
}
