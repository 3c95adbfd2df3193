import type { StatsdDaemon } from '@statsd-internal/daemon';
import { useDaemon } from '@statsd-internal/daemon/jest';
import type { Connector } from '../src/connector.js';
import type { ConnectorOptions, Protocol } from '../src/types.js';
import { connectorFor, errorLog, stopConnectors } from './helpers/connector-harness.js';

// The statsd rows of the dialect table, checked against the reference daemon (statsd 0.9.0):
// what it stores is read back over its management port, and no line may be a bad line.

let daemon: StatsdDaemon;
useDaemon((started) => {
  daemon = started;
}, stopConnectors);

describe.each<Protocol>(['tcp', 'udp'])(
  'the statsd dialect against the daemon over %s',
  (protocol) => {
    const prefix = `dialect-${protocol}`;

    async function connect(name: string, options: ConnectorOptions = {}): Promise<Connector> {
      const statsd = connectorFor({
        host: daemon.host,
        port: protocol === 'udp' ? daemon.udpPort : daemon.tcpPort,
        protocol,
        prefix: `${prefix}.${name}`,
        ...options,
      });
      await statsd.start();
      return statsd;
    }

    it('stores Graphite-style tags in the key by default, global tags first', async () => {
      const statsd = await connect('tags', { globalTags: { env: 'prod' } });
      statsd.incr('hits', 2, { tags: { route: 'home' } });
      const key = `${prefix}.tags.counters.hits;env=prod;route=home`;
      const counters = await daemon.waitFor(
        (d) => d.counters(),
        (c) => c[key] !== undefined,
      );
      expect(counters[key]).toBe(2);
    });

    it('folds DogStatsD-style tags into the same key, a value with colons included', async () => {
      const statsd = await connect('fold', { tagFormat: 'dogstatsd', globalTags: { env: 'prod' } });
      statsd.incr('hits', 3, { tags: { url: 'http://x:8080' } });
      // stats.js: `|#` tags become `;k=v` (first colon only), then the key is sanitized.
      const key = `${prefix}.fold.counters.hits;env=prod;url=http--x8080`;
      const counters = await daemon.waitFor(
        (d) => d.counters(),
        (c) => c[key] !== undefined,
      );
      expect(counters[key]).toBe(3);
    });

    it('keeps histograms and distributions as timers, whatever the tag syntax', async () => {
      for (const tagFormat of ['graphite', 'dogstatsd'] as const) {
        const statsd = await connect(`histograms-${tagFormat}`, { tagFormat });
        statsd.histogram('size', 3);
        statsd.distribution('latency', 4.5);
      }
      const timers = await daemon.waitFor(
        (d) => d.timers(),
        (t) => t[`${prefix}.histograms-dogstatsd.distributions.latency`] !== undefined,
      );
      for (const tagFormat of ['graphite', 'dogstatsd']) {
        expect(timers[`${prefix}.histograms-${tagFormat}.histograms.size`]).toEqual([3]);
        expect(timers[`${prefix}.histograms-${tagFormat}.distributions.latency`]).toEqual([4.5]);
      }
      const counters = await daemon.counters();
      expect(Object.keys(counters).filter((key) => key.includes('.histograms-'))).toEqual([]);
    });

    it('changes gauges with +N / -N and sets a negative gauge after a 0', async () => {
      const { errors, onError } = errorLog();
      const statsd = await connect('gauges', { onError });
      statsd.gauge('pool', 10);
      statsd.gauge('pool', 3, { delta: true });
      statsd.gauge('pool', -1, { delta: true });
      statsd.gauge('temp', 7);
      statsd.gauge('temp', -5);
      const gauges = await daemon.waitFor(
        (d) => d.gauges(),
        (g) => g[`${prefix}.gauges.gauges.temp`] === -5,
      );
      expect(gauges[`${prefix}.gauges.gauges.pool`]).toBe(12);
      expect(errors).toEqual([]);
    });

    it('writes the kind segments by default and leaves them out with kindSegments: false', async () => {
      const statsd = await connect('segments', { kindSegments: false });
      statsd.incr('jobs');
      statsd.timing('db', 0.002);
      const key = `${prefix}.segments.jobs`;
      await daemon.waitFor(
        (d) => d.counters(),
        (c) => c[key] === 1,
      );
      expect((await daemon.timers())[`${prefix}.segments.db`]).toEqual([2]);
    });
  },
);
