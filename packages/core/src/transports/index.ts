import type { Protocol } from '../types.js';
import { StreamTransport } from './stream-transport.js';
import type { TransportFactory } from './transport.js';
import { UdpTransport } from './udp-transport.js';
import { loadUnixDgram } from './unix-dgram-loader.js';
import { UnixgramTransport } from './unixgram-transport.js';

/**
 * The transport for a protocol: TCP and unix sockets are streams, UDP and unix datagram sockets
 * are datagrams. For `'unixgram'` the optional `unix-dgram` package is loaded here, when the
 * connector is built, so that a missing package fails at construction.
 */
export function transportFor(protocol: Protocol): TransportFactory {
  if (protocol === 'udp') return (target, events) => new UdpTransport(target, events);
  if (protocol === 'unixgram') {
    const module = loadUnixDgram();
    return (target, events) => new UnixgramTransport(target, events, module);
  }
  return (target, events) => new StreamTransport(target, events);
}
