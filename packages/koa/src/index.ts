export { statsdMiddleware } from './middleware.js';
export type {
  StatsdMiddleware,
  StatsdMiddlewareOptions,
  StatsdShutdownOptions,
  StatsdState,
} from './types.js';
