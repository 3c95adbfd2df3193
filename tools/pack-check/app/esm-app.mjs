// An ESM application as a user writes it: Express with @statsd/express, a worker connector
// from @statsd/core, and the test kit's subpath. STATSD_HOST/PORT/PROTOCOL come from the
// environment the pack check sets.
import { once } from 'node:events';
import express from 'express';
import { statsdMiddleware } from '@statsd/express';
import { createConnector } from '@statsd/core';
import { parseLine } from '@statsd/core/testing';

if (parseLine('a:1|c').name !== 'a') throw new Error('@statsd/core/testing did not load');

const statsd = statsdMiddleware({ service: 'pack-esm', environment: 'ci' });
const app = express();
app.use(statsd);
app.get('/users/:id', (_req, res) => {
  res.locals.statsd.incr('lookups');
  res.send('ok');
});
const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address();
for (const id of [1, 2, 3]) await (await fetch(`http://127.0.0.1:${port}/users/${id}`)).text();
server.close();
await statsd.connector.stop();

const worker = createConnector({ service: 'pack-esm-worker', environment: 'ci' });
await worker.start();
worker.incr('jobs', 2);
await worker.stop();
