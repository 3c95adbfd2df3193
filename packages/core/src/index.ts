export { Connector } from './connector.js';
export { createConnector, resolveEnvironment } from './create-connector.js';
export type { StatsdEnvironment } from './create-connector.js';
export { ErrorCode, StatsdError } from './errors.js';
export { CheckStatus } from './event-format.js';
export { Timer } from './timer.js';
export type { TimerStopOptions } from './timer.js';
export type {
  CheckOptions,
  ChildOptions,
  ConnectorOptions,
  ConnectorStats,
  CounterOptions,
  CreateConnectorOptions,
  DropReason,
  ErrorHandler,
  EventAlertType,
  EventOptions,
  GaugeOptions,
  Logger,
  MetricOptions,
  MetricType,
  Protocol,
  TagFormat,
  Tags,
  TagValue,
  Timestamp,
} from './types.js';
