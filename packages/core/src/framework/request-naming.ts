import type { Connector } from '../connector.js';

/**
 * How a request timer carries the request's route, method and status.
 * - `'path'`: in the metric path, `timers.<route>.<METHOD>.<status>` (`timers.users._id.GET.200`):
 *   plain StatsD and Graphite, which have no tags.
 * - `'tags'`: one timer, `timers.http.request`, with the tags `route` (the template as the
 *   application wrote it, `/users/:id`), `method` and `status`: servers that read tags
 *   (DogStatsD, Telegraf, Graphite tagged series) aggregate it per tag, or across them.
 */
export type RequestNaming = 'path' | 'tags';

/** Every {@link RequestNaming}, for validation and messages. */
export const REQUEST_NAMINGS: readonly RequestNaming[] = ['path', 'tags'];

/** The metric path of the request timer in `'tags'` naming (under the connector's `timers.`). */
export const REQUEST_TIMER_PATH = 'http.request';

/**
 * The naming of a middleware whose application chose none, from what its connector's server
 * reads: `'tags'` for DogStatsD and Telegraf, which aggregate a timer per tag, `'path'` for plain
 * StatsD (its servers fold tags into the name, so every tag set is a series of its own either
 * way, and dashboards built on sprockets-style paths keep working). A duck-typed connector that
 * names no dialect gets `'path'`. This is the one place that decides it.
 */
export function defaultNaming(connector: Connector): RequestNaming {
  const dialect = (connector as Partial<Pick<Connector, 'dialect'>>).dialect;
  return dialect === 'dogstatsd' || dialect === 'telegraf' ? 'tags' : 'path';
}
