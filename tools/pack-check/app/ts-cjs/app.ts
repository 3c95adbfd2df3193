// One TypeScript CommonJS application (no "type": "module" above it), compiled twice:
// - `ts-commonjs/tsconfig.json`, "module": "commonjs" (moduleResolution node10, which ignores
//   `exports`): types come from `types` and `typesVersions`;
// - `ts-nodenext-cjs/tsconfig.json`, "module": "nodenext": TypeScript 5.8 and later let it import
//   the ESM packages. ("module": "node16" refuses them with TS1479.)
// Both emit require() calls that load the ESM packages through Node's require(esm). The service
// name comes from the command line, so the daemon tells the two builds apart.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { statsdMiddleware } from '@statsd/koa';
import { createConnector, type Connector } from '@statsd/core';
import { MemoryConnector } from '@statsd/core/testing';
import { routeMetricName } from '@statsd/core/framework';

async function main(service: string): Promise<void> {
  const memory: Connector = new MemoryConnector();
  memory.incr('typed');
  if (routeMetricName('/users/:id') !== 'users._id') throw new Error('framework subpath');

  const statsd = statsdMiddleware({ service, environment: 'ci' });
  const app = new Koa();
  const router = new Router();
  router.get('/carts/:id', (ctx) => {
    const connector: Connector = ctx.state.statsd;
    connector.incr('lookups');
    ctx.body = 'ok';
  });
  app.use(statsd).use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  for (const id of [1, 2]) await (await fetch(`http://127.0.0.1:${port}/carts/${id}`)).text();
  server.close();
  await statsd.connector.stop();

  const worker = createConnector({ service: `${service}-worker`, environment: 'ci' });
  await worker.start();
  worker.incr('jobs', 5);
  await worker.stop();
}

const service = process.argv[2];
if (service === undefined) throw new Error('usage: node app.js <service>');
main(service).catch((error: unknown) => {
  process.exitCode = 1;
  throw error;
});
