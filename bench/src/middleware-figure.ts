/**
 * Figure 4: requests per second of an Express and a Koa app with our middleware, against the
 * same app with no metrics and with a hot-shots-based middleware. Each variant runs in its own
 * process; autocannon loads them in turn from this process, round after round.
 */
import { fork, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { HOST } from './clients.js';
import { formatCount, formatRatio, median, progress } from './measure.js';
import { distFile } from './paths.js';
import type { Row } from './report.js';
import type { Sink } from './sink-client.js';
import type { Framework, Variant } from './app-server.js';

const VARIANTS: readonly Variant[] = ['bare', 'ours', 'hot-shots'];
const CONNECTIONS = 10;

interface RunningApp {
  readonly variant: Variant;
  readonly child: ChildProcess;
  readonly url: string;
}

async function startApp(framework: Framework, variant: Variant, sink: Sink): Promise<RunningApp> {
  const child = fork(distFile('app-server.js'), [framework, variant, String(sink.udpPort)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${framework} ${variant} exited: ${code}`)));
    child.once('message', (message: { port: number }) => resolve(message.port));
  });
  child.removeAllListeners('exit');
  return { variant, child, url: `http://${HOST}:${port}/users/42` };
}

/** The app process's CPU time so far, in microseconds. */
function cpuOf(app: RunningApp): Promise<number> {
  return new Promise((resolve) => {
    app.child.once('message', (message: { cpu: number }) => resolve(message.cpu));
    app.child.send('cpu');
  });
}

function stopApp(app: RunningApp): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    app.child.once('exit', () => resolve());
    app.child.send('stop');
  });
}

interface Load {
  readonly rps: number;
  readonly requests: number;
  readonly failures: number;
}

async function load(url: string, seconds: number): Promise<Load> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  return {
    rps: result.requests.total / result.duration,
    requests: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

/** Metric lines each variant sends per request: express-hot-shots sends a counter and a timer. */
function linesPerRequest(framework: Framework, variant: Variant): number {
  if (variant === 'bare') return 0;
  return variant === 'hot-shots' && framework === 'express' ? 2 : 1;
}

/** The median over rounds of `variant`'s rate divided by the bare app's rate in the same round. */
function pairedRatio(rps: Map<Variant, number[]>, variant: Variant): number {
  const bare = rps.get('bare') ?? [];
  return median((rps.get(variant) ?? []).map((rate, round) => rate / (bare[round] ?? NaN)));
}

/** Rows 4a (Express) or 4b (Koa). */
export async function middlewareFigure(
  sink: Sink,
  framework: Framework,
  rounds: number,
  seconds: number,
): Promise<Row[]> {
  progress(`figure 4: ${framework}, ${rounds} rounds of ${seconds} s per variant`);
  const apps: RunningApp[] = [];
  const rps = new Map<Variant, number[]>(VARIANTS.map((variant) => [variant, []]));
  const lines = new Map<Variant, number[]>(VARIANTS.map((variant) => [variant, []]));
  const requests = new Map<Variant, number[]>(VARIANTS.map((variant) => [variant, []]));
  const cpuPerRequest = new Map<Variant, number[]>(VARIANTS.map((variant) => [variant, []]));
  let failures = 0;
  try {
    for (const variant of VARIANTS) apps.push(await startApp(framework, variant, sink));
    for (const app of apps) await load(app.url, 1);
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < apps.length; i++) {
        const app = apps[(round + i) % apps.length] as RunningApp;
        await sink.reset();
        const cpu = await cpuOf(app);
        const result = await load(app.url, seconds);
        cpuPerRequest.get(app.variant)?.push(((await cpuOf(app)) - cpu) / result.requests);
        // hot-shots flushes its buffer once a second: the quiet period outlasts that.
        const expected = result.requests * linesPerRequest(framework, app.variant);
        const counts = expected === 0 ? await sink.counts() : await sink.settle(expected, 1_200);
        failures += result.failures;
        rps.get(app.variant)?.push(result.rps);
        requests.get(app.variant)?.push(result.requests);
        lines.get(app.variant)?.push(counts.lines);
        progress(
          `${framework} ${app.variant}: ${result.rps.toFixed(0)} req/s, ${counts.lines} lines`,
        );
      }
    }
  } finally {
    for (const app of apps) await stopApp(app);
  }
  const bare = median(rps.get('bare') ?? []);
  const ours = median(rps.get('ours') ?? []);
  const hotShots = median(rps.get('hot-shots') ?? []);
  const oursRatio = pairedRatio(rps, 'ours');
  const hotShotsRatio = pairedRatio(rps, 'hot-shots');
  const cpu = (variant: Variant): string =>
    `${median(cpuPerRequest.get(variant) ?? []).toFixed(1)}`;
  const perRequest = (variant: Variant): string => {
    const sent = (lines.get(variant) ?? []).reduce((a, b) => a + b, 0);
    const served = (requests.get(variant) ?? []).reduce((a, b) => a + b, 0);
    return (sent / served).toFixed(2);
  };
  const name = framework === 'express' ? 'Express' : 'Koa';
  const rival = framework === 'express' ? 'express-hot-shots' : 'a hot-shots Koa middleware';
  const note =
    `autocannon, ${CONNECTIONS} connections, ${seconds} s per run, variants interleaved; ` +
    `medians of ${rounds}; ratios are medians of each round's ratio to the bare app's run in ` +
    `the same round. ${rival}: ${hotShots.toFixed(0)} req/s (${formatRatio(hotShotsRatio)} of ` +
    `bare). App CPU time per request: bare ${cpu('bare')} µs, ours ${cpu('ours')} µs, ` +
    `hot-shots ${cpu('hot-shots')} µs. Lines received per request: ours ` +
    `${perRequest('ours')}, hot-shots ${perRequest('hot-shots')}.` +
    (failures > 0 ? ` ${formatCount(failures)} failed requests.` : '');
  return [
    {
      figure: framework === 'express' ? '4a' : '4b',
      metric: `${name} app with our middleware, req/s`,
      ours: `${ours.toFixed(0)} req/s`,
      rival: `bare ${bare.toFixed(0)}; hot-shots ${hotShots.toFixed(0)}`,
      ratio: `${formatRatio(oursRatio)} of bare`,
      target: '≥ 0.97× of bare',
      met: oursRatio >= 0.97,
      note,
    },
  ];
}
