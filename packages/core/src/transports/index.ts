import type { Protocol } from '../types.js';
import { StreamTransport } from './stream-transport.js';
import type { TransportFactory } from './transport.js';
import { UdpTransport } from './udp-transport.js';

/** The transport for a protocol: TCP and unix sockets are streams, UDP is datagrams. */
export function transportFor(protocol: Protocol): TransportFactory {
  return protocol === 'udp'
    ? (target, events) => new UdpTransport(target, events)
    : (target, events) => new StreamTransport(target, events);
}
