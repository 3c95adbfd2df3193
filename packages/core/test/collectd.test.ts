import { Connector } from '../src/connector.js';
import type { StatsdError } from '../src/errors.js';
import { Collectd, findCollectd } from './helpers/collectd.js';

// collectd's statsd plugin (Debian `collectd-core`) as a second, independent server for the
// statsd dialect. CI installs it and requires it; without it, this file is skipped with a notice.
const binary = findCollectd();
const required = process.env.CI === 'true';
if (binary === undefined && !required) {
  console.warn(
    'collectd.test.ts skipped: collectd is not installed (Debian: apt-get install collectd-core).',
  );
}

describe('collectd is there when CI requires it', () => {
  (required ? it : it.skip)('finds the collectd binary', () => {
    expect(binary).toBeDefined();
  });
});

(binary === undefined ? describe.skip : describe)('the statsd dialect against collectd', () => {
  let collectd: Collectd;
  let statsd: Connector;
  const errors: StatsdError[] = [];

  beforeAll(async () => {
    collectd = await Collectd.start(binary as string);
    // collectd's statsd plugin listens on UDP only.
    statsd = new Connector({
      host: collectd.host,
      port: collectd.port,
      protocol: 'udp',
      prefix: 'app',
      globalTags: { env: 'prod' },
      onError: (e) => errors.push(e),
    });
    await statsd.start();
  });

  afterAll(async () => {
    await statsd.stop();
    await collectd.stop();
  });

  it('reads every line of the default dialect: tags, gauge changes, negative gauges, timers', async () => {
    statsd.incr('hits', 3, { tags: { route: 'home' } });
    statsd.incr('hits', 1, { tags: { route: 'home' } });
    statsd.gauge('pool', 10);
    statsd.gauge('pool', 3, { delta: true });
    statsd.gauge('pool', -1, { delta: true });
    statsd.gauge('temp', 7);
    statsd.gauge('temp', -5);
    statsd.histogram('size', 250);
    statsd.set('users', 'a');
    statsd.set('users', 'b');
    await statsd.flush();
    const values = await collectd.waitFor(
      (v) =>
        v['objects-app.sets.users;env=prod'] === 2 && v['gauge-app.gauges.temp;env=prod'] === -5,
    );
    expect(values).toMatchObject({
      // Graphite-style tags stay in the name.
      'derive-app.counters.hits;env=prod;route=home': 4,
      'gauge-app.gauges.pool;env=prod': 12,
      'gauge-app.gauges.temp;env=prod': -5,
      // A histogram is a timer (`|ms`): collectd keeps timers in seconds.
      'latency-app.histograms.size;env=prod-average': 0.25,
      'objects-app.sets.users;env=prod': 2,
    });
    expect(collectd.refused).toEqual([]);
    expect(errors).toEqual([]);
    expect(statsd.stats()).toMatchObject({ sent: 10, dropped: 0 });
  });
});
