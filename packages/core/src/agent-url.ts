import { ErrorCode, StatsdError, describeValue } from './errors.js';

/** Where `DD_DOGSTATSD_URL` points: a UDP host and port, or a unix datagram socket's path. */
export type AgentTarget =
  | { readonly protocol: 'udp'; readonly host: string; readonly port: number }
  | { readonly protocol: 'unixgram'; readonly path: string };

const VARIABLE = 'DD_DOGSTATSD_URL';
/** The agent's DogStatsD port, when a `udp://` URL names none. */
const DEFAULT_PORT = 8125;
const UDP = /^udp:\/\/(\[[0-9a-f:.]+\]|[^\s:/[\]@]+)(?::(\d{1,5}))?\/?$/i;
/** `unix://` is a datagram socket for Datadog's clients; `unixgram://` says so explicitly. */
const UNIX = /^(?:unix|unixgram):\/\/(\/\S.*)$/i;

/**
 * Reads the Datadog agent's address as its clients take it from `DD_DOGSTATSD_URL`:
 * `udp://<host>[:<port>]` (port 8125 by default, IPv6 in brackets) or `unix:///<path>` (also
 * `unixgram:///<path>`), the agent's unix datagram socket. `undefined` when the variable is unset
 * or blank. Throws a `StatsdError` (`ERR_STATSD_INVALID_OPTION`) naming the variable, its value
 * and the forms it takes otherwise: `unixstream://` too, since the agent frames a stream socket's
 * messages differently from StatsD's lines.
 */
export function parseAgentUrl(value: string | undefined): AgentTarget | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  const udp = UDP.exec(text);
  if (udp !== null) {
    const host = (udp[1] as string).replace(/^\[(.*)\]$/, '$1');
    const port = udp[2] === undefined ? DEFAULT_PORT : Number(udp[2]);
    if (port >= 1 && port <= 65_535) return { protocol: 'udp', host, port };
  }
  const unix = UNIX.exec(text);
  if (unix !== null) return { protocol: 'unixgram', path: unix[1] as string };
  throw new StatsdError(
    ErrorCode.InvalidOption,
    `Invalid environment variable ${VARIABLE}: received ${describeValue(value)}, expected ` +
      'udp://<host>:<port> (such as udp://127.0.0.1:8125) or unix://<absolute path of the ' +
      "agent's datagram socket> (such as unix:///var/run/datadog/dsd.socket).",
  );
}
