import type { TransportFactory } from './transports/transport.js';

/**
 * Option key (a symbol, so it is not part of the public options) that replaces the network
 * transport: the test kit's in-memory connector uses it.
 */
export const kTransportFactory: unique symbol = Symbol('@statsd/core transport factory');

/** Connector options with the private transport override. */
export interface InternalOptions {
  [kTransportFactory]?: TransportFactory;
}
