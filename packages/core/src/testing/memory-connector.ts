import { Connector } from '../connector.js';
import { invalidOption } from '../errors.js';
import { kTransportFactory, type InternalOptions } from '../internal.js';
import type { SendCallback, Transport } from '../transports/transport.js';
import type { ConnectorOptions } from '../types.js';
import { BoundedLog } from './bounded-log.js';
import { metricsOfLines, type ParsedMetric } from './parse-line.js';

/** Options of {@link MemoryConnector}: the connector's, with no host needed. */
export interface MemoryConnectorOptions extends Omit<ConnectorOptions, 'host' | 'port' | 'path'> {
  /** Most packets kept; older ones are forgotten. @default 10_000 */
  maxPackets?: number;
}

/**
 * A real {@link Connector} (same formatting, packing, sampling and accounting) whose transport
 * records packets in memory instead of sending them. For unit tests of code that records
 * metrics: it is started on creation, and reading `lines` or `metrics` first flushes, so a test
 * can call `incr()` and assert on the next line.
 *
 * ```ts
 * const statsd = new MemoryConnector({ prefix: 'app' });
 * statsd.incr('jobs');
 * expect(statsd.lines).toEqual(['app.counters.jobs:1|c']);
 * ```
 */
export class MemoryConnector extends Connector {
  readonly #packets: BoundedLog<string>;
  readonly #maxPackets: number;

  constructor(options: MemoryConnectorOptions = {}) {
    const { maxPackets = 10_000, ...connectorOptions } = options;
    if (!Number.isSafeInteger(maxPackets) || maxPackets < 1) {
      throw invalidOption('maxPackets', maxPackets, 'a positive integer');
    }
    const packets = new BoundedLog<string>(maxPackets);
    const internal: ConnectorOptions & InternalOptions = {
      ...connectorOptions,
      ...(connectorOptions.protocol === 'unix' || connectorOptions.protocol === 'unixgram'
        ? { path: 'memory' }
        : { host: 'memory' }),
      [kTransportFactory]: () => new MemoryTransport(packets),
    };
    super(internal);
    this.#packets = packets;
    this.#maxPackets = maxPackets;
    void this.start();
  }

  /** Every packet sent so far, as text (at most `maxPackets`). */
  get packets(): readonly string[] {
    this.#sendNow();
    return this.#packets.toArray();
  }

  /** Every line sent so far, in order. */
  get lines(): readonly string[] {
    this.#sendNow();
    const lines: string[] = [];
    for (const packet of this.#packets.toArray()) {
      for (const line of packet.split('\n')) if (line !== '') lines.push(line);
    }
    return lines;
  }

  /**
   * Every metric sent so far, parsed, one per value (a line with packed values holds several);
   * DogStatsD events and service checks are in `lines`.
   */
  get metrics(): readonly ParsedMetric[] {
    return metricsOfLines(this.lines);
  }

  /** The parsed metrics whose name is `name` (prefix included). */
  metricsNamed(name: string): readonly ParsedMetric[] {
    return this.metrics.filter((metric) => metric.name === name);
  }

  /** Forgets what was recorded. */
  clear(): void {
    this.#sendNow();
    this.#packets.clear();
  }

  // The in-memory transport takes packets synchronously, so flushing makes them readable at once.
  // No wait: once stopped, nothing more can be sent, and a waiting flush would hold a timer.
  #sendNow(): void {
    void this.flush(0);
  }

  /** The packet limit this connector keeps. */
  get maxPackets(): number {
    return this.#maxPackets;
  }
}

class MemoryTransport implements Transport {
  readonly #packets: BoundedLog<string>;

  constructor(packets: BoundedLog<string>) {
    this.#packets = packets;
  }

  connect(): void {}

  send(data: Buffer, callback: SendCallback): boolean {
    this.#packets.push(data.toString('utf8'));
    callback();
    return true;
  }

  end(): Promise<void> {
    return Promise.resolve();
  }

  destroy(): void {}
}
