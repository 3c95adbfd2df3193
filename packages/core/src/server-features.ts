import type { FormatterSettings } from './metric-formatter.js';

/**
 * What the server supports beyond plain StatsD metrics: metric timestamps (`|T<seconds>`),
 * events (`_e{…}`) and service checks (`_sc|…`). Only the Datadog agent reads them; any other
 * server would fold them into metric names or count them as bad lines. A call that needs them
 * on another server is dropped and reported with `ERR_STATSD_UNSUPPORTED` (drop reason
 * `unsupported`).
 *
 * The server is told by the tag format today: `'dogstatsd'` means the Datadog agent. This is the
 * one place that decides it, to be answered by the server's dialect once the connector has one.
 */
export function supportsDogStatsdExtensions(settings: FormatterSettings): boolean {
  return settings.tagFormat === 'dogstatsd';
}
