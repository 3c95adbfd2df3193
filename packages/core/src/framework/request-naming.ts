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
 * reads. Every connector gets `'path'` today: the connector does not say yet which server it
 * talks to. This is the one place that decides it.
 */
export function defaultNaming(connector: Connector): RequestNaming {
  void connector;
  return 'path';
}
