import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';

// Run directly, for example:
//   STATSD_HOST=127.0.0.1 PORT=3001 node examples/koa-app/dist/main.js
const port = Number(process.env.PORT ?? 3001);
const host = process.env.HOST ?? '127.0.0.1';
const { app, statsd } = createApp();
const server = app.listen(port, host, () => {
  const { port: actual } = server.address() as AddressInfo;
  console.log(`koa-app listening on http://${host}:${actual}`);
});
server.once('error', (error) => {
  console.error(`koa-app: cannot listen on ${host}:${port}: ${error.message}`);
  process.exitCode = 1;
});
// Drains and stops the connector when the server closes or on SIGTERM/SIGINT.
statsd.stopOnShutdown(server);
