import type { Connector } from './connector.js';
import { invalidOption } from './errors.js';
import type { Pipeline } from './pipeline.js';
import type { ConnectorStats, DropReason, MetricOptions } from './types.js';

/** Where the connector's own figures go, under its prefix: `<prefix>.statsd.client.*`. */
export const TELEMETRY_PATH = 'statsd.client.';

/** Node's timers cannot wait longer than this. */
const MAX_INTERVAL = 2_147_483_647;

/** Telemetry lines are never sampled, whatever the connector's `sampleRate`. */
const UNSAMPLED: MetricOptions = Object.freeze({ sampleRate: 1 });

/**
 * Checks the `telemetry` option: `undefined` or `0` for off, else the interval in milliseconds
 * (at least 10). Throws a `StatsdError` naming it.
 */
export function telemetryOption(value: unknown): number {
  if (value === undefined || value === 0) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 10 || value > MAX_INTERVAL) {
    throw invalidOption(
      'telemetry',
      value,
      `0 (off) or an interval in milliseconds from 10 to ${MAX_INTERVAL}`,
    );
  }
  return value;
}

type CountedFigure = 'sent' | 'packetsSent' | 'bytesSent' | 'reconnects';

/** Counters, sent as changes since the last report: `|c`, so that the server sums them. */
const COUNTED: readonly (readonly [CountedFigure, string])[] = [
  ['sent', 'sent'],
  ['packetsSent', 'packets_sent'],
  ['bytesSent', 'bytes_sent'],
  ['reconnects', 'reconnects'],
];

/**
 * The `telemetry` option: every interval the connector sends its own accounting through itself,
 * as ordinary metric calls (so they follow its prefix, tags and dialect, and are queued, counted
 * and dropped like any other metric):
 * - counters (changes since the last report, sent only when not zero): `sent`, `packets_sent`,
 *   `bytes_sent`, `reconnects`, and `dropped.<reason>` for each {@link DropReason};
 * - gauges (the value now, every report): `queued`, `queued_bytes`, `connected` (1 or 0).
 *
 * The reports are driven by the timer alone, never by metrics, so they cannot recurse: each
 * report is a fixed handful of lines, and the next report counts them like any others.
 */
export class Telemetry {
  readonly #connector: Connector;
  readonly #pipeline: Pipeline;
  readonly #interval: number;
  #timer: NodeJS.Timeout | undefined;
  #last: ConnectorStats | undefined;

  constructor(connector: Connector, pipeline: Pipeline, interval: number) {
    this.#connector = connector;
    this.#pipeline = pipeline;
    this.#interval = interval;
  }

  /** Starts reporting every interval; the timer never keeps the process alive. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#last ??= this.#pipeline.snapshot();
    this.#timer = setInterval(() => this.report(), this.#interval);
    this.#timer.unref();
  }

  /** Stops the timer after one last report, which the connector's stop then delivers. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.report();
  }

  /** Sends the figures: changes since the last report for counters, values for gauges. */
  report(): void {
    const now = this.#pipeline.snapshot();
    const last = this.#last ?? now;
    this.#last = now;
    const connector = this.#connector;
    for (const [figure, name] of COUNTED) {
      const change = now[figure] - last[figure];
      if (change !== 0) connector.injectMetric(TELEMETRY_PATH + name, change, 'c', UNSAMPLED);
    }
    for (const reason of Object.keys(now.dropReasons) as DropReason[]) {
      const change = now.dropReasons[reason] - last.dropReasons[reason];
      if (change !== 0) {
        connector.injectMetric(`${TELEMETRY_PATH}dropped.${reason}`, change, 'c', UNSAMPLED);
      }
    }
    connector.injectMetric(TELEMETRY_PATH + 'queued', now.queued, 'g', UNSAMPLED);
    connector.injectMetric(TELEMETRY_PATH + 'queued_bytes', now.queuedBytes, 'g', UNSAMPLED);
    connector.injectMetric(TELEMETRY_PATH + 'connected', now.connected ? 1 : 0, 'g', UNSAMPLED);
  }
}
