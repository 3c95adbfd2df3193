export { statsdMiddleware } from './middleware.js';
export type { StatsdMiddleware, StatsdMiddlewareOptions, StatsdShutdownOptions } from './types.js';
