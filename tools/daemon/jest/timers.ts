import type { StatsdDaemon } from '../src/index.js';

/** The `STATSD_*` variables that point a connector at the daemon over TCP, plus `extra`. */
export function daemonEnv(
  daemon: StatsdDaemon,
  extra: Readonly<Record<string, string | undefined>> = {},
): Record<string, string | undefined> {
  return {
    STATSD_HOST: daemon.host,
    STATSD_PORT: String(daemon.tcpPort),
    STATSD_PROTOCOL: 'tcp',
    ...extra,
  };
}

/** The daemon's timers whose names start with `prefix.` (values in arrival order). */
export async function timersOf(
  daemon: StatsdDaemon,
  prefix: string,
): Promise<Record<string, number[]>> {
  const all = await daemon.timers();
  return Object.fromEntries(Object.entries(all).filter(([name]) => name.startsWith(prefix + '.')));
}

/** Waits until the timer `name` holds at least `count` values, and returns them. */
export async function waitForTimer(
  daemon: StatsdDaemon,
  name: string,
  count = 1,
): Promise<number[]> {
  const timers = await daemon.waitFor(
    (d) => d.timers(),
    (t) => (t[name]?.length ?? 0) >= count,
  );
  return timers[name] as number[];
}

/**
 * The request timers the daemon holds under `<prefix>.timers.`, as
 * `<route>.<METHOD>.<status>` → how many values it received.
 */
export async function requestTimers(
  daemon: StatsdDaemon,
  prefix: string,
): Promise<Record<string, number>> {
  const start = `${prefix}.timers.`;
  const out: Record<string, number> = {};
  for (const [key, values] of Object.entries(await daemon.timers())) {
    if (key.startsWith(start)) out[key.slice(start.length)] = values.length;
  }
  return out;
}

/** Waits until the daemon holds `total` request timer values under `prefix`, and returns them. */
export function waitForTimers(
  daemon: StatsdDaemon,
  prefix: string,
  total: number,
): Promise<Record<string, number>> {
  return daemon.waitFor(
    (d) => requestTimers(d, prefix),
    (timers) => Object.values(timers).reduce((sum, n) => sum + n, 0) >= total,
  );
}

/**
 * The `http.request` timers the daemon holds under `prefix`, as `route method status` → how
 * many values each received. The connector writes Graphite-style tags (`;route=/users/_id`),
 * which the daemon keeps in the key, with `/` turned into `-` as it does in every key.
 */
export async function requestTags(
  daemon: StatsdDaemon,
  prefix: string,
): Promise<Record<string, number>> {
  const head = `${prefix}.timers.http.request;`;
  const out: Record<string, number> = {};
  for (const [key, values] of Object.entries(await daemon.timers())) {
    if (!key.startsWith(head)) continue;
    const tags = new Map<string, string>(
      key
        .slice(head.length)
        .split(';')
        .map((tag) => tag.split('=') as [string, string]),
    );
    out[`${tags.get('route')} ${tags.get('method')} ${tags.get('status')}`] = values.length;
  }
  return out;
}

/** Waits until `total` tagged request timer values have reached the daemon, and returns them. */
export function waitForTags(
  daemon: StatsdDaemon,
  prefix: string,
  total: number,
): Promise<Record<string, number>> {
  return daemon.waitFor(
    (d) => requestTags(d, prefix),
    (tags) => Object.values(tags).reduce((sum, n) => sum + n, 0) >= total,
  );
}
