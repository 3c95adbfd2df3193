import type { Connector } from '../connector.js';
import { createConnector, type StatsdEnvironment } from '../create-connector.js';
import { invalidOption } from '../errors.js';
import type { CreateConnectorOptions } from '../types.js';
import { requestMetricPath, type RequestOutcome, type StatusSegment } from './request-metric.js';

/** The options every framework middleware shares. */
export interface RequestMetricsOptions extends CreateConnectorOptions {
  /**
   * Use this connector (shared with workers and other code) instead of creating one from the
   * options and the environment. The middleware then never stops it by itself.
   */
  connector?: Connector;
  /** How the status is written: `200`, `2xx` or `2xx.200`. @default 'code' */
  status?: StatusSegment;
  /** The environment read by `createConnector`. @default process.env */
  env?: StatsdEnvironment;
}

const STATUS_SEGMENTS: readonly string[] = ['code', 'class', 'both'];

/**
 * What a framework middleware needs from the core: the connector (created from the options and
 * the environment and started at once, or the one given), and a `record` that writes one
 * request timer and never throws.
 */
export class RequestRecorder {
  /** The connector the middleware records with. */
  readonly connector: Connector;
  readonly #status: StatusSegment;

  constructor(options: RequestMetricsOptions = {}) {
    const { connector, status = 'code', env, ...connectorOptions } = options;
    if (!STATUS_SEGMENTS.includes(status)) {
      throw invalidOption('status', status, "'code', 'class' or 'both'");
    }
    this.#status = status;
    if (connector !== undefined) {
      const ignored = Object.keys(connectorOptions).filter(
        (key) => connectorOptions[key as keyof typeof connectorOptions] !== undefined,
      );
      if (ignored.length > 0 || env !== undefined) {
        // Settings beside a shared connector would be silently ignored: refuse them instead.
        throw invalidOption(
          'connector',
          `a connector with ${[...ignored, ...(env === undefined ? [] : ['env'])].join(', ')}`,
          'either `connector` or connector settings, not both: configure the shared connector itself',
        );
      }
      this.connector = connector;
    } else {
      this.connector = createConnector(connectorOptions, env);
    }
    // Starting twice is harmless; a shared connector may not have been started by its owner yet.
    void this.connector.start();
  }

  /** Records one request's duration (milliseconds from a monotonic clock) as a timer. */
  record(outcome: RequestOutcome, milliseconds: number): void {
    try {
      this.connector.timing(requestMetricPath(outcome, this.#status), milliseconds / 1000);
    } catch {
      // Recording must never break a request; the connector itself never throws here.
    }
  }
}
