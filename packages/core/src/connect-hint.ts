/**
 * What to add to a failed connection's report so that the user can fix it. A refused TCP
 * connection is the usual first-hour trap: the connector speaks TCP by default, while most StatsD
 * servers (the reference daemon's default, the Datadog agent, collectd) listen on UDP only.
 */
export function connectHint(error: unknown, tcp: boolean): string {
  if (!tcp || (error as { code?: unknown } | null)?.code !== 'ECONNREFUSED') return '';
  return (
    ' (nothing accepts TCP connections there: the server may listen on UDP only, as most ' +
    "StatsD servers do; switch with `protocol: 'udp'` or STATSD_PROTOCOL=udp)"
  );
}
