// A TypeScript CommonJS application on "module": "nodenext" (no "type": "module" above it):
// TypeScript 5.8 and later let it import the ESM packages, emitted as require() calls that
// Node's require(esm) loads. ("module": "node16" refuses them with TS1479.)
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { statsdMiddleware } from '@statsd/koa';
import { createConnector, type Connector } from '@statsd/core';
import { MemoryConnector } from '@statsd/core/testing';
import { routeMetricName } from '@statsd/core/framework';

async function main(): Promise<void> {
  const memory: Connector = new MemoryConnector();
  memory.incr('typed');
  if (routeMetricName('/users/:id') !== 'users._id') throw new Error('framework subpath');

  const statsd = statsdMiddleware({ service: 'pack-ts-nodenext-cjs', environment: 'ci' });
  const app = new Koa();
  const router = new Router();
  router.get('/baskets/:id', (ctx) => {
    const connector: Connector = ctx.state.statsd;
    connector.incr('lookups');
    ctx.body = 'ok';
  });
  app.use(statsd).use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  for (const id of [1, 2]) await (await fetch(`http://127.0.0.1:${port}/baskets/${id}`)).text();
  server.close();
  await statsd.connector.stop();

  const worker = createConnector({ service: 'pack-ts-nodenext-cjs-worker', environment: 'ci' });
  await worker.start();
  worker.incr('jobs', 6);
  await worker.stop();
}

main().catch((error: unknown) => {
  process.exitCode = 1;
  throw error;
});
