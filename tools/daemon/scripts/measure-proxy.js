// Measures what survives the reference daemon's cluster proxy: two daemons behind `proxy.js` on
// loopback, fed by the connector over UDP or TCP at several paces, and the share of counters the
// daemons received. The figures in the root README ("Deploying at scale") come from this script.
//
// Run after `pnpm build`, from the repository root: `node tools/daemon/scripts/measure-proxy.js`
// (optionally a number of rounds, default 3). It takes about a minute per round.
import process from 'node:process';
import { setTimeout as delay } from 'node:timers/promises';
import { Connector } from '../../../packages/core/dist/index.js';
import { StatsdDaemon, StatsdProxy } from '../dist/index.js';

const TOTAL = 10_000;
const NAMES = 50;
/** [lines per chunk, milliseconds between chunks]; one chunk of everything is a burst. */
const PACES = [
  [TOTAL, 0],
  [1_000, 10],
  [200, 10],
  [100, 10],
  [50, 10],
];

async function received(daemons) {
  let sum = 0;
  for (const daemon of daemons) {
    for (const [key, value] of Object.entries(await daemon.counters())) {
      if (key.startsWith('measure.counters.')) sum += value;
    }
  }
  return sum;
}

async function trial(protocol, chunk, pauseMs) {
  const daemons = [await StatsdDaemon.start(), await StatsdDaemon.start()];
  const proxy = await StatsdProxy.start({ nodes: daemons, server: protocol });
  try {
    const statsd = new Connector({
      host: proxy.host,
      port: proxy.port,
      protocol,
      prefix: 'measure',
    });
    await statsd.start();
    for (let sent = 0; sent < TOTAL;) {
      for (let i = 0; i < chunk && sent < TOTAL; i++, sent++) statsd.incr(`n${sent % NAMES}`);
      await statsd.flush();
      await delay(pauseMs);
    }
    await statsd.stop();
    // Nothing acknowledges: read until the count stops rising for 200 ms, or all arrived.
    let last = -1;
    let got = await received(daemons);
    while (got !== last && got < TOTAL) {
      await delay(200);
      last = got;
      got = await received(daemons);
    }
    return got;
  } finally {
    await proxy.stop();
    for (const daemon of daemons) await daemon.stop();
  }
}

const rounds = Number(process.argv[2] ?? 3);
for (const protocol of ['udp', 'tcp']) {
  for (const [chunk, pauseMs] of PACES) {
    const shares = [];
    for (let round = 0; round < rounds; round++) {
      shares.push(((100 * (await trial(protocol, chunk, pauseMs))) / TOTAL).toFixed(1) + '%');
    }
    const pace = chunk === TOTAL ? 'one burst' : `${chunk} lines every ${pauseMs} ms`;
    process.stdout.write(
      `${protocol} to the proxy, ${TOTAL} counters, ${pace}: ${shares.join(', ')}\n`,
    );
  }
}
