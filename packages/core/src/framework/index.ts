export { invalidOption } from '../errors.js';
export { ROOT_ROUTE, UNMATCHED_ROUTE, routeMetricName } from './route-name.js';
export { ABORTED_STATUS, requestMetricPath } from './request-metric.js';
export type { RequestOutcome, StatusSegment } from './request-metric.js';
export { RequestRecorder } from './request-recorder.js';
export type { RequestMetricsOptions } from './request-recorder.js';
export { stopOnShutdown } from './shutdown.js';
export type { ClosableServer, ShutdownOptions } from './shutdown.js';
