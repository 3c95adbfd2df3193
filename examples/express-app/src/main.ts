import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';

// Run directly, for example:
//   STATSD_HOST=127.0.0.1 PORT=3000 node examples/express-app/dist/main.js
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const { app, statsd } = createApp();
const server = app.listen(port, host, (error?: Error) => {
  if (error !== undefined) {
    console.error(`express-app: cannot listen on ${host}:${port}: ${error.message}`);
    process.exitCode = 1;
    return;
  }
  const { port: actual } = server.address() as AddressInfo;
  console.log(`express-app listening on http://${host}:${actual}`);
});
// Drains and stops the connector when the server closes or on SIGTERM/SIGINT.
statsd.stopOnShutdown(server);
