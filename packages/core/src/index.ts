export { Connector } from './connector.js';
export { createConnector, resolveEnvironment } from './create-connector.js';
export type { StatsdEnvironment } from './create-connector.js';
export { ErrorCode, StatsdError } from './errors.js';
export { CheckStatus } from './event-format.js';
export { stopOnShutdown } from './framework/shutdown.js';
export type { ClosableServer, ShutdownOptions } from './framework/shutdown.js';
export { Timer } from './timer.js';
export type { TimerStopOptions } from './timer.js';
export type {
  CheckOptions,
  ChildOptions,
  ConnectorOptions,
  ConnectorStats,
  CounterOptions,
  CreateConnectorOptions,
  Dialect,
  DropReason,
  ErrorHandler,
  EventAlertType,
  EventOptions,
  FlushHook,
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
