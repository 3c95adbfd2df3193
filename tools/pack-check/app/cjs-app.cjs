// A CommonJS application: Koa with @koa/router and @statsd/koa, loaded with require() (Node's
// require(esm), Node >= 20.19).
'use strict';
const { once } = require('node:events');
const Koa = require('koa');
const Router = require('@koa/router');
const { statsdMiddleware } = require('@statsd/koa');
const { createConnector } = require('@statsd/core');

async function main() {
  const statsd = statsdMiddleware({ service: 'pack-cjs', environment: 'ci' });
  const app = new Koa();
  const router = new Router();
  router.get('/orders/:id', (ctx) => {
    ctx.state.statsd.incr('lookups');
    ctx.body = 'ok';
  });
  app.use(statsd).use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  for (const id of [1, 2]) await (await fetch(`http://127.0.0.1:${port}/orders/${id}`)).text();
  server.close();
  await statsd.connector.stop();

  const worker = createConnector({ service: 'pack-cjs-worker', environment: 'ci' });
  await worker.start();
  worker.incr('jobs', 3);
  await worker.stop();
}

main().catch((error) => {
  process.exitCode = 1;
  throw error;
});
