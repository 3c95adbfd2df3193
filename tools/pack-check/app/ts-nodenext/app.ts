// A TypeScript ESM application on "module": "nodenext": every entry point and subpath must
// resolve to its types, and `res.locals.statsd` must be typed.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { statsdMiddleware } from '@statsd/express';
import { createConnector, type Connector } from '@statsd/core';
import { MemoryConnector } from '@statsd/core/testing';
import { routeMetricName } from '@statsd/core/framework';

const memory: Connector = new MemoryConnector();
memory.incr('typed');
if (routeMetricName('/users/:id') !== 'users._id') throw new Error('framework subpath');

const statsd = statsdMiddleware({ service: 'pack-ts-nodenext', environment: 'ci' });
const app = express();
app.use(statsd);
app.get('/items/:id', (_req, res) => {
  const connector: Connector = res.locals.statsd;
  connector.incr('lookups');
  res.send('ok');
});
const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;
for (const id of [1, 2]) await (await fetch(`http://127.0.0.1:${port}/items/${id}`)).text();
server.close();
await statsd.connector.stop();

const worker = createConnector({ service: 'pack-ts-nodenext-worker', environment: 'ci' });
await worker.start();
worker.incr('jobs', 4);
await worker.stop();
