import { createApp } from './app.js';

// Run directly, for example:
//   STATSD_HOST=127.0.0.1 PORT=3002 node examples/fastify-app/dist/main.js
const port = Number(process.env.PORT ?? 3002);
const host = process.env.HOST ?? '127.0.0.1';
// Delivers the queue and stops the connector when the app closes or on SIGTERM/SIGINT.
const app = createApp({ statsd: { stopOnShutdown: true } });
app.listen({ port, host }).then(
  (address) => console.log(`fastify-app listening on ${address}`),
  (error: Error) => {
    console.error(`fastify-app: cannot listen on ${host}:${port}: ${error.message}`);
    process.exitCode = 1;
  },
);
