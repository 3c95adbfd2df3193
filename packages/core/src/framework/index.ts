export { ROOT_ROUTE, UNMATCHED_ROUTE, routeMetricName } from './route-name.js';
export {
  ABORTED_STATUS,
  requestMetricPath,
  requestMetricTags,
  requestTimer,
} from './request-metric.js';
export type { RequestOutcome, RequestTags, RequestTimer, StatusSegment } from './request-metric.js';
export { REQUEST_TIMER_PATH, defaultNaming } from './request-naming.js';
export type { RequestNaming } from './request-naming.js';
export type {
  MiddlewareOptions,
  RequestHooks,
  RequestMetricsOptions,
} from './middleware-options.js';
export { refuseMountedFactory } from './factory-misuse.js';
export { RequestRecorder } from './request-recorder.js';
export type { MiddlewareControls } from './request-recorder.js';
export type { ObservedRequest, ObservedResponse } from './request-binding.js';
export { stopOnShutdown } from './shutdown.js';
export type { ClosableServer, ShutdownOptions, ShutdownSignalOptions } from './shutdown.js';
