import { isIPv4 } from 'node:net';
import { invalidOption } from '../errors.js';

/** Options of {@link FakeStatsdServer.start}. */
export interface FakeStatsdServerOptions {
  /**
   * Transport to listen on: UDP datagrams, a TCP stream, or a unix stream socket (the reference
   * daemon's TCP server listening on a `socket` path).
   * @default 'udp'
   */
  protocol?: 'udp' | 'tcp' | 'unix';
  /**
   * Loopback address to bind: an IPv4 loopback address such as `'127.0.0.1'`, or `'::1'`. Not
   * allowed with `protocol: 'unix'`.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Port to bind, from 0 to 65535. Pass the `port` of a stopped server to simulate a restart.
   * Not allowed with `protocol: 'unix'`.
   * @default 0 (an ephemeral port chosen by the system)
   */
  port?: number;
  /**
   * Path of the unix socket to listen on. Required with `protocol: 'unix'`, not allowed otherwise.
   * The path must not exist yet; the socket file is removed on `stop()`.
   * @default undefined
   */
  path?: string;
  /**
   * Most lines, and most packets, kept in memory. Older ones are discarded but still counted in
   * `received`, so a long run stays bounded.
   * @default 100_000
   */
  maxLines?: number;
  /**
   * TCP and unix only. `false` accepts connections but never reads from them, so the client's
   * writes back up as they would against a stalled peer.
   * @default true
   */
  read?: boolean;
}

/** Options after validation, with every default applied. */
export interface FakeStatsdServerSettings {
  readonly protocol: 'udp' | 'tcp' | 'unix';
  readonly host: string;
  readonly port: number;
  readonly path: string | undefined;
  readonly maxLines: number;
  readonly read: boolean;
}

/**
 * Validates `options` and applies the defaults. Throws a `StatsdError`
 * (`ERR_STATSD_INVALID_OPTION`) naming the first bad option.
 */
export function resolveFakeServerOptions(
  options: FakeStatsdServerOptions,
): FakeStatsdServerSettings {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', options, 'an object or undefined');
  }
  const { protocol = 'udp', host, port, path, maxLines = 100_000, read = true } = options;
  if (protocol !== 'udp' && protocol !== 'tcp' && protocol !== 'unix') {
    throw invalidOption('protocol', protocol, "'udp', 'tcp' or 'unix'");
  }
  if (protocol === 'unix') {
    if (typeof path !== 'string' || path === '') {
      throw invalidOption('path', path, "a socket file path (required with protocol 'unix')");
    }
    // A host or port next to a path means the caller expects a TCP server: say so now.
    if (host !== undefined) throw invalidOption('host', host, "undefined with protocol 'unix'");
    if (port !== undefined) throw invalidOption('port', port, "undefined with protocol 'unix'");
  } else {
    if (path !== undefined) {
      throw invalidOption('path', path, "undefined unless protocol is 'unix'");
    }
    // Test servers must never be reachable from the network.
    if (host !== undefined && host !== '::1' && !(isIPv4(host) && host.startsWith('127.'))) {
      throw invalidOption('host', host, "a loopback address such as '127.0.0.1' or '::1'");
    }
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      throw invalidOption('port', port, 'an integer from 0 to 65535');
    }
  }
  if (!Number.isSafeInteger(maxLines) || maxLines < 1) {
    throw invalidOption('maxLines', maxLines, 'a positive integer');
  }
  if (typeof read !== 'boolean') throw invalidOption('read', read, 'a boolean');
  if (!read && protocol === 'udp') {
    throw invalidOption('read', read, "true with protocol 'udp' (use 'tcp' or 'unix')");
  }
  return { protocol, host: host ?? '127.0.0.1', port: port ?? 0, path, maxLines, read };
}
