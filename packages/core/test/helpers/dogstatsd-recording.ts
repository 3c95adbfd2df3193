import type { StatsdError } from '../../src/errors.js';
import {
  MemoryConnector,
  type MemoryConnectorOptions,
} from '../../src/testing/memory-connector.js';

/**
 * A MemoryConnector writing DogStatsD lines over UDP with kind segments and the prefix `app`,
 * and the errors it reported; `options` override the defaults.
 */
export function recording(options: MemoryConnectorOptions = {}): {
  statsd: MemoryConnector;
  errors: StatsdError[];
} {
  const errors: StatsdError[] = [];
  const statsd = new MemoryConnector({
    protocol: 'udp',
    dialect: 'dogstatsd',
    kindSegments: true,
    prefix: 'app',
    ...options,
    onError: (e) => errors.push(e),
  });
  return { statsd, errors };
}
