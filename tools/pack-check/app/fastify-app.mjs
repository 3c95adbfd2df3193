// An ESM Fastify application with @statsd/fastify, on the lowest Fastify the peer range accepts.
import Fastify from 'fastify';
import { statsdPlugin } from '@statsd/fastify';
import { createConnector } from '@statsd/core';

const app = Fastify();
await app.register(statsdPlugin, { service: 'pack-fastify', environment: 'ci' });
app.get('/accounts/:id', async (request) => {
  request.statsd.incr('lookups');
  return 'ok';
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
for (const id of [1, 2, 3, 4]) await (await fetch(`${address}/accounts/${id}`)).text();
await app.close(); // delivers the queue and stops the connector

const worker = createConnector({ service: 'pack-fastify-worker', environment: 'ci' });
await worker.start();
worker.incr('jobs', 7);
await worker.stop();
